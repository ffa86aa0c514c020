// DPM-Solver-2 in k-diffusion's form (sample_dpm_2), as diffusers KDPM2DiscreteScheduler: each step takes a
// half step to the log-midpoint sigma sqrt(sigma_i * sigma_{i+1}) (even calls), then redoes the full step with
// the midpoint's derivative (odd calls); the last step is Euler to 0. N steps take 2N - 1 calls.
#include <torch/torch.h>

#include "sampling/factories.h"
#include "sampling/sigma_sampler.h"
#include "util/error.h"

namespace easel::sampling {

namespace {

class Kdpm2Sampler : public SigmaSampler {
 public:
  Kdpm2Sampler(const NoiseConfig& config, const SamplerOptions& options)
      : SigmaSampler("kdpm2", config, options, TimestepSpacing::Linspace) {
    reject_sample_prediction();
  }

  void set_timesteps(int steps) override {
    auto s = make_schedule(steps, /*round_schedule_timesteps=*/true);
    auto sig = float32_tensor(s.sigmas);
    // Log-midpoints between each sigma and the previous one (entry 0 is unused).
    auto mid = sig.log().lerp(sig.roll(1).log(), 0.5).exp();
    sigmas_ = expand_pairs(sig);
    midpoints_ = expand_pairs(mid);
    timesteps_ = interleaved_timesteps(s, mid.slice(0, 1));  // [t0, t(mid_1), t1, t(mid_2), t2, ...]
    first_sample_ = torch::Tensor();
  }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    check_index(i);
    if (i % 2 == 0) {
      auto sigma = sigma_at(i);
      auto derivative = (sample - predict_x0(model_output, sample, sigma)) / sigma;
      first_sample_ = sample;
      return sample + derivative * (midpoints_[i + 1] - sigma);
    }
    check(first_sample_.defined(), "sampler 'kdpm2': second-order call " + std::to_string(i) +
                                       " without its first-order call " + std::to_string(i - 1));
    auto sigma = sigma_at(i - 1), mid = midpoints_[i], sigma_next = sigma_at(i);
    auto derivative = (sample - predict_x0(model_output, sample, mid)) / mid;
    auto prev = first_sample_ + derivative * (sigma_next - sigma);
    first_sample_ = torch::Tensor();
    return prev;
  }

 protected:
  torch::Tensor model_sigma(int i) const override { return i % 2 == 0 ? sigma_at(i) : midpoints_[i]; }

 private:
  torch::Tensor midpoints_;  // same layout as sigmas_
  torch::Tensor first_sample_;
};

}  // namespace

std::unique_ptr<Sampler> make_kdpm2(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<Kdpm2Sampler>(config, options);
}

}  // namespace easel::sampling
