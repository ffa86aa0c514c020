// The forward diffusion process for training (Ho et al. 2020, eq. 4): x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps,
// with every item's timestep, noise and extra uniform draws (condition dropout) taken from that item's own
// generator, so a batch split across processes or resumed mid-run draws the same numbers.
#pragma once
#include <torch/types.h>

#include <cstdint>

#include "sampling/schedule.h"

namespace easel::train {

struct NoisedItems {
  torch::Tensor x_t;      // like x0
  torch::Tensor t;        // [N] int64 timesteps in [0, T)
  torch::Tensor noise;    // like x0
  torch::Tensor uniform;  // [N, n_uniform] float32 in [0, 1): per-item draws for the task's own choices
  torch::Tensor abar;     // [N, 1, ...] alphas_cumprod at t, shaped to broadcast over x0
};

// x0 [N, ...] holds items first..first+N-1; alphas_cumprod [T].
NoisedItems noise_items(const torch::Tensor& x0, const torch::Tensor& alphas_cumprod, uint64_t seed,
                        uint64_t stream, uint64_t first, int64_t n_uniform);

// What a model of this prediction type is trained to output for n (made from x0): the noise (epsilon), x0
// itself (sample), or v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans & Ho 2022, sec. 4). v keeps the loss's
// weight on x0 at high noise, where an epsilon model's x0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar) multiplies
// every error by up to 1 / sqrt(abar) (~150 at t = 999 of the cosine schedule): the colours and layout an
// epsilon model picks in its first steps are guesses.
torch::Tensor training_target(const NoisedItems& n, const torch::Tensor& x0, sampling::Prediction prediction);

}  // namespace easel::train
