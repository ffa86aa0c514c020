// DDIM inversion: the deterministic DDIM process (Song et al. 2021, eq. 12 with eta = 0) run from a clean image up
// to the noise level of the first sampling step, giving the x_T from which DDIM with eta = 0 and the same steps
// decodes that image again. Each step first evaluates the model at the level it leaves (eq. 13's ODE read forwards,
// first order: off by about 1/steps), then `refine` times at the level it reaches, solving for the x whose DDIM step
// lands exactly where it came from (fixed-point iteration; Pan et al. 2023, "Effective Real Image Editing with
// Accelerated Iterative Diffusion Inversion"). unCLIP's variations decode the pair (z_i, x_T) with eta > 0 (Ramesh
// et al. 2022, sec. 3.1).
#pragma once
#include <torch/types.h>

#include <functional>

#include "sampling/schedule.h"

namespace easel::sampling {

// x_T for clean x0 under the DDIM sampler's own timesteps for `steps` (its spacing, its final alpha): for each step
// from the last to the first, x0 and eps predicted by the model at the current level (clamped as DDIM clamps), then
// x = sqrt(a_t) x0 + sqrt(1 - a_t) eps; then `refine` times: eps from model(x, t), x0 the image that this eps takes
// DDIM's step back to where it started, x as before. The model runs steps * (1 + refine) times. on_step reports
// (done, steps). Throws easel::Error for steps < 1 or refine < 0.
torch::Tensor ddim_invert(const NoiseConfig& config, int steps, const torch::Tensor& x0,
                          const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& model,
                          int refine = 0, const std::function<void(int, int)>& on_step = {});

}  // namespace easel::sampling
