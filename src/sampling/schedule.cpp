// Training noise schedules and inference timestep/sigma choices, following diffusers 0.30.3
// (schedulers/scheduling_ddim.py, scheduling_euler_discrete.py) operation for operation where float32
// rounding reaches the results, so alphas_cumprod and the sigmas match the reference bit for bit.
#include "sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

#include "util/error.h"

namespace easel::sampling {

namespace {

template <typename E>
E parse_name(const std::string& what, const std::string& s, std::initializer_list<std::pair<const char*, E>> names) {
  std::string known;
  for (const auto& [name, value] : names) {
    if (s == name) return value;
    known += known.empty() ? name : std::string(", ") + name;
  }
  throw Error("unknown " + what + " '" + s + "' (known: " + known + ")");
}

// np.linspace(start, stop, n) in float64: start + i * step, last element exactly stop.
std::vector<double> linspace(double start, double stop, int n) {
  std::vector<double> v(n);
  if (n == 1) {
    v[0] = start;
    return v;
  }
  double step = (stop - start) / (n - 1);
  for (int i = 0; i < n; ++i) v[i] = start + i * step;
  v[n - 1] = stop;
  return v;
}

}  // namespace

BetaSchedule parse_beta_schedule(const std::string& s) {
  return parse_name<BetaSchedule>("beta_schedule", s,
                                  {{"linear", BetaSchedule::Linear},
                                   {"scaled_linear", BetaSchedule::ScaledLinear},
                                   {"squaredcos_cap_v2", BetaSchedule::SquaredCosCapV2}});
}

TimestepSpacing parse_timestep_spacing(const std::string& s) {
  return parse_name<TimestepSpacing>("timestep_spacing", s,
                                     {{"leading", TimestepSpacing::Leading},
                                      {"trailing", TimestepSpacing::Trailing},
                                      {"linspace", TimestepSpacing::Linspace}});
}

SigmaSchedule parse_sigma_schedule(const std::string& s) {
  return parse_name<SigmaSchedule>("sigma schedule", s,
                                   {{"discrete", SigmaSchedule::Discrete},
                                    {"karras", SigmaSchedule::Karras},
                                    {"exponential", SigmaSchedule::Exponential}});
}

Prediction parse_prediction(const std::string& s) {
  return parse_name<Prediction>("prediction_type", s,
                                {{"epsilon", Prediction::Epsilon},
                                 {"v_prediction", Prediction::VPrediction},
                                 {"sample", Prediction::Sample}});
}

NoiseConfig NoiseConfig::from_json(const nlohmann::json& j) {
  NoiseConfig c;
  auto get = [&](const char* key, auto& field) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    try {
      it->get_to(field);
    } catch (const nlohmann::json::exception&) {
      throw Error(std::string("scheduler config: key '") + key + "' has the wrong type: " + it->dump());
    }
  };
  auto get_enum = [&](const char* key, auto parse, auto& field) {
    std::string s;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    get(key, s);
    field = parse(s);
  };
  get("num_train_timesteps", c.num_train_timesteps);
  get("beta_start", c.beta_start);
  get("beta_end", c.beta_end);
  get_enum("beta_schedule", parse_beta_schedule, c.beta_schedule);
  get_enum("prediction_type", parse_prediction, c.prediction_type);
  if (j.contains("timestep_spacing") && !j["timestep_spacing"].is_null()) {
    TimestepSpacing sp = TimestepSpacing::Leading;
    get_enum("timestep_spacing", parse_timestep_spacing, sp);
    c.timestep_spacing = sp;
  }
  get("steps_offset", c.steps_offset);
  get("set_alpha_to_one", c.set_alpha_to_one);
  get("skip_prk_steps", c.skip_prk_steps);
  get("clip_sample", c.clip_sample);
  get("clip_sample_range", c.clip_sample_range);
  get("rescale_betas_zero_snr", c.rescale_betas_zero_snr);
  get("original_inference_steps", c.original_inference_steps);
  get("timestep_scaling", c.timestep_scaling);
  if (j.contains("trained_betas") && !j["trained_betas"].is_null())
    throw Error("scheduler config: trained_betas is not supported");
  check(c.num_train_timesteps >= 2, "scheduler config: num_train_timesteps must be >= 2, got " +
                                        std::to_string(c.num_train_timesteps));
  check(c.beta_start > 0 && c.beta_end > 0 && c.beta_end < 1,
        "scheduler config: beta_start/beta_end must lie in (0, 1)");
  check(c.steps_offset >= 0, "scheduler config: steps_offset must be >= 0");
  return c;
}

torch::Tensor rescale_zero_terminal_snr(const torch::Tensor& betas) {
  auto alphas_bar_sqrt = torch::cumprod(1.0 - betas, 0).sqrt();
  auto first = alphas_bar_sqrt[0].clone();
  auto last = alphas_bar_sqrt[-1].clone();
  alphas_bar_sqrt -= last;
  alphas_bar_sqrt *= first / (first - last);
  auto alphas_bar = alphas_bar_sqrt.pow(2);
  auto alphas = torch::cat({alphas_bar.slice(0, 0, 1), alphas_bar.slice(0, 1) / alphas_bar.slice(0, 0, -1)});
  return 1 - alphas;
}

torch::Tensor make_betas(const NoiseConfig& config) {
  const int T = config.num_train_timesteps;
  torch::Tensor betas;
  switch (config.beta_schedule) {
    case BetaSchedule::Linear:
      betas = torch::linspace(config.beta_start, config.beta_end, T, torch::kFloat32);
      break;
    case BetaSchedule::ScaledLinear:
      betas = torch::linspace(std::sqrt(config.beta_start), std::sqrt(config.beta_end), T, torch::kFloat32).pow(2);
      break;
    case BetaSchedule::SquaredCosCapV2: {
      // Nichol & Dhariwal 2021 eq. 17, s = 0.008 (diffusers betas_for_alpha_bar, "cosine").
      auto alpha_bar = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
      std::vector<float> b(T);
      for (int i = 0; i < T; ++i) {
        double t1 = static_cast<double>(i) / T, t2 = static_cast<double>(i + 1) / T;
        b[i] = static_cast<float>(std::min(1 - alpha_bar(t2) / alpha_bar(t1), 0.999));
      }
      betas = torch::tensor(b, torch::kFloat32);
      break;
    }
  }
  if (config.rescale_betas_zero_snr) betas = rescale_zero_terminal_snr(betas);
  return betas;
}

torch::Tensor make_alphas_cumprod(const NoiseConfig& config) {
  return torch::cumprod(1.0 - make_betas(config), 0);
}

std::vector<double> spaced_timesteps(const NoiseConfig& config, int steps, TimestepSpacing fallback) {
  const int T = config.num_train_timesteps;
  check(steps >= 1 && steps <= T, "sampler: number of steps must be in [1, " + std::to_string(T) + "], got " +
                                      std::to_string(steps));
  std::vector<double> ts(steps);
  switch (config.timestep_spacing.value_or(fallback)) {
    case TimestepSpacing::Linspace: {
      // np.linspace(0, T - 1, steps)[::-1]
      auto v = linspace(0, T - 1, steps);
      for (int i = 0; i < steps; ++i) ts[i] = v[steps - 1 - i];
      break;
    }
    case TimestepSpacing::Leading: {
      // (np.arange(steps) * (T // steps)).round()[::-1] + steps_offset
      int ratio = T / steps;
      for (int i = 0; i < steps; ++i) ts[i] = static_cast<double>(steps - 1 - i) * ratio + config.steps_offset;
      break;
    }
    case TimestepSpacing::Trailing: {
      // np.round(np.arange(T, 0, -T / steps)) - 1
      double ratio = static_cast<double>(T) / steps;
      for (int i = 0; i < steps; ++i) ts[i] = std::nearbyint(T - i * ratio) - 1;
      break;
    }
  }
  return ts;
}

torch::Tensor spaced_timesteps_int(const NoiseConfig& config, int steps, TimestepSpacing fallback) {
  auto ts = spaced_timesteps(config, steps, fallback);
  std::vector<int64_t> out(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out[i] = static_cast<int64_t>(std::nearbyint(ts[i]));  // half to even
  return torch::tensor(out, torch::kInt64);
}

torch::Tensor training_sigmas(const torch::Tensor& alphas_cumprod) {
  return ((1 - alphas_cumprod) / alphas_cumprod).pow(0.5);
}

std::vector<double> karras_sigmas(double sigma_min, double sigma_max, int n, double rho) {
  auto ramp = linspace(0, 1, n);
  double min_inv_rho = std::pow(sigma_min, 1 / rho), max_inv_rho = std::pow(sigma_max, 1 / rho);
  std::vector<double> s(n);
  for (int i = 0; i < n; ++i) s[i] = std::pow(max_inv_rho + ramp[i] * (min_inv_rho - max_inv_rho), rho);
  return s;
}

std::vector<double> exponential_sigmas(double sigma_min, double sigma_max, int n) {
  auto logs = linspace(std::log(sigma_max), std::log(sigma_min), n);
  for (auto& v : logs) v = std::exp(v);
  return logs;
}

double sigma_to_t(double sigma, const torch::Tensor& log_sigmas) {
  auto ls = log_sigmas.to(torch::kFloat32).contiguous();
  const float* l = ls.data_ptr<float>();
  const int64_t n = ls.numel();
  double log_sigma = std::log(std::max(sigma, 1e-10));
  // Last index whose log sigma is <= log_sigma (0 when none is), at most n - 2.
  int64_t low = 0;
  for (int64_t k = 0; k < n; ++k)
    if (log_sigma - static_cast<double>(l[k]) >= 0) low = k;
  low = std::min<int64_t>(low, n - 2);
  double lo = l[low], hi = l[low + 1];
  double w = std::clamp((lo - log_sigma) / (lo - hi), 0.0, 1.0);
  return (1 - w) * low + w * (low + 1);
}

std::vector<double> interp_sigmas(const std::vector<double>& t, const torch::Tensor& sigmas) {
  auto s = sigmas.to(torch::kFloat64).contiguous();
  const double* f = s.data_ptr<double>();
  const int64_t n = s.numel();
  std::vector<double> out(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    double x = t[i];
    if (x <= 0) {
      out[i] = f[0];
    } else if (x >= n - 1) {
      out[i] = f[n - 1];
    } else {
      auto j = static_cast<int64_t>(std::floor(x));
      double slope = f[j + 1] - f[j];  // xp spacing is 1
      out[i] = x == j ? f[j] : slope * (x - j) + f[j];
    }
  }
  return out;
}

}  // namespace easel::sampling
