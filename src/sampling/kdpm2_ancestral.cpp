// DPM-Solver-2 ancestral (k-diffusion sample_dpm_2_ancestral), as diffusers KDPM2AncestralDiscreteScheduler:
// like kdpm2 but the full step goes to sigma_down and adds fresh noise of std sigma_up (Euler a's split).
// A noise tensor is drawn at every call, used or not, as diffusers does.
#include <torch/torch.h>

#include "sampling/factories.h"
#include "sampling/sigma_sampler.h"
#include "util/error.h"

namespace easel::sampling {

namespace {

class Kdpm2AncestralSampler : public SigmaSampler {
 public:
  Kdpm2AncestralSampler(const NoiseConfig& config, const SamplerOptions& options)
      : SigmaSampler("kdpm2_a", config, options, TimestepSpacing::Linspace) {
    reject_sample_prediction();
  }

  void set_timesteps(int steps) override {
    auto s = make_schedule(steps, /*round_schedule_timesteps=*/true);
    auto sig = float32_tensor(s.sigmas);
    auto next = sig.roll(-1);
    next[-1].fill_(0.0);
    auto up = (next.pow(2) * (sig.pow(2) - next.pow(2)) / sig.pow(2)).pow(0.5);
    auto down = (next.pow(2) - up.pow(2)).pow(0.5);
    down[-1].fill_(0.0);
    auto mid = sig.log().lerp(down.log(), 0.5).exp();
    mid.slice(0, -2).fill_(0.0);
    sigmas_ = expand_pairs(sig);
    midpoints_ = expand_pairs(mid);
    sigmas_up_ = expand_pairs(up);
    sigmas_down_ = expand_pairs(down);
    timesteps_ = interleaved_timesteps(s, mid);  // [t0, t(mid_0), t1, t(mid_1), t2, ...]
    first_sample_ = torch::Tensor();
  }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    check_index(i);
    auto noise = torch::randn(model_output.sizes(), gen, model_output.options());
    if (i % 2 == 0) {
      auto sigma = sigma_at(i);
      auto derivative = (sample - predict_x0(model_output, sample, sigma)) / sigma;
      first_sample_ = sample;
      return sample + derivative * (midpoints_[i] - sigma);
    }
    check(first_sample_.defined(), "sampler 'kdpm2_a': second-order call " + std::to_string(i) +
                                       " without its first-order call " + std::to_string(i - 1));
    auto sigma = sigma_at(i - 1), mid = midpoints_[i - 1];
    auto derivative = (sample - predict_x0(model_output, sample, mid)) / mid;
    auto prev = first_sample_ + derivative * (sigmas_down_[i - 1] - sigma);
    first_sample_ = torch::Tensor();
    return prev + noise * sigmas_up_[i - 1];
  }

 protected:
  torch::Tensor model_sigma(int i) const override { return i % 2 == 0 ? sigma_at(i) : midpoints_[i - 1]; }

 private:
  torch::Tensor midpoints_, sigmas_up_, sigmas_down_;  // same layout as sigmas_
  torch::Tensor first_sample_;
};

}  // namespace

std::unique_ptr<Sampler> make_kdpm2_ancestral(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<Kdpm2AncestralSampler>(config, options);
}

}  // namespace easel::sampling
