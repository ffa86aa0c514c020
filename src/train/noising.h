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

// How training timesteps are drawn: uniformly over [0, T), or t = floor(T * sigmoid(n)) with n ~ N(0, 1) (the
// logit-normal of Esser et al. 2024, sec. 3.1), which draws the middle of the schedule, where signal and noise are
// about equal and shapes are decided, more often than its nearly clean and nearly pure-noise ends (68% of draws in
// [269, 731) for T = 1000).
enum class TimestepDraw { Uniform, LogitNormal };

// x0 [N, ...] holds items first..first+N-1; alphas_cumprod [T].
NoisedItems noise_items(const torch::Tensor& x0, const torch::Tensor& alphas_cumprod, uint64_t seed,
                        uint64_t stream, uint64_t first, int64_t n_uniform,
                        TimestepDraw draw = TimestepDraw::Uniform);

// What a model of this prediction type is trained to output for n (made from x0): the noise (epsilon), x0
// itself (sample), or v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans & Ho 2022, sec. 4). v keeps the loss's
// weight on x0 at high noise, where an epsilon model's x0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar) multiplies
// every error by up to 1 / sqrt(abar) (~150 at t = 999 of the cosine schedule): the colours and layout an
// epsilon model picks in its first steps are guesses.
torch::Tensor training_target(const NoisedItems& n, const torch::Tensor& x0, sampling::Prediction prediction);

// The clean item a model output of this prediction type implies for n: the inverse of training_target (for
// epsilon, (x_t - sqrt(1 - abar) eps) / sqrt(abar); for v, sqrt(abar) x_t - sqrt(1 - abar) v).
torch::Tensor predicted_x0(const NoisedItems& n, const torch::Tensor& output, sampling::Prediction prediction);

// Per-item loss weights [N] that cap the weight the target puts on x0 at `gamma` ("Min-SNR" weighting, Hang et al.
// 2023, sec. 3.4). A target's squared error is k * |x0 error|^2 with k = SNR for epsilon, SNR + 1 for v and 1 for
// the sample (SNR = abar / (1 - abar)); the weight is min(k, gamma) / k. For v: min(1, gamma (1 - abar)), so the
// nearly clean timesteps (SNR > gamma - 1), easy and many, stop dominating the gradient while the noisy ones that
// fix colours and layout keep v's full weight.
torch::Tensor capped_snr_weights(const NoisedItems& n, sampling::Prediction prediction, double gamma);

// Mean over items of weights[i] * the mean squared error of item i.
torch::Tensor weighted_mse(const torch::Tensor& output, const torch::Tensor& target, const torch::Tensor& weights);

}  // namespace easel::train
