// Noise schedules shared by every sampler: the training betas/alphas (DDPM, Ho et al. 2020), the choice of
// inference timesteps (diffusers' timestep_spacing), and sigma schedules (Karras et al. 2022, eq. 5).
// Config keys and defaults mirror diffusers' scheduler_config.json so a model folder's file loads as is.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace easel::sampling {

enum class BetaSchedule { Linear, ScaledLinear, SquaredCosCapV2 };
enum class TimestepSpacing { Leading, Trailing, Linspace };
enum class SigmaSchedule { Discrete, Karras, Exponential };
enum class Prediction { Epsilon, VPrediction, Sample };

// The training-time noise process, as in a diffusers scheduler_config.json.
struct NoiseConfig {
  int num_train_timesteps = 1000;
  double beta_start = 0.0001;
  double beta_end = 0.02;
  BetaSchedule beta_schedule = BetaSchedule::Linear;
  Prediction prediction_type = Prediction::Epsilon;
  // Absent in many configs (SD1.5's): each sampler then uses its own diffusers default.
  std::optional<TimestepSpacing> timestep_spacing;
  int steps_offset = 0;
  bool set_alpha_to_one = true;  // DDIM/PNDM final alpha
  bool skip_prk_steps = false;   // PNDM: true (as SD ships) = PLMS only, false = 3 Runge-Kutta steps first
  bool clip_sample = false;
  double clip_sample_range = 1.0;
  bool rescale_betas_zero_snr = false;
  int original_inference_steps = 50;  // LCM: the distillation schedule's step count
  double timestep_scaling = 10.0;     // LCM: boundary-condition time scale

  // Reads the keys above from a diffusers scheduler config; unknown keys are ignored, bad values throw.
  static NoiseConfig from_json(const nlohmann::json& j);
};

// Parses CLI / config names ("scaled_linear", "leading", "karras", "v_prediction"...); throws easel::Error.
BetaSchedule parse_beta_schedule(const std::string& s);
TimestepSpacing parse_timestep_spacing(const std::string& s);
SigmaSchedule parse_sigma_schedule(const std::string& s);
Prediction parse_prediction(const std::string& s);

// Training betas [num_train_timesteps], float32, computed as diffusers does (linspace in float32; the
// squaredcos_cap_v2 "alpha bar" betas of Nichol & Dhariwal 2021 eq. 17 in double, capped at 0.999),
// rescaled to zero terminal SNR (Lin et al. 2023, Algorithm 1) when the config asks.
torch::Tensor make_betas(const NoiseConfig& config);
// cumprod(1 - betas) in float32, bit-identical to diffusers' scheduler.alphas_cumprod.
torch::Tensor make_alphas_cumprod(const NoiseConfig& config);
// Lin et al. 2023 Algorithm 1 (diffusers rescale_zero_terminal_snr): shifts/scales sqrt(alphas_cumprod) so the
// last timestep has zero SNR. Takes and returns float32 betas.
torch::Tensor rescale_zero_terminal_snr(const torch::Tensor& betas);

// The inference timesteps in descending order, before any rounding to integers: leading/trailing give
// integral values (+ steps_offset for leading), linspace gives np.linspace(0, T-1, steps) (fractional).
// `fallback` is the sampler's diffusers default, used when the config has no timestep_spacing.
// Throws easel::Error when steps < 1 or steps > num_train_timesteps.
std::vector<double> spaced_timesteps(const NoiseConfig& config, int steps, TimestepSpacing fallback);
// The same rounded half-to-even to int64, as the DDIM-family samplers feed them (np.round).
torch::Tensor spaced_timesteps_int(const NoiseConfig& config, int steps, TimestepSpacing fallback);

// Training sigmas sqrt((1 - acp) / acp) [T], float32, ascending with t (Karras et al. 2022, Table 1 "VP").
torch::Tensor training_sigmas(const torch::Tensor& alphas_cumprod);
// Karras et al. 2022 eq. 5 with rho 7: n sigmas from sigma_max down to sigma_min (float64, as diffusers).
std::vector<double> karras_sigmas(double sigma_min, double sigma_max, int n, double rho = 7.0);
// n sigmas log-uniformly from sigma_max down to sigma_min (diffusers _convert_to_exponential).
std::vector<double> exponential_sigmas(double sigma_min, double sigma_max, int n);
// The fractional training timestep whose sigma is `sigma`, by linear interpolation in log sigma between the
// two neighbouring training sigmas (diffusers _sigma_to_t). `log_sigmas` = log(training_sigmas), float32.
double sigma_to_t(double sigma, const torch::Tensor& log_sigmas);
// np.interp of the training sigmas at fractional timesteps t (linear in t), float64.
std::vector<double> interp_sigmas(const std::vector<double>& t, const torch::Tensor& sigmas);

}  // namespace easel::sampling
