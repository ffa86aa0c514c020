// DEIS (logrho, order 2). No oracle run records it, so the expected values below come from an independent
// float64 re-derivation: a short python3+torch script written from Zhang & Chen 2022's exponential integrator
// x_t / alpha_t = x_s / alpha_s + integral of eps d rho, the eps extrapolation being the Lagrange polynomial in
// log rho through the last two steps, integrated numerically (composite Simpson, 20000 intervals) rather than in
// closed form; float32 alphas_cumprod as diffusers, the diffusers test loop (start k/768, model x*t/(t+1)).
#include "sampling/vp_solver.h"
#include "test_util.h"
#include "vp_solver_test_util.h"

using namespace easel;
using namespace easel::sampling;

namespace {

// The dummy model keeps x proportional to the start, so one element and the sum say everything.
void expect_matches(const torch::Tensor& x, double sum_abs, double x100) {
  EXPECT_NEAR(x.abs().sum().item<double>(), sum_abs, 1e-5 * sum_abs);  // float32 run vs float64 reference
  EXPECT_NEAR(x.flatten()[100].item<double>(), x100, 1e-5 * std::abs(x100));
}

TEST(Deis, MatchesFloat64Reference) {
  auto s = make_deis(test::scaled_linear_config(Prediction::Epsilon), {});
  torch::Tensor x = test::diffusers_test_loop(*s, 10);
  expect_matches(x, 189.345847, 0.0642878912);
}

TEST(Deis, MatchesFloat64ReferenceKarrasV) {
  auto s = make_deis(test::scaled_linear_config(Prediction::VPrediction), {SigmaSchedule::Karras});
  torch::Tensor x = test::diffusers_test_loop(*s, 10);
  EXPECT_TRUE(
      torch::equal(s->timesteps(), torch::tensor({999, 916, 815, 687, 523, 327, 146, 41, 7, 0}, torch::kInt64)));
  expect_matches(x, 89.5516308, 0.0304051321);
}

TEST(Deis, MatchesFloat64ReferenceSecondOrderToTheEnd) {  // 20 steps: no first-order final step
  auto s = make_deis(test::scaled_linear_config(Prediction::Sample), {});
  torch::Tensor x = test::diffusers_test_loop(*s, 20);
  expect_matches(x, 689.225118, 0.23401004);
}

}  // namespace
