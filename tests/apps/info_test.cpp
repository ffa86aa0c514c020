// `easel info` on the shared oracle models; expected totals were summed independently from each safetensors
// JSON header (element counts of every shape; data_offsets spans) with Python.
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace easel {
namespace {

using test::run_easel;

bool has(const std::string& out, const std::string& s) { return out.find(s) != std::string::npos; }

TEST(Info, Sd1SingleFile) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sd1_tiny/single_file/sd1_tiny.safetensors");
  auto r = run_easel("info " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "tensors: 585\n")) << r.out;
  EXPECT_TRUE(has(r.out, "parameters: 3770530 (3.77M)\n")) << r.out;
  EXPECT_TRUE(has(r.out, "bytes: 15082428 ")) << r.out;
  EXPECT_TRUE(has(r.out, "family: SD1.x (ldm layout)")) << r.out;
  EXPECT_TRUE(has(r.out, "I64")) << r.out;  // the position_ids buffer
  std::string line = r.out.substr(r.out.find("model.diffusion_model.input_blocks.0.0.weight "));
  line = line.substr(0, line.find('\n'));
  EXPECT_TRUE(has(line, " F32 ")) << line;
  EXPECT_TRUE(has(line, " [32, 4, 3, 3]")) << line;
}

TEST(Info, SdxlSingleFileNoTensors) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sdxl_tiny/single_file/sdxl_tiny.safetensors");
  auto r = run_easel("info --no-tensors " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "tensors: 765\n")) << r.out;
  EXPECT_TRUE(has(r.out, "parameters: 5421673 ")) << r.out;
  EXPECT_TRUE(has(r.out, "bytes: 10843346 ")) << r.out;  // float16
  EXPECT_TRUE(has(r.out, "family: SDXL base (ldm layout)")) << r.out;
  EXPECT_FALSE(has(r.out, "F16  [")) << r.out;
}

TEST(Info, Sd1DiffusersFolder) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sd1_tiny/diffusers");
  auto r = run_easel("info " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "unet: UNet2DConditionModel (diffusers)")) << r.out;
  EXPECT_TRUE(has(r.out, "weights: model.safetensors, 37 tensors, 1597239 (1.6M) parameters")) << r.out;
  EXPECT_TRUE(has(r.out, "scheduler: PNDMScheduler")) << r.out;
  EXPECT_TRUE(has(r.out, "beta_schedule=\"scaled_linear\"")) << r.out;
  // text encoder + unet + vae: the same totals as the single file converted from it.
  EXPECT_TRUE(has(r.out, "parameters: 3770530 ")) << r.out;
  EXPECT_TRUE(has(r.out, "bytes: 15082428 ")) << r.out;
  EXPECT_TRUE(has(r.out, "family: SD1.x (diffusers layout)")) << r.out;
}

TEST(Info, SdxlDiffusersFolderJson) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sdxl_tiny/diffusers");
  auto r = run_easel("info --json " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["pipeline"], "StableDiffusionXLPipeline");
  EXPECT_EQ(j["parameters"], 798959 + 1604719 + 1950916 + 1067079);
  EXPECT_EQ(j["bytes"], 3195836 + 6418876 + 7803664 + 4268316);
  EXPECT_EQ(j["family"]["name"], "SDXL base");
  EXPECT_EQ(j["components"].size(), 7u);  // scheduler, 2 text encoders, 2 tokenizers, unet, vae
}

TEST(Info, TorchCheckpointJson) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/hot_vs_cold_diffusion/ddpm_mnist_starter.pth");
  auto r = run_easel("info --json " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tensor_count"], 29);
  EXPECT_EQ(j["parameters"], 293235);  // the vendor README's count
  EXPECT_EQ(j["bytes"], 293235 * 4);
  EXPECT_EQ(j["family"]["name"], "unknown");
  EXPECT_EQ(j["tensors"][0]["name"], "alpha_t");
  EXPECT_EQ(j["tensors"][0]["shape"], nlohmann::json::array({1001}));
}

TEST(Info, ErrorsAreOneLineAndExitOne) {
  auto missing = run_easel("info /nonexistent/model.safetensors");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.out, "easel info: error: /nonexistent/model.safetensors: no such file or folder\n");
  test::TempDir dir;
  std::ofstream(dir / "junk.ckpt") << "junk";
  auto junk = run_easel("info " + (dir / "junk.ckpt").string());
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_TRUE(has(junk.out, "junk.ckpt: not a checkpoint easel reads")) << junk.out;
  EXPECT_EQ(std::count(junk.out.begin(), junk.out.end(), '\n'), 1);
  auto empty_dir = run_easel("info " + dir.path.string());
  EXPECT_EQ(empty_dir.exit_code, 1);
  EXPECT_TRUE(has(empty_dir.out, "not a diffusers folder")) << empty_dir.out;
}

TEST(Info, Help) {
  auto r = run_easel("info --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(has(r.out, "--no-tensors")) << r.out;
  EXPECT_TRUE(has(r.out, "diffusers folder")) << r.out;
}

}  // namespace
}  // namespace easel
