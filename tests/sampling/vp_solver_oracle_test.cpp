// DPM-Solver++ 2M (discrete and Karras), DPM-Solver++ 2S and UniPC against the oracle's SD1 txt2img runs
// (../shared/oracle/README.md §2): each run's recorded CFG outputs are replayed through the sampler built by
// name, and every intermediate latent must match.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "sampling/vp_solver.h"
#include "test_util.h"
#include "vp_solver_test_util.h"

using namespace easel;
using namespace easel::sampling;

namespace {

struct OracleRun {
  const char* sampler;
  SigmaSchedule schedule;
  const char* ref;  // under oracle/sd1_tiny/refs/
};

// Latent tolerance: far below the README's 2e-3 pipeline tolerance; the replay only adds float32 rounding.
constexpr double kLatentAtol = 1e-4;

class VpSolverOracle : public ::testing::TestWithParam<OracleRun> {};

// From `latents_init`, feeds each recorded `stepII.noise_pred_cfg` to the sampler and expects the recorded
// timesteps exactly, the sigmas within 1e-6 relative, and the UNet input (both CFG halves), every
// `stepII.latents` and `final_latents` within kLatentAtol; records the largest latent difference.
TEST_P(VpSolverOracle, ReplayMatchesEveryStep) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  // The model folder's scheduler_config.json (SD1.5's), read as easel reads one.
  std::ifstream config_file(dir / "diffusers/scheduler/scheduler_config.json");
  const NoiseConfig config = NoiseConfig::from_json(nlohmann::json::parse(config_file));
  auto sampler = make_sampler(GetParam().sampler, config, {GetParam().schedule});
  auto& vp = dynamic_cast<VpSolver&>(*sampler);

  const io::StateDict ref = io::load_safetensors((dir / "refs" / GetParam().ref).string());
  const auto& t = ref.tensors;
  const torch::Tensor timesteps = t.at("timesteps");
  const int steps = static_cast<int>(timesteps.size(0));
  vp.set_timesteps(steps);
  EXPECT_TRUE(torch::equal(vp.timesteps(), timesteps)) << vp.timesteps() << " vs " << timesteps;
  EXPECT_DOUBLE_EQ(vp.init_noise_sigma(), t.at("init_noise_sigma").item<double>());
  const torch::Tensor sigmas = t.at("sigmas").to(torch::kFloat64);
  EXPECT_LE(test::max_abs_diff(torch::tensor(vp.sigmas(), torch::kFloat64), sigmas),
            1e-6 * sigmas.max().item<double>());

  at::Generator gen = at::detail::createCPUGenerator(42);
  torch::Tensor x = t.at("latents_init");
  double worst = 0;
  for (int i = 0; i < steps; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "step%02d.", i);
    const std::string p = key;
    const torch::Tensor unet_in = t.at(p + "unet_in");
    const torch::Tensor scaled = vp.scale_model_input(x, i);
    for (int half = 0; half < 2; ++half)
      EXPECT_LE(test::max_abs_diff(scaled[0], unet_in[half]), kLatentAtol) << p << "unet_in[" << half << "]";
    x = vp.step(t.at(p + "noise_pred_cfg"), i, x, gen);
    const double d = test::max_abs_diff(x, t.at(p + "latents"));
    worst = std::max(worst, d);
    EXPECT_LE(d, kLatentAtol) << p << "latents";
  }
  EXPECT_LE(test::max_abs_diff(x, t.at("final_latents")), kLatentAtol) << "final_latents";
  RecordProperty("max_latent_abs_diff", std::to_string(worst));
}

INSTANTIATE_TEST_SUITE_P(
    Sd1Tiny, VpSolverOracle,
    ::testing::Values(OracleRun{"dpmpp_2m", SigmaSchedule::Discrete, "txt2img_dpmpp_2m.safetensors"},
                      OracleRun{"dpmpp_2m", SigmaSchedule::Karras, "txt2img_dpmpp_2m_karras.safetensors"},
                      OracleRun{"dpmpp_2s", SigmaSchedule::Discrete, "txt2img_dpmpp_2s.safetensors"},
                      OracleRun{"unipc", SigmaSchedule::Discrete, "txt2img_unipc.safetensors"}),
    [](const auto& info) {
      std::string name = info.param.ref;
      return name.substr(8, name.find('.') - 8);  // txt2img_<this>.safetensors
    });

}  // namespace
