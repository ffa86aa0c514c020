// DDPM ancestral sampling (Ho et al. 2020, eq. 6-7) with the "fixed_small" posterior variance beta~_t, as
// diffusers DDPMScheduler. Variance noise is drawn at every step with t > 0.
#include <torch/torch.h>

#include "sampling/alpha_sampler.h"
#include "sampling/factories.h"

namespace easel::sampling {

namespace {

class DdpmSampler : public AlphaSampler {
 public:
  DdpmSampler(const NoiseConfig& config, const SamplerOptions& options) : AlphaSampler("ddpm", config, options) {}

  void set_timesteps(int steps) override { set_spaced_timesteps(steps, TimestepSpacing::Leading); }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    const int64_t t = timestep_at(i);
    const int64_t prev_t = t - config_.num_train_timesteps / num_inference_steps_;
    auto acp = alphas_cumprod_[t];
    auto acp_prev = prev_t >= 0 ? alphas_cumprod_[prev_t] : torch::ones({}, torch::kFloat32);
    auto beta = 1 - acp, beta_prev = 1 - acp_prev;
    auto alpha = acp / acp_prev;
    auto x0 = clip_x0(predict_x0_eps(model_output, sample, acp).first);
    // Posterior mean, eq. 7
    auto x0_coeff = (acp_prev.pow(0.5) * (1 - alpha)) / beta;
    auto sample_coeff = alpha.pow(0.5) * beta_prev / beta;
    auto prev = x0_coeff * x0 + sample_coeff * sample;
    if (t > 0) {
      auto noise = torch::randn(model_output.sizes(), gen, model_output.options());
      auto variance = (beta_prev / beta * (1 - alpha)).clamp_min(1e-20);
      prev = prev + variance.pow(0.5) * noise;
    }
    return prev;
  }
};

}  // namespace

std::unique_ptr<Sampler> make_ddpm(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<DdpmSampler>(config, options);
}

}  // namespace easel::sampling
