// A Stable Diffusion model ready to generate: tokenizers, text encoders, UNet, VAE and noise schedule, loaded
// from a diffusers folder or from a single CompVis/LDM/SGM file (.safetensors or .ckpt).
//
// Architecture configs always come as diffusers config.json objects (models/sd_configs.h): from a diffusers folder
// (the model itself, or --config DIR for a single file, as diffusers' from_single_file(config=DIR) does), from the
// original LDM/SGM yaml (--config model.yaml), or inferred from a single file's tensor shapes.
#pragma once
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <string>
#include <vector>

#include "io/model_family.h"
#include "models/autoencoder_kl.h"
#include "models/clip_text_model.h"
#include "models/unet2d_condition.h"
#include "sampling/schedule.h"
#include "text/clip_tokenizer.h"

namespace easel::pipelines {

struct SDLoadOptions {
  std::string config_dir;                     // single file: a diffusers folder or LDM/SGM yaml; empty = infer
  torch::ScalarType dtype = torch::kFloat;    // UNet and text encoders (kFloat or kBFloat16); the VAE stays fp32
};

// One CLIP text tower with its tokenizer and the id it pads with.
struct SDTextEncoder {
  text::ClipTokenizer tokenizer;
  text::ClipTokenizer::Pad pad = text::ClipTokenizer::Pad::Auto;
  models::CLIPTextModel model{nullptr};
};

struct SDModel {
  std::string name;  // folder or file name without extension
  std::string hash;  // io::model_hash of the file or folder (A1111's "AutoV2" hash for a single file)
  io::ModelFamily family = io::ModelFamily::Unknown;
  std::vector<SDTextEncoder> encoders;  // 1 (SD1/SD2) or 2 (SDXL: CLIP ViT-L, then OpenCLIP bigG with projection)
  models::UNet2DConditionModel unet{nullptr};
  models::AutoencoderKL vae{nullptr};
  sampling::NoiseConfig noise;
  bool is_inpaint_unet = false;            // conv_in takes 9 channels (latents, mask, masked-image latents)
  bool force_zeros_for_empty_prompt = false;  // SDXL: an omitted negative prompt conditions on zeros

  bool is_sdxl() const { return encoders.size() == 2; }
};

// Loads `path`: a diffusers folder (model_index.json + components) or a single checkpoint file in LDM/SGM
// layout with configs from options.config_dir (a diffusers folder or a yaml) or, when empty, inferred from its
// tensor shapes. Tokenizers come from the config folder's tokenizer/ and tokenizer_2/ when present, else from
// text::default_clip_vocab(). Throws easel::Error with one line naming the path when it is missing, its configs
// cannot be found or inferred, or its weights do not fit the configs.
SDModel load_sd_model(const std::string& path, const SDLoadOptions& options = {});

}  // namespace easel::pipelines
