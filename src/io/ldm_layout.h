// Single-file Stable Diffusion checkpoints in the original CompVis/LDM (SD1.x, SD2.x) and Stability SGM (SDXL)
// key layouts, split into diffusers components with diffusers' parameter names, so the models load them by name
// exactly as they load a diffusers folder (the same mapping diffusers' from_single_file applies).
//
// The mapping is a table of prefix rules plus per-block suffix renames; block indices are derived from the
// checkpoint's own structure (layers per block is read off where the first downsampler sits), so any depth works.
#pragma once
#include <string>
#include <vector>

#include "io/state_dict.h"

namespace easel::io {

struct LdmSplit {
  std::map<std::string, TensorMap> components;  // "unet", "vae", "text_encoder", "text_encoder_2"
  std::vector<std::string> unused;              // keys no rule claimed (EMA copies, optimizer state, ...)
};

// True when the keys look like an LDM/SGM single file (a `model.diffusion_model.` prefix).
bool is_ldm_layout(const TensorMap& tensors);

// Splits and renames. OpenCLIP text towers (SD2, SDXL's second encoder) are converted to the Hugging Face
// CLIPTextModel layout: the fused in_proj is split into q/k/v, and text_projection is transposed into a Linear
// weight. Throws easel::Error when a tensor under a known prefix does not fit its rule (naming the key).
LdmSplit split_ldm_checkpoint(const TensorMap& tensors);

// The inverse for SD 1.x: diffusers "unet", "vae" and "text_encoder" (a Hugging Face CLIPTextModel) tensors to one
// CompVis/LDM single-file map, as diffusers' convert_diffusers_to_original_stable_diffusion.py writes it (VAE
// attention matrices as 1x1 convolutions). split_ldm_checkpoint of the result gives the components back. Used to
// write SD 1.x single files (bench_sd's random SD 1.5). Throws easel::Error naming a key it has no rule for.
TensorMap join_ldm_checkpoint(const std::map<std::string, TensorMap>& components);

}  // namespace easel::io
