#include "models/resample.h"

#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/upsampling.h>

namespace easel::models {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

Downsample2DImpl::Downsample2DImpl(int64_t channels, int64_t pad) : padding(pad) {
  conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(channels, channels, 3).stride(2).padding(pad)));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x) {
  if (padding == 0) return conv(F::pad(x, F::PadFuncOptions({0, 1, 0, 1})));
  return conv(x);
}

Upsample2DImpl::Upsample2DImpl(int64_t channels) {
  conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(channels, channels, 3).padding(1)));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x, c10::IntArrayRef size) {
  std::vector<int64_t> out_size = size.empty() ? std::vector<int64_t>{x.size(2) * 2, x.size(3) * 2} : size.vec();
  return conv(F::interpolate(x, F::InterpolateFuncOptions().size(out_size).mode(torch::kNearest)));
}

}  // namespace easel::models
