// PNDM (Liu et al. 2022, "Pseudo Numerical Methods for Diffusion Models"), as diffusers PNDMScheduler:
// optional pseudo Runge-Kutta warm-up (4 model calls per step, eq. 13) and then pseudo linear multistep
// (PLMS, eq. 12 with the Adams-Bashforth weights). With skip_prk_steps (SD's config) the warm-up is replaced
// by one extra call that averages two estimates, so N steps take N + 1 calls.
#include <torch/torch.h>

#include <vector>

#include "sampling/alpha_sampler.h"
#include "sampling/factories.h"
#include "util/error.h"

namespace easel::sampling {

namespace {

class PndmSampler : public AlphaSampler {
 public:
  PndmSampler(const NoiseConfig& config, const SamplerOptions& options) : AlphaSampler("pndm", config, options) {
    check(config.prediction_type != Prediction::Sample,
          "sampler 'pndm': prediction_type 'sample' is not supported (as in diffusers)");
  }

  void set_timesteps(int steps) override {
    auto desc = spaced_timesteps_int(config_, steps, TimestepSpacing::Leading);
    num_inference_steps_ = steps;
    auto asc = desc.flip(0);  // diffusers' _timesteps
    if (config_.skip_prk_steps) {
      // [..., t_{N-2}, t_{N-2}, t_{N-1}] reversed: the second call repeats the first step's target.
      prk_calls_ = 0;
      timesteps_ = torch::cat({asc.slice(0, 0, -1), asc.slice(0, -2, -1), asc.slice(0, -1)}).flip(0);
    } else {
      check(steps >= 4, "sampler 'pndm': Runge-Kutta warm-up needs at least 4 steps (or skip_prk_steps)");
      // Each of the last 4 timesteps and its half-step point, every point used twice (eq. 13's 4 stages).
      auto last = asc.slice(0, -4).repeat_interleave(2);
      auto half = torch::tensor({int64_t{0}, int64_t{config_.num_train_timesteps / steps / 2}}).repeat(4);
      auto prk = (last + half).slice(0, 0, -1).repeat_interleave(2).slice(0, 1, -1).flip(0);
      prk_timesteps_ = prk;
      prk_calls_ = prk.size(0);
      timesteps_ = torch::cat({prk, asc.slice(0, 0, -3).flip(0)});
    }
    ets_.clear();
    calls_ = 0;
    cur_sample_ = torch::Tensor();
    cur_model_output_ = torch::Tensor();
  }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    // Like diffusers, the method's state follows the number of calls since set_timesteps, not i, so img2img
    // (which starts at a later i) warms up the same way.
    const int64_t t = timestep_at(i);
    const int call = calls_++;
    return call < prk_calls_ ? step_prk(model_output, call, t, sample) : step_plms(model_output, call, t, sample);
  }

 private:
  torch::Tensor step_prk(const torch::Tensor& model_output, int i, int64_t t, const torch::Tensor& sample) {
    const int64_t diff_to_prev = i % 2 ? 0 : config_.num_train_timesteps / num_inference_steps_ / 2;
    const int64_t prev_t = t - diff_to_prev;
    const int64_t from_t = prk_timesteps_[i / 4 * 4].item<int64_t>();
    auto eps = model_output;
    auto accumulate = [&](const torch::Tensor& term) {
      cur_model_output_ = cur_model_output_.defined() ? cur_model_output_ + term : term;
    };
    switch (i % 4) {
      case 0:
        accumulate(1.0 / 6 * model_output);
        ets_.push_back(model_output);
        cur_sample_ = sample;
        break;
      case 1:
      case 2:
        accumulate(1.0 / 3 * model_output);
        break;
      case 3:
        eps = cur_model_output_ + 1.0 / 6 * model_output;
        cur_model_output_ = torch::Tensor();
        break;
    }
    return prev_sample(cur_sample_.defined() ? cur_sample_ : sample, from_t, prev_t, eps);
  }

  torch::Tensor step_plms(const torch::Tensor& model_output, int i, int64_t t, const torch::Tensor& sample) {
    const int64_t stride = config_.num_train_timesteps / num_inference_steps_;
    int64_t from_t = t, prev_t = t - stride;
    if (i != 1) {
      if (ets_.size() > 3) ets_.erase(ets_.begin(), ets_.end() - 3);
      ets_.push_back(model_output);
    } else {
      prev_t = t;
      from_t = t + stride;
    }
    auto x = sample;
    torch::Tensor eps;
    const size_t n = ets_.size();
    if (n == 1 && i == 0) {
      eps = model_output;
      cur_sample_ = sample;
    } else if (n == 1 && i == 1) {

      eps = (model_output + ets_.back()) / 2;
      x = cur_sample_;
      cur_sample_ = torch::Tensor();
    } else if (n == 2) {
      eps = (3 * ets_[1] - ets_[0]) / 2;
    } else if (n == 3) {
      eps = (23 * ets_[2] - 16 * ets_[1] + 5 * ets_[0]) / 12;
    } else {
      eps = (1.0 / 24) * (55 * ets_[3] - 59 * ets_[2] + 37 * ets_[1] - 9 * ets_[0]);
    }
    return prev_sample(x, from_t, prev_t, eps);
  }

  // Eq. 11's transfer x_t -> x_{t-delta} given the noise estimate (diffusers _get_prev_sample).
  torch::Tensor prev_sample(const torch::Tensor& sample, int64_t t, int64_t prev_t, torch::Tensor eps) const {
    auto acp = alpha_at(t), acp_prev = alpha_at(prev_t);
    auto beta = 1 - acp, beta_prev = 1 - acp_prev;
    if (config_.prediction_type == Prediction::VPrediction) eps = acp.pow(0.5) * eps + beta.pow(0.5) * sample;
    auto sample_coeff = (acp_prev / acp).pow(0.5);
    auto denom = acp * beta_prev.pow(0.5) + (acp * beta * acp_prev).pow(0.5);
    return sample_coeff * sample - (acp_prev - acp) * eps / denom;
  }

  int prk_calls_ = 0;
  int calls_ = 0;
  torch::Tensor prk_timesteps_;
  std::vector<torch::Tensor> ets_;  // past noise estimates, oldest first (at most 4)
  torch::Tensor cur_sample_, cur_model_output_;
};

}  // namespace

std::unique_ptr<Sampler> make_pndm(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<PndmSampler>(config, options);
}

}  // namespace easel::sampling
