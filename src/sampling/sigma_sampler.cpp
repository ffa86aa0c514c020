#include "sampling/sigma_sampler.h"

#include <torch/torch.h>

#include <cmath>

#include "util/error.h"

namespace easel::sampling {

torch::Tensor float32_tensor(const std::vector<double>& values) {
  std::vector<float> f(values.begin(), values.end());
  return torch::tensor(f, torch::kFloat32);
}

torch::Tensor expand_pairs(const torch::Tensor& v) {
  return torch::cat({v.slice(0, 0, 1), v.slice(0, 1).repeat_interleave(2), v.slice(0, -1)});
}

SigmaSampler::SigmaSampler(const std::string& name, const NoiseConfig& config, const SamplerOptions& options,
                           TimestepSpacing default_spacing)
    : name_(name), config_(config), options_(options), spacing_(config.timestep_spacing.value_or(default_spacing)) {
  auto acp = make_alphas_cumprod(config);
  // Zero terminal SNR makes the last sigma infinite; diffusers (EulerDiscrete) uses 2^-24 instead.
  if (config.rescale_betas_zero_snr) acp[-1].fill_(std::ldexp(1.0, -24));
  train_sigmas_ = training_sigmas(acp);
  log_sigmas_ = train_sigmas_.log();
}

SigmaSampler::Schedule SigmaSampler::make_schedule(int steps, bool round_schedule_timesteps) const {
  Schedule s;
  s.timesteps = spaced_timesteps(config_, steps, spacing_);
  if (float32_spacing_)
    for (auto& t : s.timesteps) t = static_cast<float>(t);
  s.sigmas = interp_sigmas(s.timesteps, train_sigmas_);
  if (options_.schedule != SigmaSchedule::Discrete) {
    double lo = s.sigmas.back(), hi = s.sigmas.front();
    s.sigmas = options_.schedule == SigmaSchedule::Karras ? karras_sigmas(lo, hi, steps)
                                                          : exponential_sigmas(lo, hi, steps);
    for (int i = 0; i < steps; ++i) {
      double t = sigma_to_t(s.sigmas[i], log_sigmas_);
      s.timesteps[i] = round_schedule_timesteps ? std::nearbyint(t) : t;
    }
  }
  s.sigmas.push_back(0.0);
  for (auto& v : s.sigmas) v = static_cast<float>(v);
  return s;
}

torch::Tensor SigmaSampler::interleaved_timesteps(const Schedule& schedule, const torch::Tensor& midpoints) const {
  std::vector<double> ts{schedule.timesteps[0]};
  const torch::Tensor m = midpoints.to(torch::kFloat64);
  for (size_t k = 1; k < schedule.timesteps.size(); ++k) {
    ts.push_back(sigma_to_t(m[int64_t(k) - 1].item<double>(), log_sigmas_));
    ts.push_back(schedule.timesteps[k]);
  }
  return float32_tensor(ts);
}

void SigmaSampler::set_one_call_per_step_schedule(int steps) {
  auto s = make_schedule(steps, /*round_schedule_timesteps=*/false);
  timesteps_ = float32_tensor(s.timesteps);
  sigmas_ = float32_tensor(s.sigmas);
}

void SigmaSampler::reject_sample_prediction() const {
  check(config_.prediction_type != Prediction::Sample,
        "sampler '" + name_ + "': prediction_type 'sample' is not supported (as in diffusers)");
}

void SigmaSampler::check_index(int i) const {
  check(timesteps_.defined(), "sampler '" + name_ + "': set_timesteps must be called before the loop");
  check(i >= 0 && i < timesteps_.size(0), "sampler '" + name_ + "': step index " + std::to_string(i) +
                                              " outside [0, " + std::to_string(timesteps_.size(0)) + ")");
}

torch::Tensor SigmaSampler::sigma_at(int i) const {
  check(sigmas_.defined() && i >= 0 && i < sigmas_.size(0),
        "sampler '" + name_ + "': sigma index " + std::to_string(i) + " out of range");
  return sigmas_[i];
}

double SigmaSampler::init_noise_sigma() const {
  check(sigmas_.defined(), "sampler '" + name_ + "': set_timesteps must be called before init_noise_sigma");
  auto max_sigma = sigmas_.max();
  if (spacing_ == TimestepSpacing::Leading) return (max_sigma.pow(2) + 1).pow(0.5).item<double>();
  return max_sigma.item<double>();
}

torch::Tensor SigmaSampler::scale_model_input(const torch::Tensor& sample, int i) {
  check_index(i);
  return sample / (model_sigma(i).pow(2) + 1).pow(0.5);
}

torch::Tensor SigmaSampler::add_noise(const torch::Tensor& original, const torch::Tensor& noise, int i) const {
  check_index(i);
  return original + noise * sigma_at(i);
}

torch::Tensor SigmaSampler::predict_x0(const torch::Tensor& model_output, const torch::Tensor& sample,
                                       const torch::Tensor& sigma) const {
  switch (config_.prediction_type) {
    case Prediction::Epsilon:
      return sample - sigma * model_output;
    case Prediction::VPrediction:
      return model_output * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (sample / (sigma.pow(2) + 1));
    case Prediction::Sample:
      return model_output;
  }
  throw Error("sampler '" + name_ + "': unknown prediction type");
}

}  // namespace easel::sampling
