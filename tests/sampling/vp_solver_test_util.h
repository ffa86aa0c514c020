// Shared by the DPM-Solver-family sampler tests: the diffusers scheduler test loop and its configs.
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>

#include "sampling/vp_solver.h"

namespace easel::test {

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// SD's training betas (scaled_linear 0.00085..0.012, 1000 steps) with the given parameterisation.
inline sampling::NoiseConfig scaled_linear_config(sampling::Prediction prediction) {
  sampling::NoiseConfig c;
  c.beta_start = 0.00085;
  c.beta_end = 0.012;
  c.beta_schedule = sampling::BetaSchedule::ScaledLinear;
  c.prediction_type = prediction;
  return c;
}

// diffusers' scheduler test loop (tests/schedulers, see ../shared/vendor-data/diffusers/README.md): starts from
// sample_deter = k/768 (k = 0..767, shape [4,3,8,8]) and uses the dummy model out = x * t / (t + 1).
inline torch::Tensor diffusers_test_loop(sampling::Sampler& sampler, int steps, uint64_t seed = 0) {
  sampler.set_timesteps(steps);
  at::Generator gen = at::detail::createCPUGenerator(seed);
  torch::Tensor x = torch::arange(768, torch::kFloat32).reshape({4, 3, 8, 8}) / 768.0;
  for (int i = 0; i < steps; ++i) {
    const double t = sampler.timesteps()[i].item<double>();
    x = sampler.step(x * (t / (t + 1)), i, x, gen);
  }
  return x;
}

}  // namespace easel::test
