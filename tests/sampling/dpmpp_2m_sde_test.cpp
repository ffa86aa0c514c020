// SDE-DPM-Solver++(2M). No oracle run records it, so the expected values below come from an independent
// float64 re-derivation: a short python3+torch script written from Lu et al. 2022b's SDE-DPM-Solver++(2M)
// update (x_t = sigma_t/sigma_s e^{-h} x + alpha_t (1 - e^{-2h}) D + sigma_t sqrt(1 - e^{-2h}) z, D the 2M
// combination of the last two x0), float32 alphas_cumprod as diffusers, the diffusers test loop (start k/768,
// model x*t/(t+1)) and z = torch.randn(shape, generator=torch.Generator().manual_seed(seed)) once per step.
#include "sampling/vp_solver.h"
#include "test_util.h"
#include "vp_solver_test_util.h"

using namespace easel;
using namespace easel::sampling;

namespace {

void expect_matches(const torch::Tensor& x, double sum_abs, const std::vector<double>& picks) {
  // float32 run vs float64 reference: 1e-5 relative on the sum, 2e-6 absolute per element.
  EXPECT_NEAR(x.abs().sum().item<double>(), sum_abs, 1e-5 * sum_abs);
  const torch::Tensor f = x.flatten();
  const int idx[] = {1, 100, 500, 767};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(f[idx[k]].item<double>(), picks[k], 2e-6) << idx[k];
}

TEST(SdeDpmSolverPP2M, MatchesFloat64Reference) {
  auto s = make_dpmpp_2m_sde(test::scaled_linear_config(Prediction::Epsilon), {});
  torch::Tensor x = test::diffusers_test_loop(*s, 6, /*seed=*/0);
  EXPECT_TRUE(torch::equal(s->timesteps(), torch::tensor({999, 832, 666, 500, 333, 166}, torch::kInt64)));
  expect_matches(x, 263.933377, {0.222730187, -0.370565414, 0.346226726, -0.0583041987});
}

TEST(SdeDpmSolverPP2M, MatchesFloat64ReferenceKarrasV) {
  auto s = make_dpmpp_2m_sde(test::scaled_linear_config(Prediction::VPrediction), {SigmaSchedule::Karras});
  torch::Tensor x = test::diffusers_test_loop(*s, 6, /*seed=*/1);
  EXPECT_TRUE(torch::equal(s->timesteps(), torch::tensor({999, 837, 594, 249, 30, 0}, torch::kInt64)));
  expect_matches(x, 242.35131, {-0.0343590097, 0.491836524, 0.358827749, 0.0571421015});
}

TEST(SdeDpmSolverPP2M, SeedDeterminesNoise) {
  auto s = make_dpmpp_2m_sde(test::scaled_linear_config(Prediction::Epsilon), {});
  torch::Tensor a = test::diffusers_test_loop(*s, 5, 7);
  torch::Tensor b = test::diffusers_test_loop(*s, 5, 7);
  torch::Tensor c = test::diffusers_test_loop(*s, 5, 8);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_GT(test::max_abs_diff(a, c), 1e-2);
}

}  // namespace
