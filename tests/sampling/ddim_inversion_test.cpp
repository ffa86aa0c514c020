// DDIM inversion against a model whose ODE is known: for data drawn from N(0, s^2 I) the exact noise prediction is
// eps(x, a) = sqrt(1 - a) x / (a s^2 + 1 - a) (the score of the noised Gaussian), so inverting an image and running
// DDIM (eta 0) over the same steps must give the image back, closer with more steps, and the inverted latent must
// look like the unit noise DDIM starts from. Both prediction types easel uses (epsilon; v on the cosine schedule
// with trailing spacing and clip_sample, as easel-mini's decoder).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include "sampling/ddim_inversion.h"
#include "sampling/sampler.h"
#include "train/mini_configs.h"
#include "util/error.h"

namespace easel::test {
namespace {

constexpr double kDataStd = 0.3;

// The exact Gaussian-data model in the config's prediction type.
auto gaussian_model(const sampling::NoiseConfig& config) {
  const torch::Tensor acp = sampling::make_alphas_cumprod(config).to(torch::kFloat64);
  return [acp, config](const torch::Tensor& x, const torch::Tensor& t) {
    const double a = acp[t.item<int64_t>()].item<double>();
    const torch::Tensor eps = std::sqrt(1 - a) * x / (a * kDataStd * kDataStd + 1 - a);
    if (config.prediction_type == sampling::Prediction::Epsilon) return eps;
    const torch::Tensor x0 = (x - std::sqrt(1 - a) * eps) / std::sqrt(a);
    return std::sqrt(a) * eps - std::sqrt(1 - a) * x0;  // v (Salimans & Ho 2022)
  };
}

torch::Tensor ddim_decode(const sampling::NoiseConfig& config, int steps, const torch::Tensor& x_T,
                          const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& model) {
  auto ddim = sampling::make_sampler("ddim", config);
  ddim->set_timesteps(steps);
  at::Generator gen = at::detail::createCPUGenerator(0);
  torch::Tensor x = x_T;
  for (int64_t i = 0; i < ddim->timesteps().size(0); ++i)
    x = ddim->step(model(x, ddim->timesteps()[i]), int(i), x, gen);
  return x;
}

// Max round-trip error (image -> x_T -> DDIM eta 0 -> image) for each step count.
std::vector<double> round_trip_errors(const sampling::NoiseConfig& config, int refine, const std::vector<int>& steps) {
  auto model = gaussian_model(config);
  const torch::Tensor x0 = (torch::randn({4, 3, 8, 8}, torch::kFloat64) * kDataStd).clamp(-0.9, 0.9);
  std::vector<double> errors;
  for (int n : steps) {
    int calls = 0;
    const torch::Tensor x_T = sampling::ddim_invert(config, n, x0, model, refine, [&](int done, int total) {
      EXPECT_EQ(done, ++calls);
      EXPECT_EQ(total, n);
    });
    EXPECT_EQ(calls, n);
    errors.push_back((ddim_decode(config, n, x_T, model) - x0).abs().max().item<double>());
    // The latent is at the scale of the unit noise a sample starts from (for Gaussian data the ODE only rescales:
    // x_T about x0 / s), not at the image's.
    if (refine > 0) {
      EXPECT_NEAR(x_T.std().item<double>(), x0.std().item<double>() / kDataStd, 0.15) << n << " steps";
    }
  }
  return errors;
}

// Plain inversion is first order (10, 50, 200 steps: max error 0.54, 0.14, 0.038 on the linear schedule); two
// fixed-point refinements a step make 50 steps exact to about 1e-3.
void expect_round_trip(const sampling::NoiseConfig& config) {
  const std::vector<double> plain = round_trip_errors(config, 0, {10, 50, 200});
  EXPECT_LT(plain[1], plain[0]);
  EXPECT_LT(plain[2], plain[1]);
  EXPECT_LT(plain[2], 0.05) << "200 plain steps did not decode the inverted latent back to the image";
  const std::vector<double> refined = round_trip_errors(config, 2, {50});
  EXPECT_LT(refined[0], 0.005) << "refined inversion is not exact";
  EXPECT_LT(refined[0], plain[2] / 10);
}

TEST(DdimInversion, EpsilonModelRoundTripsOnTheLinearSchedule) {
  torch::manual_seed(0);
  sampling::NoiseConfig config;  // linear betas 1e-4..0.02, leading spacing, final alpha 1
  expect_round_trip(config);
}

TEST(DdimInversion, VPredictionRoundTripsOnTheDecodersCosineSchedule) {
  torch::manual_seed(1);
  const auto config = sampling::NoiseConfig::from_json(train::decoder_scheduler());
  expect_round_trip(config);
}

// A model that decides the image's mean only at the top level (as a conditional decoder does at t = 999, where it
// cannot read x): DDIM's first step there takes x0 from the model, not from x. The refinement must solve that step
// with x0 held (holding eps there leaves x as it is, since x = eps at alpha ~ 0), or the mean is lost.
TEST(DdimInversion, RefinementInvertsATopLevelThatIgnoresX) {
  torch::manual_seed(2);
  const auto config = sampling::NoiseConfig::from_json(train::decoder_scheduler());
  const torch::Tensor acp = sampling::make_alphas_cumprod(config).to(torch::kFloat64);
  auto model = [&](const torch::Tensor& x, const torch::Tensor& t) {
    const double a = acp[t.item<int64_t>()].item<double>();
    const torch::Tensor eps_g = std::sqrt(1 - a) * x / (a * kDataStd * kDataStd + 1 - a);
    torch::Tensor x0 = (x - std::sqrt(1 - a) * eps_g) / std::sqrt(a);
    if (t.item<int64_t>() >= 990) x0 = torch::full_like(x, 0.5);  // the top level's own guess, whatever x holds
    const torch::Tensor eps = (x - std::sqrt(a) * x0) / std::sqrt(1 - a);
    return std::sqrt(a) * eps - std::sqrt(1 - a) * x0;
  };
  const torch::Tensor x0 = (torch::randn({2, 3, 8, 8}, torch::kFloat64) * kDataStd).clamp(-0.9, 0.9);
  auto round_trip = [&](int refine) {
    return (ddim_decode(config, 50, sampling::ddim_invert(config, 50, x0, model, refine), model) - x0)
        .abs()
        .max()
        .item<double>();
  };
  const double plain = round_trip(0), refined = round_trip(2);
  EXPECT_LT(refined, 1e-3) << "plain " << plain;  // holding eps at the top: 4.7e-3; held x0: 1.4e-4
  EXPECT_GT(plain, 10 * refined);
}

TEST(DdimInversion, RefusesNoStepsAndNegativeRefinement) {
  auto model = [](const torch::Tensor& x, const torch::Tensor&) { return x; };
  EXPECT_THROW(sampling::ddim_invert(sampling::NoiseConfig{}, 0, torch::zeros({1, 3, 4, 4}), model), Error);
  EXPECT_THROW(sampling::ddim_invert(sampling::NoiseConfig{}, 10, torch::zeros({1, 3, 4, 4}), model, -1), Error);
}

}  // namespace
}  // namespace easel::test
