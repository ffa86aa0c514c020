// Which model a checkpoint holds, told from its tensor names and shapes (or, for a diffusers folder, from
// model_index.json and the component configs). Used by `easel info` and by loaders that pick an architecture.
//
// Rules (single files: CompVis/LDM/SGM keys; diffusers: per-component keys or the folder's configs):
//   easel's own      metadata key "easel.model" (kEaselModelKey) is present; its value names the model
//   SDXL base        SGM keys conditioner.embedders.{0,1} (two text encoders) / pipeline StableDiffusionXL*
//   SDXL refiner     SGM conditioner with only the OpenCLIP embedder / XL pipeline without text_encoder
//   SD2.x unCLIP     LDM UNet with label_emb plus an image embedder / StableUnCLIP* pipelines
//   unCLIP (Karlo)   UnCLIPPipeline / UnCLIPImageVariationPipeline folders
//   SD2.x            OpenCLIP text encoder (cond_stage_model.model.*, or hidden_act "gelu" in diffusers), or a
//                    bare UNet with linear proj_in; 512 epsilon vs 768 v-prediction cannot be told from weights
//   SD1.x            CLIP ViT-L layout text encoder (cond_stage_model.transformer.*, hidden_act "quick_gelu"),
//                    or a bare UNet with 1x1-conv proj_in
//   inpainting       any of the above whose UNet conv_in takes 9 channels (4 latent + 1 mask + 4 masked image)
//   unknown          anything else (a VAE alone, TAESD/TAEF2, the MNIST DDPM, ...)
#pragma once
#include <string>

#include "io/state_dict.h"

namespace easel::io {

// Metadata key reserved for easel's own checkpoints (safetensors __metadata__); value: the model's name.
inline constexpr const char* kEaselModelKey = "easel.model";

enum class ModelFamily { Unknown, SD1, SD2, SDXL, SDXLRefiner, SD2Unclip, Karlo, Easel };

struct FamilyInfo {
  ModelFamily family = ModelFamily::Unknown;
  bool inpainting = false;  // the UNet's conv_in takes 9 channels
  std::string layout;       // "ldm" (CompVis/LDM/SGM single file), "diffusers", or "" when unknown
  std::string note;         // what could not be told, e.g. SD2.x prediction type; empty when nothing

  // "SD1.x", "SD2.x inpainting", "SDXL base", "unCLIP (Karlo)", "easel (<name>)", "unknown", ...
  std::string name() const;
  std::string easel_model;  // the "easel.model" metadata value for ModelFamily::Easel
};

// Detects the family of one checkpoint (a single file, or one diffusers component's weights).
FamilyInfo detect_family(const StateDict& sd);

// Detects the family of a diffusers pipeline folder from model_index.json and the component configs.
// Throws easel::Error naming the file when model_index.json is missing or not valid JSON.
FamilyInfo detect_family_diffusers(const std::string& folder);

}  // namespace easel::io
