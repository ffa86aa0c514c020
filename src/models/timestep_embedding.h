// Timestep conditioning of the UNet: the sinusoidal embedding (diffusers embeddings.py get_timestep_embedding, as
// in DDPM, Ho et al. 2020, after Vaswani et al. 2017 sec. 3.5) and `TimestepEmbedding` (linear_1, SiLU, linear_2).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace easel::models {

// t [N] (integer or fractional timesteps, any dtype) -> float32 [N, dim]: with half = dim/2 and
// f_i = exp(-ln(max_period) * i / (half - freq_shift)), [sin(t f), cos(t f)], or [cos, sin] when flip_sin_to_cos.
torch::Tensor timestep_embedding(const torch::Tensor& t, int64_t dim, bool flip_sin_to_cos, double freq_shift,
                                 double max_period = 10000.0);

struct TimestepEmbeddingImpl : torch::nn::Module {
  TimestepEmbeddingImpl(int64_t in_channels, int64_t time_embed_dim);
  torch::Tensor forward(const torch::Tensor& x);  // linear_2(silu(linear_1(x)))
  torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};
};
TORCH_MODULE(TimestepEmbedding);

}  // namespace easel::models
