// Source 2: element-wise scheduler references from com.doji.diffusers (../shared/vendor-data/com.doji.diffusers,
// README there gives each loop). Values are printed with 6 significant digits, and the inputs were printed
// the same way, so the tolerance is 2e-6 absolute + 2e-5 relative (a few units of the last printed digit).
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include "sampling/sampler.h"
#include "sampling_test_util.h"
#include "test_util.h"

namespace easel::sampling {
namespace {

using test::dummy_model;
using test::read_floats;

void expect_close(const torch::Tensor& got, const std::vector<double>& want, double atol, double rtol,
                  const std::string& what) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(want.size())) << what;
  auto g = got.to(torch::kFloat64).contiguous().reshape({-1});
  double worst = 0;
  int64_t bad = 0;
  for (size_t k = 0; k < want.size(); ++k) {
    double d = std::abs(g[k].item<double>() - want[k]);
    worst = std::max(worst, d);
    if (d > atol + rtol * std::abs(want[k])) ++bad;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " elements off, max |diff| " << worst;
}

torch::Tensor samples(const std::filesystem::path& dir) {
  auto v = read_floats(dir / "scheduler_test_random_samples.txt");
  return torch::tensor(std::vector<float>(v.begin(), v.end())).reshape({4, 3, 8, 8});
}

TEST(DojiElementwise, DdimVPredictionClipSample) {
  EASEL_SHARED_OR_SKIP(dir, "vendor-data/com.doji.diffusers");
  NoiseConfig c;
  c.clip_sample = true;
  c.set_alpha_to_one = false;
  c.steps_offset = 1;
  c.prediction_type = Prediction::VPrediction;
  c.timestep_spacing = TimestepSpacing::Leading;
  expect_close(make_betas(c), read_floats(dir / "ddim_test_betas.txt"), 1e-9, 2e-5, "betas");
  auto s = make_sampler("ddim", c);
  s->set_timesteps(10);
  EXPECT_EQ(s->timesteps()[0].item<int64_t>(), 901);
  EXPECT_EQ(s->timesteps()[9].item<int64_t>(), 1);
  auto gen = at::detail::createCPUGenerator(0);
  auto x = samples(dir);
  for (int i = 0; i < 10; ++i) x = s->step(dummy_model(x, s->timesteps()[i]), i, x, gen);
  expect_close(x, read_floats(dir / "ddim_test_expected_output.txt"), 2e-6, 2e-5, "DDIM output");
}

TEST(DojiElementwise, EulerScaledLinearLeading) {
  EASEL_SHARED_OR_SKIP(dir, "vendor-data/com.doji.diffusers");
  NoiseConfig c;
  c.beta_start = 0.00085;
  c.beta_end = 0.012;
  c.beta_schedule = BetaSchedule::ScaledLinear;
  c.steps_offset = 1;
  c.timestep_spacing = TimestepSpacing::Leading;
  expect_close(make_betas(c), read_floats(dir / "euler_discrete_test_betas.txt"), 1e-9, 2e-5, "betas");
  // Training sigmas, descending, then 0.
  auto train = training_sigmas(make_alphas_cumprod(c)).flip(0);
  expect_close(torch::cat({train, torch::zeros({1})}), read_floats(dir / "euler_discrete_test_sigmas.txt"), 1e-9,
               2e-5, "training sigmas");
  auto s = make_sampler("euler", c);
  s->set_timesteps(10);
  EXPECT_NEAR(s->init_noise_sigma(), 8.4500665, 1e-6);
  auto gen = at::detail::createCPUGenerator(0);
  auto x = samples(dir) * s->init_noise_sigma();
  for (int i = 0; i < 10; ++i) {
    auto out = dummy_model(s->scale_model_input(x, i), s->timesteps()[i]);
    x = s->step(out, i, x, gen);
  }
  expect_close(x, read_floats(dir / "euler_discrete_test_expected_output.txt"), 2e-6, 2e-5, "Euler output");
}

TEST(DojiElementwise, PndmPlmsLinear) {
  EASEL_SHARED_OR_SKIP(dir, "vendor-data/com.doji.diffusers");
  NoiseConfig c;
  c.steps_offset = 1;
  c.skip_prk_steps = true;
  c.set_alpha_to_one = false;  // PNDMScheduler's default
  auto s = make_sampler("pndm", c);
  s->set_timesteps(10);
  EXPECT_EQ(s->timesteps().size(0), 11);
  auto gen = at::detail::createCPUGenerator(0);
  auto x = samples(dir);
  for (int i = 0; i < 11; ++i) x = s->step(dummy_model(x, s->timesteps()[i]), i, x, gen);
  expect_close(x, read_floats(dir / "pndm_test_expected_output.txt"), 2e-6, 2e-5, "PNDM output");
}

}  // namespace
}  // namespace easel::sampling
