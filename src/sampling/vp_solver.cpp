// The sigma table of the DPM-Solver family, following diffusers 0.30.3's set_timesteps of
// DPMSolverMultistepScheduler (and its UniPC / DEIS / singlestep copies): N timesteps from N + 1 evenly spaced
// ones with the last (t = 0) dropped, their training sigmas (or Karras / exponential sigmas mapped back to
// rounded timesteps), then the final level appended; float32 values as diffusers stores them.
#include "sampling/vp_solver.h"

#include <torch/torch.h>

#include <cmath>

#include "util/error.h"

namespace easel::sampling {

VpSolver::VpSolver(const NoiseConfig& config, const SamplerOptions& options, const SolverOptions& solver,
                   FinalSigma default_final, bool always_linspace)
    : config_(config),
      lower_order_final_(solver.lower_order_final),
      schedule_(options.schedule),
      final_sigma_(solver.final_sigma.value_or(default_final)),
      always_linspace_(always_linspace) {}

void VpSolver::set_timesteps(int n) {
  const int T = config_.num_train_timesteps;
  check(n >= 1 && n < T,
        "sampler: number of steps must be in [1, " + std::to_string(T - 1) + "], got " + std::to_string(n));
  NoiseConfig cfg = config_;
  if (always_linspace_ || !cfg.timestep_spacing) cfg.timestep_spacing = TimestepSpacing::Linspace;
  std::vector<double> ts;
  if (*cfg.timestep_spacing == TimestepSpacing::Trailing) {
    ts = spaced_timesteps(cfg, n, TimestepSpacing::Trailing);
  } else {  // linspace(0, T-1, n+1) / arange(n+1) * (T // (n+1)), reversed, without the trailing 0
    ts = spaced_timesteps(cfg, n + 1, TimestepSpacing::Linspace);
    ts.pop_back();
  }
  for (auto& t : ts) t = std::nearbyint(t);  // np.round: half to even

  const torch::Tensor train = training_sigmas(make_alphas_cumprod(config_));  // float32, ascending in t
  const double sigma_min = train[0].item<double>(), sigma_max = train[T - 1].item<double>();
  std::vector<double> sig;
  if (schedule_ == SigmaSchedule::Discrete) {
    sig = interp_sigmas(ts, train);
  } else {
    sig = schedule_ == SigmaSchedule::Karras ? karras_sigmas(sigma_min, sigma_max, n)
                                             : exponential_sigmas(sigma_min, sigma_max, n);
    const torch::Tensor log_sigmas = train.log();
    for (int i = 0; i < n; ++i) ts[i] = std::nearbyint(sigma_to_t(sig[i], log_sigmas));
  }
  sig.push_back(final_sigma_ == FinalSigma::Zero ? 0.0 : sigma_min);

  sigmas_.resize(sig.size());
  for (size_t i = 0; i < sig.size(); ++i) sigmas_[i] = static_cast<float>(sig[i]);
  std::vector<int64_t> ti(ts.begin(), ts.end());
  timesteps_ = torch::tensor(ti, torch::kInt64);
  prev_ = torch::Tensor();
  prev_index_ = -2;
}

void VpSolver::remember(const torch::Tensor& output, int i) {
  prev_ = output;
  prev_index_ = i;
}

void VpSolver::check_step(int i) const {
  check(!sigmas_.empty(), "sampler: set_timesteps must be called before step");
  check(i >= 0 && i < num_steps(),
        "sampler: step index " + std::to_string(i) + " is outside [0, " + std::to_string(num_steps()) + ")");
}

double VpSolver::alpha_t(int i) const { return 1.0 / std::sqrt(sigmas_[i] * sigmas_[i] + 1.0); }
double VpSolver::sigma_t(int i) const { return sigmas_[i] * alpha_t(i); }
double VpSolver::lambda(int i) const { return -std::log(sigmas_[i]); }

torch::Tensor VpSolver::add_noise(const torch::Tensor& original, const torch::Tensor& noise, int i) const {
  check(!sigmas_.empty() && i >= 0 && i <= num_steps(),
        "sampler: add_noise at step index " + std::to_string(i) + " needs set_timesteps with more steps");
  return alpha_t(i) * original + sigma_t(i) * noise;
}

torch::Tensor VpSolver::to_x0(const torch::Tensor& model_output, const torch::Tensor& sample, int i) const {
  switch (config_.prediction_type) {
    case Prediction::Epsilon:
      return (sample - sigma_t(i) * model_output) / alpha_t(i);
    case Prediction::VPrediction:
      return alpha_t(i) * sample - sigma_t(i) * model_output;
    case Prediction::Sample:
      break;
  }
  return model_output;
}

torch::Tensor VpSolver::to_eps(const torch::Tensor& model_output, const torch::Tensor& sample, int i) const {
  switch (config_.prediction_type) {
    case Prediction::Epsilon:
      break;
    case Prediction::VPrediction:
      return alpha_t(i) * model_output + sigma_t(i) * sample;
    case Prediction::Sample:
      return (sample - alpha_t(i) * model_output) / sigma_t(i);
  }
  return model_output;
}

torch::Tensor VpSolver::dpmpp_first_order(const torch::Tensor& x0, const torch::Tensor& sample, int from,
                                          int to) const {
  const double h = lambda(to) - lambda(from);  // +inf when `to` is sigma 0: the update returns x0
  return (sigma_t(to) / sigma_t(from)) * sample - (alpha_t(to) * std::expm1(-h)) * x0;
}

torch::Tensor VpSolver::multistep_x0(const torch::Tensor& m0, const torch::Tensor& m1, int i) const {
  const double r = (lambda(i) - lambda(i - 1)) / (lambda(i + 1) - lambda(i));
  return m0 + (0.5 / r) * (m0 - m1);
}

bool VpSolver::final_first_order(int i) const {
  return i == num_steps() - 1 && (final_sigma_ == FinalSigma::Zero || (lower_order_final_ && num_steps() < 15));
}

}  // namespace easel::sampling
