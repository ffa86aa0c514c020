// Whole-pipeline parity with diffusers 0.30.3 on the oracle's tiny SD1 and SDXL models
// (../shared/oracle/{sd1_tiny,sdxl_tiny}/refs, see the oracle README): each ref is re-run from the model files,
// a diffusers folder and a single file with --config, with the same prompt, seed 42, 4 steps, CFG 7.5, 64x64.
// Tolerances from the README: every latent (initial, after each step, final) atol 2e-3; uint8 image off by <= 2.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>

#include "io/image.h"
#include "io/safetensors.h"
#include "models/component.h"
#include "pipelines/sd_pipeline.h"
#include "test_util.h"
#include "util/error.h"

namespace easel::pipelines {
namespace {

enum class Source { Diffusers, SingleFile };

struct RefCase {
  const char* family;   // "sd1_tiny" or "sdxl_tiny"
  const char* ref;      // refs/<ref>.safetensors
  const char* sampler;  // make_sampler name
  const char* schedule;
  Source source;
};

std::string case_name(const RefCase& c) {
  return std::string(c.family).substr(0, c.family[2] == 'x' ? 4 : 3) + "_" + c.ref +
         (c.source == Source::SingleFile ? "_single_file" : "_diffusers");
}

// Models are loaded once per (family, source, unet) and shared by the cases.
SDModel& cached_model(const std::filesystem::path& oracle, const RefCase& c, bool inpaint_unet) {
  static std::map<std::string, std::unique_ptr<SDModel>> cache;
  const std::string key = std::string(c.family) + (c.source == Source::SingleFile ? "/single" : "/diffusers") +
                          (inpaint_unet ? "/unet9" : "");
  auto& slot = cache[key];
  if (!slot) {
    const auto dir = oracle / c.family;
    SDLoadOptions options;
    std::string path = (dir / "diffusers").string();
    if (c.source == Source::SingleFile) {
      options.config_dir = path;
      path = (dir / "single_file" / (std::string(c.family) + ".safetensors")).string();
    }
    slot = std::make_unique<SDModel>(load_sd_model(path, options));
    if (inpaint_unet) {
      slot->unet = models::load_unet((dir / "unet_inpaint").string());
      slot->is_inpaint_unet = true;
    }
  }
  return *slot;
}

std::string step_key(int i, const char* what) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step%02d.%s", i, what);
  return buf;
}

void expect_near(const torch::Tensor& got, const torch::Tensor& want, double atol, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  const double diff = (got.to(torch::kDouble) - want.to(torch::kDouble)).abs().max().item<double>();
  EXPECT_LE(diff, atol) << what;
}

class SdParity : public ::testing::TestWithParam<RefCase> {};

TEST_P(SdParity, MatchesEveryLatentAndTheImage) {
  const RefCase& c = GetParam();
  EASEL_SHARED_OR_SKIP(ref_path, std::string("oracle/") + c.family + "/refs/" + c.ref + ".safetensors");
  const auto oracle = test::shared_dir() / "oracle";
  const auto ref = io::load_safetensors(ref_path.string());
  const auto& T = ref.tensors;
  const auto kwargs = nlohmann::json::parse(ref.metadata.at("call_kwargs"));
  const std::string name = c.ref;
  const bool inpaint = name.rfind("inpaint_", 0) == 0, img2img = name.rfind("img2img", 0) == 0;
  SDModel& model = cached_model(oracle, c, name.find("unet9") != std::string::npos);

  GenerationParams p;
  p.prompt = kwargs.at("prompt").get<std::string>();
  p.negative = kwargs.value("negative_prompt", std::string());
  p.steps = kwargs.at("num_inference_steps").get<int>();
  p.cfg = kwargs.at("guidance_scale").get<double>();
  p.strength = kwargs.value("strength", 1.0);
  p.sampler = c.sampler;
  p.schedule = c.schedule;
  p.seed = 42;
  p.width = p.height = 64;
  GenerateOptions options;
  options.negative_omitted = !kwargs.contains("negative_prompt");
  std::vector<torch::Tensor> unet_in, latents;
  options.on_step = [&](const StepInfo& s) {
    unet_in.push_back(s.unet_in.clone());
    latents.push_back(s.latents.clone());
  };

  const auto refs_dir = oracle / "sd1_tiny" / "refs";
  GenerateResult r;
  if (inpaint)
    r = pipelines::inpaint(model, io::read_image((refs_dir / "img2img_input.png").string()),
                           io::read_image((refs_dir / "inpaint_mask.png").string()), p, options);
  else if (img2img)
    r = pipelines::img2img(model, io::read_image((refs_dir / "img2img_input.png").string()), p, options);
  else
    r = txt2img(model, p, options);

  expect_near(r.init_latents, T.at("latents_init"), 2e-3, "latents_init");
  size_t calls = 0;
  while (T.count(step_key(static_cast<int>(calls), "latents"))) ++calls;
  ASSERT_EQ(latents.size(), calls);
  for (size_t i = 0; i < calls; ++i) {
    expect_near(unet_in[i], T.at(step_key(static_cast<int>(i), "unet_in")), 2e-3, step_key(int(i), "unet_in"));
    expect_near(latents[i], T.at(step_key(static_cast<int>(i), "latents")), 2e-3, step_key(int(i), "latents"));
  }
  expect_near(r.final_latents, T.at("final_latents"), 2e-3, "final_latents");

  ASSERT_EQ(r.images.size(), 1u);
  const auto& img = r.images[0];
  const auto want = T.at("image_uint8")[0];
  ASSERT_EQ(img.height, want.size(0));
  ASSERT_EQ(img.width, want.size(1));
  ASSERT_EQ(img.channels, 3);
  auto got = torch::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3}, torch::kUInt8);
  EXPECT_LE((got.to(torch::kInt) - want.to(torch::kInt)).abs().max().item<int>(), 2) << "image_uint8";
  EXPECT_TRUE(r.warnings.empty());
}

std::vector<RefCase> all_cases() {
  const std::vector<std::array<const char*, 3>> sd1 = {
      {"txt2img_pndm", "pndm", "discrete"},          {"txt2img_ddim", "ddim", "discrete"},
      {"txt2img_euler", "euler", "discrete"},        {"txt2img_euler_a", "euler_a", "discrete"},
      {"txt2img_dpmpp_2m", "dpmpp_2m", "discrete"},  {"txt2img_dpmpp_2m_karras", "dpmpp_2m", "karras"},
      {"txt2img_lms", "lms", "discrete"},            {"txt2img_heun", "heun", "discrete"},
      {"txt2img_lcm", "lcm", "discrete"},            {"txt2img_unipc", "unipc", "discrete"},
      {"txt2img_ddpm", "ddpm", "discrete"},          {"txt2img_kdpm2", "kdpm2", "discrete"},
      {"txt2img_dpmpp_2s", "dpmpp_2s", "discrete"},  {"txt2img_euler_karras", "euler", "karras"},
      {"img2img_ddim", "ddim", "discrete"},          {"inpaint_unet4_ddim", "ddim", "discrete"},
      {"inpaint_unet4_euler_a", "euler_a", "discrete"}, {"inpaint_unet9_ddim", "ddim", "discrete"},
      {"inpaint_unet9_euler_a", "euler_a", "discrete"}};
  std::vector<RefCase> cases;
  for (Source s : {Source::Diffusers, Source::SingleFile})
    for (const auto& [ref, sampler, schedule] : sd1) cases.push_back({"sd1_tiny", ref, sampler, schedule, s});
  // The SDXL single file is float16: only its own ref (made from the upcast fp16 weights) is within tolerance.
  for (const auto& [ref, sampler, schedule] : std::vector<std::array<const char*, 3>>{
           {"txt2img_euler", "euler", "discrete"},
           {"txt2img_euler_a", "euler_a", "discrete"},
           {"txt2img_dpmpp_2m_karras", "dpmpp_2m", "karras"},
           {"txt2img_euler_negNone", "euler", "discrete"}})
    cases.push_back({"sdxl_tiny", ref, sampler, schedule, Source::Diffusers});
  cases.push_back({"sdxl_tiny", "single_file_fp16_txt2img_euler", "euler", "discrete", Source::SingleFile});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Oracle, SdParity, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return case_name(info.param); });

// A bf16 load builds the UNet and text encoder in bf16 (no float32 copy) holding exactly the float32 load's
// weights rounded to bf16; the VAE stays float32. The SDXL single file is float16: fp16 -> bf16 directly.
TEST(SdModelDtype, Bfloat16LoadEqualsTheFloat32LoadRounded) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sdxl_tiny");
  SDLoadOptions options;
  options.config_dir = (dir / "diffusers").string();
  const std::string file = (dir / "single_file/sdxl_tiny.safetensors").string();
  SDModel f32 = load_sd_model(file, options);
  options.dtype = torch::kBFloat16;
  SDModel b16 = load_sd_model(file, options);
  auto expect_rounded = [](const torch::nn::Module& a, const torch::nn::Module& b, torch::ScalarType want) {
    const auto pa = a.named_parameters(), pb = b.named_parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (const auto& item : pa) {
      const torch::Tensor& t = pb[item.key()];
      ASSERT_EQ(t.scalar_type(), want) << item.key();
      EXPECT_TRUE(torch::equal(t, item.value().to(want))) << item.key();
    }
  };
  expect_rounded(*f32.unet, *b16.unet, torch::kBFloat16);
  ASSERT_EQ(b16.encoders.size(), 2u);
  for (size_t i = 0; i < 2; ++i) expect_rounded(*f32.encoders[i].model, *b16.encoders[i].model, torch::kBFloat16);
  expect_rounded(*f32.vae, *b16.vae, torch::kFloat);
  EXPECT_EQ(torch::get_default_dtype(), caffe2::TypeMeta::Make<float>());  // the build guard restored it
}

// The CLI's one-shot run frees the text encoders after encoding and the UNet after denoising: the same image, and
// a second run is refused with a message instead of dereferencing a freed network.
TEST(SdModelRun, FreeingNetworksAfterUseGivesTheSameImageAndThenRefuses) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  GenerationParams params;
  params.prompt = "a red square";
  params.steps = 2;
  params.width = params.height = 64;
  SDModel kept = load_sd_model((dir / "diffusers").string());
  const GenerateResult want = txt2img(kept, params);
  SDModel freed = load_sd_model((dir / "diffusers").string());
  GenerateOptions options;
  options.free_networks_after_use = true;
  const GenerateResult got = txt2img(freed, params, options);
  ASSERT_EQ(got.images.size(), 1u);
  EXPECT_EQ(got.images[0].pixels, want.images[0].pixels);
  EXPECT_FALSE(freed.unet);
  EXPECT_FALSE(freed.encoders[0].model);
  EXPECT_TRUE(kept.unet);
  try {
    txt2img(freed, params);
    FAIL() << "a model whose networks were freed generated again";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("freed after an earlier run"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace easel::pipelines
