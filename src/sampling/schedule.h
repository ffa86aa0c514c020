// Noise schedules shared by every sampler: the training betas/alphas (DDPM, Ho et al. 2020), the choice of
// inference timesteps (diffusers' timestep_spacing), and sigma schedules (Karras et al. 2022, eq. 5).
// Config keys and defaults mirror diffusers' scheduler_config.json so a model folder's file loads as is.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <torch/types.h>

#include <optional>
#include <string>

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
  bool clip_sample = false;
  double clip_sample_range = 1.0;
  bool rescale_betas_zero_snr = false;

  // Reads the keys above from a diffusers scheduler config; unknown keys are ignored, bad values throw.
  static NoiseConfig from_json(const nlohmann::json& j);
};

// Parses CLI / config names ("scaled_linear", "leading", "karras", "v_prediction"...); throws easel::Error.
BetaSchedule parse_beta_schedule(const std::string& s);
TimestepSpacing parse_timestep_spacing(const std::string& s);
SigmaSchedule parse_sigma_schedule(const std::string& s);
Prediction parse_prediction(const std::string& s);

}  // namespace easel::sampling
