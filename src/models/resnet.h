// diffusers models/resnet.py `ResnetBlock2D`: the residual block of both the UNet (with a time embedding) and the
// VAE (without). The time embedding is added to the features ("default"), or, with scale_shift (diffusers'
// resnet_time_scale_shift "scale_shift": the adaptive group norm of Dhariwal & Nichol 2021, sec. 3), projected to a
// scale and a shift of the second group norm's output. Parameter names: norm1, conv1, time_emb_proj, norm2, conv2,
// conv_shortcut (1x1, only when the channel count changes; `nin_shortcut` in the LDM layout).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace easel::models {

struct ResnetBlock2DImpl : torch::nn::Module {
  // temb_channels 0: no time embedding (VAE). groups/eps: the GroupNorms' (diffusers resnet_groups/resnet_eps).
  ResnetBlock2DImpl(int64_t in_channels, int64_t out_channels, int64_t temb_channels, int64_t groups, double eps,
                    bool scale_shift = false);
  // x [B, in, H, W]; temb_act = silu(time embedding) [B, temb_channels] (the caller applies SiLU once for all
  // blocks), undefined when temb_channels is 0. Returns [B, out, H, W].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb_act = {});

  torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
  torch::nn::Linear time_emb_proj{nullptr};  // [temb] -> [out], or [2 * out] (scale; shift) with scale_shift
  bool scale_shift = false;
};
TORCH_MODULE(ResnetBlock2D);

}  // namespace easel::models
