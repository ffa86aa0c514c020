// DDIM (Song et al. 2021, eq. 12; eta scales the stochastic part, eq. 16), as diffusers DDIMScheduler.
#include <torch/torch.h>

#include "sampling/alpha_sampler.h"
#include "sampling/factories.h"

namespace easel::sampling {

namespace {

class DdimSampler : public AlphaSampler {
 public:
  DdimSampler(const NoiseConfig& config, const SamplerOptions& options) : AlphaSampler("ddim", config, options) {}

  void set_timesteps(int steps) override { set_spaced_timesteps(steps, TimestepSpacing::Leading); }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    const int64_t t = timestep_at(i);
    const int64_t prev_t = t - config_.num_train_timesteps / num_inference_steps_;
    auto acp = alpha_at(t), acp_prev = alpha_at(prev_t);
    auto [x0, eps] = predict_x0_eps(model_output, sample, acp);
    x0 = clip_x0(x0);
    // sigma_t of eq. 16: eta * sqrt((1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev))
    auto variance = ((1 - acp_prev) / (1 - acp)) * (1 - acp / acp_prev);
    auto std_dev = options_.eta * variance.pow(0.5);
    auto direction = (1 - acp_prev - std_dev.pow(2)).pow(0.5) * eps;
    auto prev = acp_prev.pow(0.5) * x0 + direction;
    if (options_.eta > 0) prev = prev + std_dev * torch::randn(model_output.sizes(), gen, model_output.options());
    return prev;
  }
};

}  // namespace

std::unique_ptr<Sampler> make_ddim(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<DdimSampler>(config, options);
}

}  // namespace easel::sampling
