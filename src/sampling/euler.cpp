// Euler (Karras et al. 2022 Algorithm 2 with s_churn = 0), as diffusers EulerDiscreteScheduler.
#include <torch/torch.h>

#include "sampling/factories.h"
#include "sampling/sigma_sampler.h"

namespace easel::sampling {

namespace {

class EulerSampler : public SigmaSampler {
 public:
  EulerSampler(const NoiseConfig& config, const SamplerOptions& options)
      : SigmaSampler("euler", config, options, TimestepSpacing::Linspace) {}

  void set_timesteps(int steps) override { set_one_call_per_step_schedule(steps); }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    check_index(i);
    auto sigma = sigma_at(i);
    // diffusers draws the churn noise every step even when s_churn = 0 leaves it unused; drawing it keeps
    // the generator in step with the reference.
    torch::randn(model_output.sizes(), gen, model_output.options());
    auto x0 = predict_x0(model_output, sample, sigma);
    auto derivative = (sample - x0) / sigma;
    auto dt = sigma_at(i + 1) - sigma;
    return sample + derivative * dt;
  }
};

}  // namespace

std::unique_ptr<Sampler> make_euler(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<EulerSampler>(config, options);
}

}  // namespace easel::sampling
