// Activations and the norm call shared by the models. In inference (no autograd history) they work in place to save a full
// feature-map allocation per call; under autograd they fall back to the out-of-place form.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/modules/normalization.h>

namespace easel::models {

// x * sigmoid(x) (SiLU / swish), in place when x needs no gradient.
inline at::Tensor silu_act(at::Tensor x) { return x.requires_grad() ? at::silu(x) : at::silu_(x); }

// A GroupNorm or LayerNorm applied after bringing x to the norm's weight dtype: under bf16 autocast a
// convolution's or linear's output is bfloat16 while the norms' weights stay float32, and LibTorch 1.13's CPU
// group_norm / layer_norm need one dtype (autocast has no rule for them). Outside autocast the two already agree
// and this is a plain call.
template <typename Norm>
at::Tensor norm_in(Norm& norm, const at::Tensor& x) {
  return norm(x.to(norm->weight.scalar_type()));
}

}  // namespace easel::models
