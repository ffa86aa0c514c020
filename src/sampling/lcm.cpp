// Latent consistency model sampling (Luo et al. 2023, Algorithm 1 "multistep LCM sampling"), as diffusers
// LCMScheduler: predict x0, apply the consistency boundary condition (c_skip, c_out of Song et al. 2023
// eq. 6 with sigma_data 0.5), then re-noise to the next timestep with fresh noise (not after the last).
#include <torch/torch.h>

#include <cmath>

#include "sampling/alpha_sampler.h"
#include "sampling/factories.h"
#include "util/error.h"

namespace easel::sampling {

namespace {

class LcmSampler : public AlphaSampler {
 public:
  LcmSampler(const NoiseConfig& config, const SamplerOptions& options) : AlphaSampler("lcm", config, options) {}

  // Timesteps are picked from the distillation schedule (k*1..k*S) - 1, k = T / S, S =
  // original_inference_steps, at evenly spaced (floored) positions from the top; timestep_spacing is unused.
  void set_timesteps(int steps) override {
    const int T = config_.num_train_timesteps, S = config_.original_inference_steps;
    check(S >= 1 && S <= T, "sampler 'lcm': original_inference_steps must be in [1, num_train_timesteps]");
    check(steps >= 1 && steps <= S, "sampler 'lcm': number of steps must be in [1, original_inference_steps = " +
                                        std::to_string(S) + "], got " + std::to_string(steps));
    const int k = T / S;
    std::vector<int64_t> ts(steps);
    const double stride = static_cast<double>(S) / steps;  // np.linspace(0, S, steps, endpoint=False)
    for (int i = 0; i < steps; ++i) ts[i] = (S - static_cast<int64_t>(std::floor(i * stride))) * k - 1;
    timesteps_ = torch::tensor(ts, torch::kInt64);
    num_inference_steps_ = steps;
  }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    const int64_t t = timestep_at(i);
    const bool last = i + 1 == timesteps_.size(0);
    const int64_t prev_t = last ? t : timestep_at(i + 1);
    auto acp = alpha_at(t), acp_prev = alpha_at(prev_t);
    auto x0 = clip_x0(predict_x0_eps(model_output, sample, acp).first);
    // Boundary condition, computed in float32 like diffusers.
    auto scaled_t = torch::tensor(t, torch::kInt64) * config_.timestep_scaling;
    const double sigma_data2 = 0.25;
    auto c_skip = sigma_data2 / (scaled_t.pow(2) + sigma_data2);
    auto c_out = scaled_t / (scaled_t.pow(2) + sigma_data2).pow(0.5);
    auto denoised = c_out * x0 + c_skip * sample;
    if (last) return denoised;
    auto noise = torch::randn(model_output.sizes(), gen, model_output.options());
    return acp_prev.pow(0.5) * denoised + (1 - acp_prev).pow(0.5) * noise;
  }
};

}  // namespace

std::unique_ptr<Sampler> make_lcm(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<LcmSampler>(config, options);
}

}  // namespace easel::sampling
