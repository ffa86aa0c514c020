// diffusers unets/unet_2d_condition.py `UNet2DConditionModel` for the Stable Diffusion families: SD1.x (conv
// proj_in/out), SD2.x (per-block heads, linear projection, upcast attention), SDXL (transformer depth per block,
// "text_time" added conditioning), inpainting (9 input channels). Parameter names are the diffusers keys.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <string>
#include <vector>

#include "models/timestep_embedding.h"
#include "models/unet_blocks.h"

namespace easel::models {

// The subset of a diffusers unet/config.json that these architectures use; per-block lists are expanded from
// scalars. from_json rejects settings this implementation does not support, naming the key.
struct UNetConfig {
  int64_t in_channels = 4, out_channels = 4;
  std::vector<int64_t> block_out_channels{320, 640, 1280, 1280};
  std::vector<std::string> down_block_types, up_block_types;  // "CrossAttnDownBlock2D" / "DownBlock2D", ...
  std::vector<int64_t> layers_per_block;           // per down block
  std::vector<int64_t> heads;                      // num_attention_heads, else attention_head_dim (diffusers naming)
  std::vector<int64_t> transformer_layers;         // per down block
  std::vector<int64_t> reverse_transformer_layers; // per up block (defaults to transformer_layers reversed)
  std::vector<int64_t> cross_attention_dim;        // per down block
  int64_t mid_transformer_layers = 1;
  int64_t norm_num_groups = 32;
  double norm_eps = 1e-5;
  bool flip_sin_to_cos = true;
  double freq_shift = 0;
  bool use_linear_projection = false;
  bool upcast_attention = false;
  int64_t downsample_padding = 1;
  int64_t conv_in_kernel = 3, conv_out_kernel = 3;
  int64_t time_embed_dim = 0;                      // time_embedding_dim, default 4 * block_out_channels[0]
  std::string addition_embed_type;                 // "" or "text_time" (SDXL)
  int64_t addition_time_embed_dim = 0;
  int64_t projection_class_embeddings_input_dim = 0;
  int64_t sample_size = 64;
  std::string class_embed_type;                    // "" or "identity" (unCLIP decoders: added.class_labels)
  std::string mid_block_type = "UNetMidBlock2DCrossAttn";  // or "UNetMidBlock2D" (one resnet, no attention)
  bool resnet_time_scale_shift = false;            // "scale_shift" (resnet.h) rather than "default"

  // source names the file in error messages.
  static UNetConfig from_json(const nlohmann::json& j, const std::string& source = "unet config");
  static UNetConfig from_file(const std::string& path);  // a config.json
};

// SDXL's added conditioning (addition_embed_type "text_time"): pooled text embeddings [B, P] and the six
// micro-conditioning numbers per sample [B, 6] (orig h, w, crop top, left, target h, w).
// class_labels: for class_embed_type "identity", an embedding [B, time_embed_dim] added to the time embedding.
struct UNetAddedCond {
  torch::Tensor text_embeds;
  torch::Tensor time_ids;
  torch::Tensor class_labels;
};

struct UNet2DConditionModelImpl : torch::nn::Module {
  explicit UNet2DConditionModelImpl(const UNetConfig& config);
  // sample [B, in_channels, H, W]; timestep: 0-d or [1] (broadcast) or [B], integer or fractional;
  // context [B, M, cross_attention_dim] (may be undefined when no block has cross-attention); added: required
  // for text_time and identity-class models. Returns [B, out_channels, H, W]
  // in the dtype of the parameters.
  torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timestep, const torch::Tensor& context,
                        const UNetAddedCond& added = {});

  UNetConfig config;
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  TimestepEmbedding time_embedding{nullptr}, add_embedding{nullptr};
  std::vector<DownBlock> down_blocks;
  MidBlock mid_block{nullptr};
  std::vector<UpBlock> up_blocks;
  torch::nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace easel::models
