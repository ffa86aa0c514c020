#include "models/resnet.h"

#include "models/activation.h"

namespace easel::models {

namespace nn = torch::nn;

ResnetBlock2DImpl::ResnetBlock2DImpl(int64_t in, int64_t out, int64_t temb_channels, int64_t groups, double eps,
                                     bool scale_shift_)
    : scale_shift(scale_shift_) {
  norm1 = register_module("norm1", nn::GroupNorm(nn::GroupNormOptions(groups, in).eps(eps)));
  conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)));
  if (temb_channels > 0)
    time_emb_proj = register_module("time_emb_proj", nn::Linear(temb_channels, scale_shift ? 2 * out : out));
  norm2 = register_module("norm2", nn::GroupNorm(nn::GroupNormOptions(groups, out).eps(eps)));
  conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1)));
  if (in != out) conv_shortcut = register_module("conv_shortcut", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
}

// diffusers ResnetBlock2D.forward: h = conv1(silu(norm1(x))) + proj(temb); h = conv2(silu(norm2(h))); x' + h.
// scale_shift: h = conv1(silu(norm1(x))); (scale, shift) = proj(temb); h = conv2(silu(norm2(h) * (1 + scale) + shift)).
torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb_act) {
  torch::Tensor h = conv1(silu_act(norm_in(norm1, x)));
  if (time_emb_proj && scale_shift) {
    std::vector<torch::Tensor> ss = time_emb_proj(temb_act).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
    h = conv2(silu_act(torch::addcmul(ss[1], norm_in(norm2, h), ss[0] + 1)));
  } else {
    if (time_emb_proj) {
      torch::Tensor t = time_emb_proj(temb_act).unsqueeze(-1).unsqueeze(-1);
      h = h.requires_grad() ? h + t : h.add_(t);
    }
    h = conv2(silu_act(norm_in(norm2, h)));
  }
  torch::Tensor shortcut = conv_shortcut ? conv_shortcut(x) : x;
  return h.requires_grad() ? h + shortcut : h.add_(shortcut);
}

}  // namespace easel::models
