// DPM-Solver++(2M): diffusers' own test expectations (the oracle replays are in vp_solver_oracle_test.cpp),
// the registry entries of the family, and bad calls.
#include "sampling/vp_solver.h"
#include "test_util.h"
#include "util/error.h"
#include "vp_solver_test_util.h"

using namespace easel;
using namespace easel::sampling;

namespace {

// diffusers tests/schedulers/test_scheduler_dpm_multi.py config: linear 1e-4..0.02, final sigma_min, no
// lower-order final step (../shared/vendor-data/diffusers/scheduler_full_loop_expected.json).
const SolverOptions kDiffusersTest{FinalSigma::SigmaMin, /*lower_order_final=*/false};

TEST(DpmSolverPP2M, DiffusersFullLoop) {
  auto s = make_dpmpp_2m(NoiseConfig{}, {}, kDiffusersTest);
  torch::Tensor x = test::diffusers_test_loop(*s, 10);
  EXPECT_TRUE(
      torch::equal(s->timesteps(), torch::tensor({999, 899, 799, 699, 599, 500, 400, 300, 200, 100}, torch::kInt64)));
  // 0.3301 in diffusers (tolerance 1e-3); 0.330145 re-derived in float64 by the shared data's README.
  EXPECT_NEAR(x.abs().mean().item<double>(), 0.330145, 2e-6);
}

TEST(DpmSolverPP2M, DiffusersFullLoopVPredictionKarras) {
  NoiseConfig c;
  c.prediction_type = Prediction::VPrediction;
  auto s = make_dpmpp_2m(c, {SigmaSchedule::Karras}, kDiffusersTest);
  torch::Tensor x = test::diffusers_test_loop(*s, 10);
  EXPECT_NEAR(x.abs().mean().item<double>(), 0.2096, 1e-3);  // diffusers' value and tolerance
}

TEST(DpmSolverPP2M, RegistryBuildsTheFamily) {
  for (const char* name : {"dpmpp_2m", "dpmpp_2m_sde", "dpmpp_2s", "unipc", "deis"}) {
    auto s = make_sampler(name, NoiseConfig{}, {SigmaSchedule::Exponential});
    s->set_timesteps(5);
    EXPECT_EQ(s->timesteps().size(0), 5) << name;
    EXPECT_NE(dynamic_cast<VpSolver*>(s.get()), nullptr) << name;
  }
}

TEST(DpmSolverPP2M, Errors) {
  auto s = make_dpmpp_2m(NoiseConfig{}, {});
  at::Generator gen = at::detail::createCPUGenerator(0);
  torch::Tensor x = torch::zeros({1, 4, 8, 8});
  EXPECT_THROW(s->step(x, 0, x, gen), Error);  // before set_timesteps
  EXPECT_THROW(s->set_timesteps(0), Error);
  s->set_timesteps(4);
  EXPECT_THROW(s->step(x, 4, x, gen), Error);
  EXPECT_THROW(s->step(x, -1, x, gen), Error);
}

}  // namespace
