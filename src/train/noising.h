// The forward diffusion process for training (Ho et al. 2020, eq. 4): x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps,
// with every item's timestep, noise and extra uniform draws (condition dropout) taken from that item's own
// generator, so a batch split across processes or resumed mid-run draws the same numbers.
#pragma once
#include <torch/types.h>

#include <cstdint>

namespace easel::train {

struct NoisedItems {
  torch::Tensor x_t;      // like x0
  torch::Tensor t;        // [N] int64 timesteps in [0, T)
  torch::Tensor noise;    // like x0
  torch::Tensor uniform;  // [N, n_uniform] float32 in [0, 1): per-item draws for the task's own choices
};

// x0 [N, ...] holds items first..first+N-1; alphas_cumprod [T].
NoisedItems noise_items(const torch::Tensor& x0, const torch::Tensor& alphas_cumprod, uint64_t seed,
                        uint64_t stream, uint64_t first, int64_t n_uniform);

}  // namespace easel::train
