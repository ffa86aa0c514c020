// Euler ancestral (k-diffusion sample_euler_ancestral, eta 1), as diffusers EulerAncestralDiscreteScheduler:
// an Euler step down to sigma_down, then fresh noise of std sigma_up.
#include <torch/torch.h>

#include "sampling/factories.h"
#include "sampling/sigma_sampler.h"
#include "util/error.h"

namespace easel::sampling {

namespace {

class EulerAncestralSampler : public SigmaSampler {
 public:
  EulerAncestralSampler(const NoiseConfig& config, const SamplerOptions& options)
      : SigmaSampler("euler_a", config, options, TimestepSpacing::Linspace) {
    reject_sample_prediction();
  }

  void set_timesteps(int steps) override { set_one_call_per_step_schedule(steps); }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    check_index(i);
    auto sigma_from = sigma_at(i), sigma_to = sigma_at(i + 1);
    auto x0 = predict_x0(model_output, sample, sigma_from);
    auto sigma_up = (sigma_to.pow(2) * (sigma_from.pow(2) - sigma_to.pow(2)) / sigma_from.pow(2)).pow(0.5);
    auto sigma_down = (sigma_to.pow(2) - sigma_up.pow(2)).pow(0.5);
    auto derivative = (sample - x0) / sigma_from;
    auto prev = sample + derivative * (sigma_down - sigma_from);
    auto noise = torch::randn(model_output.sizes(), gen, model_output.options());
    return prev + noise * sigma_up;
  }
};

}  // namespace

std::unique_ptr<Sampler> make_euler_ancestral(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<EulerAncestralSampler>(config, options);
}

}  // namespace easel::sampling
