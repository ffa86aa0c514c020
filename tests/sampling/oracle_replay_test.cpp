// Source 3: the SD1 tiny pipeline runs of the oracle (../shared/oracle/sd1_tiny/refs/txt2img_<sched>.safetensors,
// diffusers 0.30.3). The recorded guided model outputs are replayed through our sampler, built from the exact
// scheduler config stored in each file's metadata, with a generator seeded 42 that first draws the initial
// noise (as the pipeline did); every schedule value, model input and latent must match.
// Tolerances: timesteps exact for integers and 1e-3 for fractional ones (diffusers interpolates some in
// float32); sigmas and init_noise_sigma 1e-6 relative; unet_in and latents 1e-4 absolute + 1e-5 relative
// (tighter than the oracle README's 2e-3 for whole pipelines: only the sampler's arithmetic differs here).
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "io/safetensors.h"
#include "sampling/sampler.h"
#include "sampling_test_util.h"
#include "test_util.h"

namespace easel::sampling {
namespace {

struct RefCase {
  const char* ref;      // txt2img_<ref>.safetensors
  const char* sampler;  // make_sampler name
};

std::string step_key(int i, const char* what) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step%02d.%s", i, what);
  return buf;
}

void expect_close(const torch::Tensor& got, const torch::Tensor& want, double atol, double rtol,
                  const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  auto g = got.to(torch::kFloat64), w = want.to(torch::kFloat64);
  auto excess = ((g - w).abs() - (atol + rtol * w.abs())).max().item<double>();
  EXPECT_LE(excess, 0) << what << ": max |diff| " << test::max_abs_diff(got, want);
}

class OracleReplay : public ::testing::TestWithParam<RefCase> {};

TEST_P(OracleReplay, MatchesEveryStep) {
  const RefCase& rc = GetParam();
  EASEL_SHARED_OR_SKIP(path, std::string("oracle/sd1_tiny/refs/txt2img_") + rc.ref + ".safetensors");
  auto ref = io::load_safetensors(path.string());
  auto& T = ref.tensors;
  auto config_json = nlohmann::json::parse(ref.metadata.at("scheduler_config"));
  SamplerOptions options;
  if (config_json.value("use_karras_sigmas", false)) options.schedule = SigmaSchedule::Karras;
  auto s = make_sampler(rc.sampler, NoiseConfig::from_json(config_json), options);
  s->set_timesteps(4);

  const auto& want_t = T.at("timesteps");
  ASSERT_EQ(s->timesteps().size(0), want_t.size(0));
  ASSERT_EQ(s->timesteps().scalar_type(), want_t.scalar_type());
  if (want_t.is_floating_point())
    expect_close(s->timesteps(), want_t, 1e-3, 0, "timesteps");
  else
    EXPECT_TRUE(torch::equal(s->timesteps(), want_t)) << s->timesteps() << " vs " << want_t;
  EXPECT_NEAR(s->init_noise_sigma(), T.at("init_noise_sigma").item<double>(),
              1e-6 * T.at("init_noise_sigma").item<double>());

  auto gen = at::detail::createCPUGenerator(42);
  auto noise = torch::randn({1, 4, 8, 8}, gen);
  ASSERT_TRUE(torch::equal(noise, T.at("rng_draw.00"))) << "initial noise differs from rng_draw.00";
  auto x = noise * s->init_noise_sigma();
  expect_close(x, T.at("latents_init"), 0, 1e-6, "latents_init");
  x = T.at("latents_init");

  for (int i = 0; i < s->timesteps().size(0); ++i) {
    SCOPED_TRACE("call " + std::to_string(i));
    expect_close(s->timesteps()[i], T.at(step_key(i, "t")), 1e-3, 0, "t");
    auto unet_in = s->scale_model_input(x, i);
    expect_close(unet_in, T.at(step_key(i, "unet_in")).slice(0, 0, 1), 1e-4, 1e-5, "unet_in");
    x = s->step(T.at(step_key(i, "noise_pred_cfg")), i, x, gen);
    expect_close(x, T.at(step_key(i, "latents")), 1e-4, 1e-5, "latents");
  }
}

// Checked separately because only the sigma samplers expose sigmas in the ref (layout = ours).
TEST(OracleReplaySigmas, MatchRecordedSigmas) {
  const std::pair<const char*, const char*> cases[] = {{"euler", "euler"},       {"euler_a", "euler_a"},
                                                       {"euler_karras", "euler"}, {"heun", "heun"},
                                                       {"lms", "lms"},            {"kdpm2", "kdpm2"}};
  for (const auto& [ref_name, sampler] : cases) {
    EASEL_SHARED_OR_SKIP(path, std::string("oracle/sd1_tiny/refs/txt2img_") + ref_name + ".safetensors");
    auto ref = io::load_safetensors(path.string());
    auto config_json = nlohmann::json::parse(ref.metadata.at("scheduler_config"));
    SamplerOptions options;
    if (config_json.value("use_karras_sigmas", false)) options.schedule = SigmaSchedule::Karras;
    auto s = make_sampler(sampler, NoiseConfig::from_json(config_json), options);
    s->set_timesteps(4);
    // Sigmas are not public; scale_model_input(ones, i) = 1 / sqrt(sigma_i^2 + 1) reveals the model's sigma.
    const auto& sig = ref.tensors.at("sigmas");
    for (int i = 0; i < s->timesteps().size(0); ++i) {
      if (std::string(sampler) == "kdpm2" && i % 2 == 1) continue;  // model sees the midpoint there
      double want = 1 / std::sqrt(sig[i].item<double>() * sig[i].item<double>() + 1);
      double got = s->scale_model_input(torch::ones({1}), i).item<double>();
      EXPECT_NEAR(got, want, 1e-6 * want) << ref_name << " sigma " << i;
    }
  }
}

// Every recorded random draw (rng_draw.NN, all [1,4,8,8] float32) is reproduced bit for bit, in order, by the
// ATen CPU generator seeded 42.
TEST(OracleReplayRng, DrawsMatchBitForBit) {
  for (const char* ref_name : {"euler", "euler_a", "ddpm", "lcm"}) {
    EASEL_SHARED_OR_SKIP(path, std::string("oracle/sd1_tiny/refs/txt2img_") + ref_name + ".safetensors");
    auto ref = io::load_safetensors(path.string());
    auto gen = at::detail::createCPUGenerator(42);
    int draws = 0;
    for (;; ++draws) {
      char key[32];
      std::snprintf(key, sizeof key, "rng_draw.%02d", draws);
      auto it = ref.tensors.find(key);
      if (it == ref.tensors.end()) break;
      EXPECT_TRUE(torch::equal(torch::randn({1, 4, 8, 8}, gen), it->second)) << ref_name << " " << key;
    }
    EXPECT_GE(draws, 4) << ref_name;
  }
}

INSTANTIATE_TEST_SUITE_P(Sd1Tiny, OracleReplay,
                         ::testing::Values(RefCase{"pndm", "pndm"}, RefCase{"ddim", "ddim"},
                                           RefCase{"euler", "euler"}, RefCase{"euler_a", "euler_a"},
                                           RefCase{"lms", "lms"}, RefCase{"heun", "heun"}, RefCase{"lcm", "lcm"},
                                           RefCase{"ddpm", "ddpm"}, RefCase{"kdpm2", "kdpm2"},
                                           RefCase{"euler_karras", "euler"}),
                         [](const auto& info) { return std::string(info.param.ref); });

}  // namespace
}  // namespace easel::sampling
