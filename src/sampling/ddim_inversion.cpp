#include "sampling/ddim_inversion.h"

#include <torch/torch.h>

#include "sampling/alpha_sampler.h"
#include "sampling/sampler.h"
#include "util/error.h"

namespace easel::sampling {

torch::Tensor ddim_invert(const NoiseConfig& config, int steps, const torch::Tensor& x0,
                          const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& model,
                          int refine, const std::function<void(int, int)>& on_step) {
  torch::NoGradGuard no_grad;
  check(steps >= 1, "ddim inversion: steps must be >= 1");
  check(refine >= 0, "ddim inversion: refine must be >= 0");
  // The sampler's own timesteps, so that its step i (t -> t - T / steps) is undone exactly at the same levels.
  auto ddim = make_sampler("ddim", config);
  ddim->set_timesteps(steps);
  const torch::Tensor ts = ddim->timesteps();
  const torch::Tensor acp = make_alphas_cumprod(config);
  const int64_t stride = config.num_train_timesteps / steps;
  auto clip = [&](const torch::Tensor& v) {
    return config.clip_sample ? v.clamp(-config.clip_sample_range, config.clip_sample_range) : v;
  };
  torch::Tensor x = x0;
  const int64_t n = ts.size(0);
  for (int64_t i = n - 1; i >= 0; --i) {
    const int64_t t = ts[i].item<int64_t>(), from = t - stride;
    const torch::Tensor a = alpha_at(config, acp, t), a_from = alpha_at(config, acp, from), prev = x;
    // The model sees x at the level it is at (timestep 0 for the clean image below the first level).
    const torch::Tensor level = torch::tensor(std::max<int64_t>(from, 0), torch::kInt64);
    auto [x0_hat, eps] = predict_x0_eps(config.prediction_type, model(prev, level), prev, a_from);
    x = a.sqrt() * clip(x0_hat) + (1 - a).sqrt() * eps;
    for (int k = 0; k < refine; ++k) {
      // Solve DDIM's step from (x, t), prev = sqrt(a_from) clip(x0) + sqrt(1 - a_from) eps (eq. 12), for x with
      // the model's prediction at x held: above half noise holding x0 (x = sqrt(a) x0 + sqrt(1 - a) eps, eps the
      // one that lands on prev), below it holding eps (x0 the one that lands on prev). Near a = 0 holding eps leaves
      // x where it is (x = eps there), near a_from = 1 holding x0 divides by zero.
      auto [x0_t, eps_t] = predict_x0_eps(config.prediction_type, model(x, ts[i]), x, a);
      if (a.item<double>() < 0.5)
        x = a.sqrt() * x0_t + (1 - a).sqrt() * (prev - a_from.sqrt() * clip(x0_t)) / (1 - a_from).sqrt();
      else
        x = a.sqrt() * clip((prev - (1 - a_from).sqrt() * eps_t) / a_from.sqrt()) + (1 - a).sqrt() * eps_t;
    }
    if (on_step) on_step(int(n - i), int(n));
  }
  return x;
}

}  // namespace easel::sampling
