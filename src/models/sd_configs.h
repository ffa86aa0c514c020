// The configuration of a Stable Diffusion checkpoint: one diffusers-style config.json document per component,
// whichever way it was obtained (a diffusers folder, the original LDM/SGM yaml, or the tensor shapes of a single
// file, as diffusers' from_single_file does). The models build from these with UNetConfig::from_json etc.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "io/state_dict.h"

namespace easel::models {

struct SDConfigs {
  // Each is what the diffusers folder's <component>/config.json would hold (scheduler: scheduler_config.json);
  // text_encoder_2 is null for models with one text encoder.
  nlohmann::json unet, vae, text_encoder, text_encoder_2, scheduler;
};

// Reads unet/, vae/, text_encoder/, text_encoder_2/ (optional) config.json and scheduler/scheduler_config.json
// of a diffusers pipeline folder. Throws easel::Error naming the file when a required one is missing or invalid.
SDConfigs sd_configs_from_diffusers_dir(const std::string& dir);

// Reads an original CompVis/LDM (v1-inference.yaml, v2-inference[-v].yaml, inpainting) or Stability SGM
// (sd_xl_base.yaml) model config. The yaml only names its pretrained text encoders, so their configs are the
// published ones (CLIP ViT-L/14, OpenCLIP ViT-H/14 as diffusers ships it, ViT-bigG/14) unless `ldm_tensors` (the
// single file's tensors) is given: then the text encoders are inferred from their shapes as infer_sd_configs
// does. Throws easel::Error naming the file and key when the yaml is unreadable or not an SD model config.
SDConfigs sd_configs_from_yaml(const std::string& path, const io::TensorMap* ldm_tensors = nullptr);

// Infers the configuration of an LDM/SGM single file from its tensor shapes (keys as io::split_ldm_checkpoint
// reads them; values may be shape-only, e.g. expanded zero-stride tensors). Everything architectural is read off
// the shapes; what shapes cannot show follows the families' published diffusers configs:
//   attention heads   UNets with 1x1-conv proj_in (SD1.x): 8 heads per block (LDM num_heads 8). Linear proj_in
//                     (SD2.x, SDXL): head size 64 (LDM num_head_channels 64), or block_out_channels[0] / 2 when
//                     that is smaller (models narrower than 128 channels: the oracle's tiny ones use 16).
//                     CLIP towers: head size 64 when hidden % 64 == 0, else 8 (tiny encoders).
//   hidden_act        quick_gelu for OpenAI-CLIP-layout towers, gelu for OpenCLIP towers.
//   SD2 text encoder  an OpenCLIP tower without projection gets num_hidden_layers = its layers - 1, as diffusers'
//                     SD2 configs (SD2 conditions on the penultimate layer); the last layer's tensors are unused
//                     (see trim_text_encoder_layers).
//   prediction type   v-prediction cannot be seen in the weights. As diffusers' infer_diffusers_model_type does,
//                     an SD2.x UNet (cross_attention_dim 1024) with 4 input channels is taken to be SD 2.x-768-v:
//                     v_prediction, upcast_attention, sample_size 96 (stable-diffusion-2-1); an SD2.x inpainting
//                     UNet (9 input channels) is epsilon (stable-diffusion-2-inpainting). SD1.x and SDXL are
//                     epsilon. SD 2.x 512-base checkpoints need the yaml (v2-inference.yaml) or a diffusers folder.
//   SDXL              addition_time_embed_dim = (projection_class_embeddings_input_dim - pooled dim) / 6, the
//                     pooled dim being text_encoder_2's projection_dim (256 assumed without a second encoder).
//   scheduler / VAE   the family's: SD1.5's PNDM, SD2.1's DDIM, SDXL's Euler (leading); VAE scaling_factor 0.13025
//                     for SDXL, else 0.18215.
// Throws easel::Error naming the missing tensor when the UNet is not an SD-family UNet.
SDConfigs infer_sd_configs(const io::TensorMap& ldm_tensors);

// Drops text_model.encoder.layers.N.* for N >= num_hidden_layers from a split text encoder's tensors (the unused
// final OpenCLIP layer of SD2 single files), so that loading by name reports no unexpected keys.
void trim_text_encoder_layers(io::TensorMap& text_encoder, const nlohmann::json& config);

}  // namespace easel::models
