#include "sampling/alpha_sampler.h"

#include <torch/torch.h>

#include "util/error.h"

namespace easel::sampling {

AlphaSampler::AlphaSampler(const std::string& name, const NoiseConfig& config, const SamplerOptions& options)
    : config_(config), options_(options), alphas_cumprod_(make_alphas_cumprod(config)) {
  check(options.schedule == SigmaSchedule::Discrete,
        "sampler '" + name + "' has no sigma schedule; karras/exponential apply to euler, euler_a, heun, lms, kdpm2, "
        "kdpm2_a and the dpm-solver samplers");
}

torch::Tensor alpha_at(const NoiseConfig& config, const torch::Tensor& acp, int64_t t) {
  if (t >= 0) return acp[t];
  return config.set_alpha_to_one ? torch::ones({}, torch::kFloat32) : acp[0];
}

int64_t AlphaSampler::timestep_at(int i) const {
  check(timesteps_.defined(), "sampler: set_timesteps must be called before the loop");
  check(i >= 0 && i < timesteps_.size(0),
        "sampler: step index " + std::to_string(i) + " outside [0, " + std::to_string(timesteps_.size(0)) + ")");
  return timesteps_[i].item<int64_t>();
}

void AlphaSampler::set_spaced_timesteps(int steps, TimestepSpacing fallback) {
  timesteps_ = spaced_timesteps_int(config_, steps, fallback);
  num_inference_steps_ = steps;
}

std::pair<torch::Tensor, torch::Tensor> predict_x0_eps(Prediction prediction, const torch::Tensor& model_output,
                                                       const torch::Tensor& sample, const torch::Tensor& acp) {
  auto beta = 1 - acp;
  switch (prediction) {
    case Prediction::Epsilon:
      return {(sample - beta.pow(0.5) * model_output) / acp.pow(0.5), model_output};
    case Prediction::Sample:
      return {model_output, (sample - acp.pow(0.5) * model_output) / beta.pow(0.5)};
    case Prediction::VPrediction:
      return {acp.pow(0.5) * sample - beta.pow(0.5) * model_output, acp.pow(0.5) * model_output + beta.pow(0.5) * sample};
  }
  throw Error("sampler: unknown prediction type");
}

std::pair<torch::Tensor, torch::Tensor> AlphaSampler::predict_x0_eps(const torch::Tensor& model_output,
                                                                     const torch::Tensor& sample,
                                                                     const torch::Tensor& acp) const {
  return sampling::predict_x0_eps(config_.prediction_type, model_output, sample, acp);
}

torch::Tensor AlphaSampler::clip_x0(const torch::Tensor& x0) const {
  return config_.clip_sample ? x0.clamp(-config_.clip_sample_range, config_.clip_sample_range) : x0;
}

torch::Tensor AlphaSampler::add_noise(const torch::Tensor& original, const torch::Tensor& noise, int i) const {
  auto acp = alphas_cumprod_[timestep_at(i)];
  return acp.pow(0.5) * original + (1 - acp).pow(0.5) * noise;
}

}  // namespace easel::sampling
