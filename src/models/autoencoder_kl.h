// diffusers models/autoencoders/autoencoder_kl.py `AutoencoderKL` (the SD / SDXL VAE, Rombach et al. 2022):
// encoder.*, quant_conv, post_quant_conv, decoder.* with the diffusers key names.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>

#include <string>
#include <vector>

#include "models/unet_blocks.h"

namespace easel::models {

struct AutoencoderKLConfig {
  int64_t in_channels = 3, out_channels = 3, latent_channels = 4;
  std::vector<int64_t> block_out_channels{128, 256, 512, 512};
  int64_t layers_per_block = 2;
  int64_t norm_num_groups = 32;
  bool mid_block_add_attention = true;
  bool use_quant_conv = true, use_post_quant_conv = true;
  double scaling_factor = 0.18215;  // latents = scaling_factor * (z - shift_factor) for the UNet
  double shift_factor = 0.0;
  bool force_upcast = true;         // SDXL's VAE overflows in fp16: decode it in float32
  int64_t sample_size = 512;

  static AutoencoderKLConfig from_json(const nlohmann::json& j, const std::string& source = "vae config");
  static AutoencoderKLConfig from_file(const std::string& path);
};

// The encoder's diagonal Gaussian posterior (diffusers DiagonalGaussianDistribution).
struct LatentDistribution {
  torch::Tensor moments;  // quant_conv(encoder(x)) = [mean, logvar] before clamping, [B, 2*latent, h, w]
  torch::Tensor mean, logvar, std;  // logvar clamped to [-30, 20]; std = exp(logvar / 2)
  // mean + std * noise, noise drawn with randn_like(mean, generator) as diffusers does.
  torch::Tensor sample(c10::optional<at::Generator> generator = c10::nullopt) const;
};

struct VAEEncoderImpl : torch::nn::Module {
  explicit VAEEncoderImpl(const AutoencoderKLConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // [B, 3, H, W] in [-1, 1] -> [B, 2*latent, H/f, W/f]
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  std::vector<DownBlock> down_blocks;
  MidBlock mid_block{nullptr};
  torch::nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VAEEncoder);

struct VAEDecoderImpl : torch::nn::Module {
  explicit VAEDecoderImpl(const AutoencoderKLConfig& config);
  torch::Tensor forward(const torch::Tensor& z);  // [B, latent, h, w] -> [B, 3, h*f, w*f]
  torch::nn::Conv2d conv_in{nullptr}, conv_out{nullptr};
  MidBlock mid_block{nullptr};
  std::vector<UpBlock> up_blocks;
  torch::nn::GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(VAEDecoder);

struct AutoencoderKLImpl : torch::nn::Module {
  explicit AutoencoderKLImpl(const AutoencoderKLConfig& config);
  // Image [B, 3, H, W] in [-1, 1] (H, W multiples of the downscale factor) -> posterior over unscaled latents.
  LatentDistribution encode(const torch::Tensor& image);
  // Unscaled latents [B, latent, h, w] -> image [B, 3, h*f, w*f], roughly in [-1, 1], not clamped.
  torch::Tensor decode(const torch::Tensor& latents);
  int64_t downscale_factor() const;  // 2^(levels-1): 8 for SD
  torch::ScalarType dtype() const;    // of the parameters; inputs are converted to it

  AutoencoderKLConfig config;
  VAEEncoder encoder{nullptr};
  VAEDecoder decoder{nullptr};
  torch::nn::Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};
};
TORCH_MODULE(AutoencoderKL);

}  // namespace easel::models
