// Activations shared by the models. In inference (no autograd history) they work in place to save a full
// feature-map allocation per call; under autograd they fall back to the out-of-place form.
#pragma once
#include <ATen/ATen.h>

namespace easel::models {

// x * sigmoid(x) (SiLU / swish), in place when x needs no gradient.
inline at::Tensor silu_act(at::Tensor x) { return x.requires_grad() ? at::silu(x) : at::silu_(x); }

}  // namespace easel::models
