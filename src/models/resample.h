// diffusers models/downsampling.py `Downsample2D` and models/upsampling.py `Upsample2D` (conv variants), each
// holding one 3x3 `conv`.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

namespace easel::models {

struct Downsample2DImpl : torch::nn::Module {
  // padding 1: conv stride 2 pad 1 (UNet). padding 0: zero-pad right/bottom by 1, then conv stride 2 (VAE).
  Downsample2DImpl(int64_t channels, int64_t padding);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, H, W] -> [B, C, ceil(H/2), ceil(W/2)]
  int64_t padding;
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Downsample2D);

struct Upsample2DImpl : torch::nn::Module {
  explicit Upsample2DImpl(int64_t channels);
  // Nearest-neighbour upsampling to `size` (H, W), or by 2 when size is empty, then the 3x3 conv.
  torch::Tensor forward(const torch::Tensor& x, c10::IntArrayRef size = {});
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

}  // namespace easel::models
