// A Stable Diffusion model ready to generate: tokenizers, text encoders, UNet, VAE and noise schedule, loaded
// from a diffusers folder or from a single CompVis/LDM/SGM file (.safetensors or .ckpt).
//
// Architecture configs always come as diffusers config.json objects (SDConfigs): read from a diffusers folder
// (the model itself, or --config DIR for a single file, as diffusers' from_single_file(config=DIR) does).
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

// The diffusers config.json object of each component; text_encoder_2 is null for single-encoder models.
struct SDConfigs {
  nlohmann::json unet, vae, text_encoder, text_encoder_2, scheduler;
};

// Reads unet/, vae/, text_encoder/, text_encoder_2/ (when present) config.json and
// scheduler/scheduler_config.json of a diffusers folder. Throws easel::Error naming a missing or bad file.
SDConfigs read_diffusers_configs(const std::string& folder);

struct SDLoadOptions {
  std::string config_dir;                     // diffusers folder giving the configs of a single file
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
  std::string hash;  // empty: easel does not hash weights yet
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
// layout with configs from options.config_dir. Tokenizers come from the config folder's tokenizer/ and
// tokenizer_2/ when present, else from text::default_clip_vocab(). Throws easel::Error with one line naming the
// path when it is missing, has no configs, or its weights do not fit the configs.
SDModel load_sd_model(const std::string& path, const SDLoadOptions& options = {});

}  // namespace easel::pipelines
