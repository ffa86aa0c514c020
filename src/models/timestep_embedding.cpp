#include "models/timestep_embedding.h"

#include <cmath>

#include "models/activation.h"

namespace easel::models {

torch::Tensor timestep_embedding(const torch::Tensor& t, int64_t dim, bool flip_sin_to_cos, double freq_shift,
                                 double max_period) {
  const int64_t half = dim / 2;
  // Same operation order as diffusers so float32 results agree to the last bits.
  torch::Tensor exponent = -std::log(max_period) * torch::arange(0, half, torch::kFloat);
  exponent = exponent / (double(half) - freq_shift);
  torch::Tensor args = t.reshape({-1, 1}).to(torch::kFloat) * torch::exp(exponent).unsqueeze(0);
  torch::Tensor emb = flip_sin_to_cos ? torch::cat({torch::cos(args), torch::sin(args)}, -1)
                                      : torch::cat({torch::sin(args), torch::cos(args)}, -1);
  if (dim % 2 == 1) emb = torch::constant_pad_nd(emb, {0, 1});
  return emb;
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t in_channels, int64_t time_embed_dim) {
  linear_1 = register_module("linear_1", torch::nn::Linear(in_channels, time_embed_dim));
  linear_2 = register_module("linear_2", torch::nn::Linear(time_embed_dim, time_embed_dim));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& x) {
  return linear_2(silu_act(linear_1(x)));
}

}  // namespace easel::models
