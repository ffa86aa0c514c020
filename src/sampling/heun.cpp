// Heun's 2nd-order method (Karras et al. 2022 Algorithm 1 with gamma = 0), as diffusers
// HeunDiscreteScheduler: model calls alternate Euler predictor (even i) and trapezoidal corrector (odd i);
// the last step is a plain Euler step to sigma 0, so N steps take 2N - 1 calls.
#include <torch/torch.h>

#include "sampling/factories.h"
#include "sampling/sigma_sampler.h"
#include "util/error.h"

namespace easel::sampling {

namespace {

class HeunSampler : public SigmaSampler {
 public:
  HeunSampler(const NoiseConfig& config, const SamplerOptions& options)
      : SigmaSampler("heun", config, options, TimestepSpacing::Linspace) {}

  void set_timesteps(int steps) override {
    auto s = make_schedule(steps, /*round_schedule_timesteps=*/false);
    auto sig = float32_tensor(s.sigmas);
    // [s0, s1, s1, ..., s_{N-1}, s_{N-1}, 0] and [t0, t1, t1, ..., t_{N-1}, t_{N-1}]
    sigmas_ = torch::cat({sig.slice(0, 0, 1), sig.slice(0, 1, -1).repeat_interleave(2), sig.slice(0, -1)});
    auto ts = float32_tensor(s.timesteps);
    timesteps_ = torch::cat({ts.slice(0, 0, 1), ts.slice(0, 1).repeat_interleave(2)});
    first_sample_ = torch::Tensor();
  }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    check_index(i);
    if (i % 2 == 0) {
      auto sigma = sigma_at(i), sigma_next = sigma_at(i + 1);
      auto derivative = (sample - clipped_x0(model_output, sample, sigma)) / sigma;
      first_derivative_ = derivative;
      dt_ = sigma_next - sigma;
      first_sample_ = sample;
      return sample + derivative * dt_;
    }
    check(first_sample_.defined(), "sampler 'heun': corrector step " + std::to_string(i) +
                                       " without its predictor step " + std::to_string(i - 1));
    auto sigma_next = sigma_at(i);
    auto derivative = (sample - clipped_x0(model_output, sample, sigma_next)) / sigma_next;
    auto prev = first_sample_ + (first_derivative_ + derivative) / 2 * dt_;
    first_sample_ = torch::Tensor();
    return prev;
  }

 private:
  torch::Tensor clipped_x0(const torch::Tensor& model_output, const torch::Tensor& sample,
                           const torch::Tensor& sigma) const {
    auto x0 = predict_x0(model_output, sample, sigma);
    return config_.clip_sample ? x0.clamp(-config_.clip_sample_range, config_.clip_sample_range) : x0;
  }

  torch::Tensor first_sample_, first_derivative_, dt_;
};

}  // namespace

std::unique_ptr<Sampler> make_heun(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<HeunSampler>(config, options);
}

}  // namespace easel::sampling
