// Building a model from one component folder of a diffusers pipeline (unet/, vae/, text_encoder/...): its
// config.json plus its safetensors weights, loaded by name (models/load.h).
#pragma once
#include <string>

#include "models/autoencoder_kl.h"
#include "models/clip_text_model.h"
#include "models/unet2d_condition.h"

namespace easel::models {

// The weights file of a component folder: diffusion_pytorch_model.safetensors or model.safetensors, else their
// .fp16 variants. Throws easel::Error naming the folder when there is none.
std::string component_weights_path(const std::string& dir);

// Each builds the model from dir/config.json and loads dir's weights (converted to float32).
UNet2DConditionModel load_unet(const std::string& dir);
AutoencoderKL load_vae(const std::string& dir);
CLIPTextModel load_clip_text_model(const std::string& dir);

}  // namespace easel::models
