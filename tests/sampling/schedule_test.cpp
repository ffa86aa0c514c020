// Noise schedules, timestep spacing, config parsing and the sampler registry.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "sampling/sampler.h"
#include "util/error.h"

namespace easel::sampling {
namespace {

NoiseConfig sd15() {
  // SD1.5's scheduler_config.json keys (no timestep_spacing).
  return NoiseConfig::from_json(nlohmann::json::parse(R"({"_class_name": "PNDMScheduler", "beta_start": 0.00085,
      "beta_end": 0.012, "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "set_alpha_to_one": false,
      "skip_prk_steps": true, "steps_offset": 1, "clip_sample": false, "trained_betas": null})"));
}

std::vector<double> to_vec(const torch::Tensor& t) {
  auto d = t.to(torch::kFloat64).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

TEST(Schedule, FromJsonReadsKeysAndKeepsSpacingAbsent) {
  auto c = sd15();
  EXPECT_EQ(c.beta_schedule, BetaSchedule::ScaledLinear);
  EXPECT_DOUBLE_EQ(c.beta_start, 0.00085);
  EXPECT_EQ(c.steps_offset, 1);
  EXPECT_FALSE(c.set_alpha_to_one);
  EXPECT_TRUE(c.skip_prk_steps);
  EXPECT_FALSE(c.timestep_spacing.has_value());
  auto t = NoiseConfig::from_json({{"timestep_spacing", "trailing"}, {"prediction_type", "v_prediction"}});
  EXPECT_EQ(t.timestep_spacing, TimestepSpacing::Trailing);
  EXPECT_EQ(t.prediction_type, Prediction::VPrediction);
}

TEST(Schedule, BadConfigValuesThrowNamingTheKey) {
  auto expect_error = [](const nlohmann::json& j, const std::string& needle) {
    try {
      NoiseConfig::from_json(j);
      ADD_FAILURE() << "no error for " << j.dump();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error({{"beta_schedule", "cosine"}}, "beta_schedule");
  expect_error({{"timestep_spacing", 3}}, "timestep_spacing");
  expect_error({{"prediction_type", "flow"}}, "prediction_type");
  expect_error({{"num_train_timesteps", 1}}, "num_train_timesteps");
  expect_error({{"trained_betas", {0.1, 0.2}}}, "trained_betas");
  EXPECT_THROW(parse_sigma_schedule("polyexponential"), Error);
  EXPECT_EQ(parse_sigma_schedule("karras"), SigmaSchedule::Karras);
}

TEST(Schedule, SpacingsMatchDiffusers) {
  auto c = sd15();
  // oracle README section 2: ddim [751,501,251,1], euler [999,666,333,0]
  EXPECT_EQ(to_vec(spaced_timesteps_int(c, 4, TimestepSpacing::Leading)), (std::vector<double>{751, 501, 251, 1}));
  EXPECT_EQ(spaced_timesteps(c, 4, TimestepSpacing::Linspace), (std::vector<double>{999, 666, 333, 0}));
  c.timestep_spacing = TimestepSpacing::Trailing;  // np.round(np.arange(1000, 0, -1000/3)) - 1
  EXPECT_EQ(spaced_timesteps(c, 3, TimestepSpacing::Leading), (std::vector<double>{999, 666, 332}));
  c.timestep_spacing = TimestepSpacing::Linspace;  // 999/6 * k; 166.5 and 499.5 round half to even
  EXPECT_EQ(to_vec(spaced_timesteps_int(c, 7, TimestepSpacing::Leading)),
            (std::vector<double>{999, 832, 666, 500, 333, 166, 0}));
  EXPECT_THROW(spaced_timesteps(c, 0, TimestepSpacing::Leading), Error);
  EXPECT_THROW(spaced_timesteps(c, 1001, TimestepSpacing::Leading), Error);
}

TEST(Schedule, SquaredCosineAndZeroSnr) {
  NoiseConfig c;
  c.beta_schedule = BetaSchedule::SquaredCosCapV2;
  auto betas = make_betas(c);
  EXPECT_EQ(betas.scalar_type(), torch::kFloat32);
  EXPECT_FLOAT_EQ(betas[-1].item<float>(), 0.999f);  // capped
  // first beta = 1 - abar(1/T)/abar(0), abar(t) = cos((t + 0.008) / 1.008 * pi / 2)^2
  auto abar = [](double t) { return std::pow(std::cos((t + 0.008) / 1.008 * M_PI / 2), 2); };
  EXPECT_FLOAT_EQ(betas[0].item<float>(), static_cast<float>(1 - abar(0.001) / abar(0)));

  auto plain = sd15();
  auto zsnr = plain;
  zsnr.rescale_betas_zero_snr = true;
  auto acp = make_alphas_cumprod(zsnr), acp0 = make_alphas_cumprod(plain);
  EXPECT_NEAR(acp[-1].item<double>(), 0.0, 1e-12);                        // zero terminal SNR
  EXPECT_NEAR(acp[0].item<double>(), acp0[0].item<double>(), 1e-6);     // first alpha kept
  // The zero-SNR schedule still samples: the last sigma is finite (2^-24 alpha) for sigma samplers.
  auto s = make_sampler("euler", zsnr);
  s->set_timesteps(4);
  EXPECT_TRUE(std::isfinite(s->init_noise_sigma()));
}

TEST(Schedule, KarrasAndSigmaToT) {
  auto k = karras_sigmas(0.1, 10, 3);
  EXPECT_DOUBLE_EQ(k[0], 10);
  EXPECT_NEAR(k[2], 0.1, 1e-12);
  double mid = std::pow((std::pow(10, 1 / 7.0) + std::pow(0.1, 1 / 7.0)) / 2, 7);
  EXPECT_NEAR(k[1], mid, 1e-12);
  auto e = exponential_sigmas(0.1, 10, 3);
  EXPECT_NEAR(e[1], 1.0, 1e-12);
  auto log_sigmas = training_sigmas(make_alphas_cumprod(sd15())).log();
  // A training sigma maps back to its own index; a log-midpoint to the half index.
  EXPECT_NEAR(sigma_to_t(std::exp(log_sigmas[500].item<double>()), log_sigmas), 500, 1e-4);
  double half = std::exp((log_sigmas[10].item<double>() + log_sigmas[11].item<double>()) / 2);
  EXPECT_NEAR(sigma_to_t(half, log_sigmas), 10.5, 1e-4);
  EXPECT_EQ(sigma_to_t(1e6, log_sigmas), 999);
  EXPECT_EQ(sigma_to_t(0.0, log_sigmas), 0);
}

TEST(Registry, NamesBuildAndUnknownListsKnown) {
  auto names = sampler_names();
  for (const char* n : {"ddim", "ddpm", "pndm", "lcm", "euler", "euler_a", "heun", "lms", "kdpm2", "kdpm2_a"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    auto s = make_sampler(n, sd15());
    s->set_timesteps(4);
    EXPECT_GE(s->timesteps().size(0), 4) << n;
  }
  try {
    make_sampler("eulr", sd15());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("eulr"), std::string::npos) << m;
    EXPECT_NE(m.find("euler_a"), std::string::npos) << m;
  }
}

TEST(Registry, SigmaScheduleOnlyForSigmaSamplers) {
  SamplerOptions karras;
  karras.schedule = SigmaSchedule::Karras;
  for (const char* n : {"ddim", "ddpm", "pndm", "lcm"}) EXPECT_THROW(make_sampler(n, sd15(), karras), Error) << n;
  for (const char* n : {"euler", "euler_a", "heun", "lms", "kdpm2", "kdpm2_a"}) {
    auto s = make_sampler(n, sd15(), karras);
    s->set_timesteps(5);
    EXPECT_NEAR(s->init_noise_sigma(), 14.6146, 1e-3) << n;  // linspace: sigma_max, Karras keeps the ends
  }
}

TEST(Registry, StepsOutOfRangeAndEarlyUseThrow) {
  auto s = make_sampler("euler", sd15());
  EXPECT_THROW(s->set_timesteps(0), Error);
  at::Generator gen = at::detail::createCPUGenerator(0);
  EXPECT_THROW(s->step(torch::zeros({1}), 0, torch::zeros({1}), gen), Error);
  s->set_timesteps(4);
  EXPECT_THROW(s->step(torch::zeros({1}), 4, torch::zeros({1}), gen), Error);
  auto h = make_sampler("heun", sd15());
  h->set_timesteps(4);
  EXPECT_THROW(h->step(torch::zeros({1}), 1, torch::zeros({1}), gen), Error);  // corrector before predictor
  auto lcm = make_sampler("lcm", sd15());
  EXPECT_THROW(lcm->set_timesteps(51), Error);
}

}  // namespace
}  // namespace easel::sampling
