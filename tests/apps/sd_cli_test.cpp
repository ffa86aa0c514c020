// The Stable Diffusion commands (generate, img2img, edit, info on a PNG) run end to end on the oracle's tiny SD1
// model (../shared/oracle/sd1_tiny): images match the oracle's PNGs (off by <= 2), parameters round-trip through
// the PNG, and bad input gives one error line and exit 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "io/file_hash.h"
#include "io/image.h"
#include "test_util.h"

namespace easel::test {
namespace {

namespace fs = std::filesystem;

const char* kPrompt = "\"a photo of an astronaut riding a horse on mars\"";

// Largest per-channel difference between two RGB images of the same size; -1 when sizes differ.
int max_pixel_diff(const io::Image& a, const io::Image& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels) return -1;
  int d = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) d = std::max(d, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
  return d;
}

class SdCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (shared_dir().empty() || !fs::exists(shared_dir() / "oracle/sd1_tiny/diffusers"))
      GTEST_SKIP() << "shared test data not found: oracle/sd1_tiny (expected under ../shared)";
    sd1 = shared_dir() / "oracle/sd1_tiny";
    model = " --model " + (sd1 / "diffusers").string() + " ";
  }
  io::Image ref(const std::string& name) { return io::read_image((sd1 / "refs" / name).string()); }
  fs::path sd1;
  std::string model;
  TempDir tmp;
};

TEST_F(SdCli, GenerateMatchesTheOracleAndRecordsItsParameters) {
  const auto out = tmp / "out.png";
  auto r = run_easel(std::string("generate ") + kPrompt + model +
                     "--negative '' --steps 4 --sampler euler --cfg 7.5 --seed 42 --size 64x64 -q -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_LE(max_pixel_diff(io::read_image(out.string()), ref("txt2img_euler.png")), 2);

  auto info = run_easel("info " + out.string());
  ASSERT_EQ(info.exit_code, 0) << info.out;
  EXPECT_NE(info.out.find("a photo of an astronaut riding a horse on mars"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("Steps: 4"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("Seed: 42"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("Model hash: " + io::model_hash((sd1 / "diffusers").string())), std::string::npos)
      << info.out;

  // Regenerating from the PNG gives the same image; a flag overrides the stored value.
  const auto again = tmp / "again.png";
  r = run_easel("generate --from " + out.string() + " -q -o " + again.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(max_pixel_diff(io::read_image(again.string()), io::read_image(out.string())), 0);
  const auto other = tmp / "other.png";
  r = run_easel("generate --from " + out.string() + " --seed 7 -q -o " + other.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_GT(max_pixel_diff(io::read_image(other.string()), io::read_image(out.string())), 2);
}

TEST_F(SdCli, SingleFileWithConfigMatchesTheOracle) {
  const auto out = tmp / "single.png";
  auto r = run_easel(std::string("generate ") + kPrompt + " --model " +
                     (sd1 / "single_file/sd1_tiny.safetensors").string() + " --config " +
                     (sd1 / "diffusers").string() + " --negative '' --steps 4 --sampler euler --size 64x64 -q -o " +
                     out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_LE(max_pixel_diff(io::read_image(out.string()), ref("txt2img_euler.png")), 2);
  // The PNG names the single file's hash; regenerating it with the folder (same weights, another hash) says so.
  const auto again = tmp / "again.png";
  r = run_easel("generate --from " + out.string() + model + "-q -o " + again.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("recorded with model hash " +
                       io::model_hash((sd1 / "single_file/sd1_tiny.safetensors").string())),
            std::string::npos)
      << r.out;
  EXPECT_LE(max_pixel_diff(io::read_image(again.string()), io::read_image(out.string())), 2);
}

// A single file needs no config folder: its configs come from the LDM yaml, or from its tensor shapes. The
// tokenizer is then the default CLIP vocabulary (here the vendored copy in ../shared).
TEST_F(SdCli, SingleFileWithYamlOrInferredConfigMatchesTheOracle) {
  EASEL_SHARED_OR_SKIP(vocab, "vendor-data/CLIP/bpe_simple_vocab_16e6.txt.gz");
  setenv("EASEL_CLIP_VOCAB", vocab.c_str(), 1);
  const std::string single = (sd1 / "single_file/sd1_tiny.safetensors").string();
  for (const std::string& config : {std::string(" --config ") + (sd1 / "single_file/v1-inference-tiny.yaml").string(),
                                   std::string()}) {
    const auto out = tmp / "single-inferred.png";
    auto r = run_easel(std::string("generate ") + kPrompt + " --model " + single + config +
                       " --negative '' --steps 4 --sampler euler --size 64x64 -q --overwrite -o " + out.string());
    ASSERT_EQ(r.exit_code, 0) << config << "\n" << r.out;
    EXPECT_LE(max_pixel_diff(io::read_image(out.string()), ref("txt2img_euler.png")), 2) << config;
  }
  unsetenv("EASEL_CLIP_VOCAB");
}

TEST_F(SdCli, BatchWritesNumberedFilesAndRefusesToOverwrite) {
  const auto out = tmp / "b.png";
  const std::string args = std::string("generate ") + kPrompt + model + "-n 2 --steps 2 --size 64x64 -q -o " +
                           out.string();
  auto r = run_easel(args);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(tmp / "b-0.png"));
  EXPECT_TRUE(fs::exists(tmp / "b-1.png"));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_GT(max_pixel_diff(io::read_image((tmp / "b-0.png").string()), io::read_image((tmp / "b-1.png").string())),
            0);
  r = run_easel(args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--overwrite"), std::string::npos) << r.out;
  EXPECT_EQ(run_easel(args + " --overwrite").exit_code, 0);
}

TEST_F(SdCli, Img2ImgAndInpaintMatchTheOracle) {
  const auto input = (sd1 / "refs/img2img_input.png").string();
  const auto a = tmp / "i2i.png";
  auto r = run_easel(std::string("img2img ") + kPrompt + model + "--image " + input +
                     " --negative '' --strength 0.6 --steps 4 --sampler ddim -q -o " + a.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_LE(max_pixel_diff(io::read_image(a.string()), ref("img2img_ddim.png")), 2);

  const auto b = tmp / "inpaint.png";
  r = run_easel(std::string("edit ") + kPrompt + model + "--image " + input + " --mask " +
                (sd1 / "refs/inpaint_mask.png").string() + " --negative '' --steps 4 --sampler ddim -q -o " +
                b.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_LE(max_pixel_diff(io::read_image(b.string()), ref("inpaint_unet4_ddim.png")), 2);
}

TEST_F(SdCli, OutpaintEnlargesTheCanvas) {
  const auto out = tmp / "wide.png";
  auto r = run_easel(std::string("edit ") + kPrompt + model + "--image " +
                     (sd1 / "refs/img2img_input.png").string() + " --extend 8,0,16,8 --steps 2 -q -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto img = io::read_image(out.string());
  EXPECT_EQ(img.width, 64 + 24);
  EXPECT_EQ(img.height, 64 + 8);
}

TEST_F(SdCli, BadInputIsOneErrorLine) {
  const auto out = (tmp / "x.png").string();
  const std::string base = std::string("generate ") + kPrompt + " --steps 1 -q -o " + out;
  struct Case {
    std::string args, expect;
  };
  io::Image small{32, 32, 1, std::vector<uint8_t>(32 * 32, 255), {}};
  const auto small_mask = (tmp / "small_mask.png").string();
  io::write_png(small_mask, small);
  const Case cases[] = {
      {base + " --model " + (tmp / "missing").string(), "model not found"},
      {base + model + "--size 65x64", "multiples of 8"},
      {base, "has no clip.safetensors"},  // the built-in model, its folder pointed somewhere empty below
      {std::string("img2img x --image ") + (sd1 / "refs/img2img_input.png").string() + " -o " + out,
       "only does txt2img"},
      {std::string("img2img x") + model + "--image " + (tmp / "nope.png").string() + " -o " + out, "nope.png"},
      {std::string("edit x") + model + "--image " + (sd1 / "refs/img2img_input.png").string() + " --mask " +
           small_mask + " -o " + out,
       "small_mask.png: mask is 32x32"},
  };
  setenv("EASEL_MODEL_DIR", tmp.path.string().c_str(), 1);
  for (const auto& c : cases) {
    auto r = run_easel(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
  unsetenv("EASEL_MODEL_DIR");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace easel::test
