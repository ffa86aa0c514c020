// easel-mini's upsampler (Ramesh et al. 2022, sec. 2.1 and appendix C): a diffusion UNet (unet2d_condition.h,
// convolutions only, no attention, no text) that makes a 4x larger image given the small one, which it sees
// bicubic-upscaled and concatenated to its noisy input (6 input channels). Being fully convolutional it trains on
// random crops and runs on whole images. Names: unet.* (diffusers UNet2DConditionModel keys).
#pragma once
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

#include "models/unet2d_condition.h"

namespace easel::models {

struct MiniUpsamplerConfig {
  nlohmann::json unet;    // a diffusers UNet config: in_channels 6, out_channels 3, no cross-attention
  int64_t scale = 4;      // output size / input size

  nlohmann::json to_json() const;
  static MiniUpsamplerConfig from_json(const nlohmann::json& j, const std::string& source);
};

struct MiniUpsamplerImpl : torch::nn::Module {
  explicit MiniUpsamplerImpl(const MiniUpsamplerConfig& config);
  // x_t [B, 3, H, W] noisy high-resolution image, t [B] or scalar, low [B, 3, H/scale, W/scale] in [-1, 1]
  // -> predicted noise [B, 3, H, W].
  torch::Tensor forward(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& low);

  MiniUpsamplerConfig config;
  UNet2DConditionModel unet{nullptr};
};
TORCH_MODULE(MiniUpsampler);

// Bicubic upscaling of images [B, C, h, w] to [B, C, H, W] (align_corners false), the upsampler's view of its
// conditioning image.
torch::Tensor upscale_bicubic(const torch::Tensor& images, int64_t H, int64_t W);

}  // namespace easel::models
