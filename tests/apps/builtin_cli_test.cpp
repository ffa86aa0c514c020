// `easel generate` and `easel vary` with the built-in model as shipped (models/easel-mini, found above the binary)
// and with an easel-mini folder given as --model: PNGs with their parameters, exact reproduction with --from.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/image.h"
#include "test_util.h"

namespace easel::test {
namespace {

namespace fs = std::filesystem;

const std::string kShipped = std::string(EASEL_SOURCE_DIR) + "/models/easel-mini";

// The shipped files (linked) in a folder of tmp whose sampling.json takes few steps.
fs::path few_step_copy(const TempDir& tmp) {
  const fs::path model = tmp / "mini";
  fs::create_directories(model);
  for (const char* f : {"clip", "prior", "decoder", "upsampler"})
    fs::create_symlink(fs::absolute(kShipped + "/" + f + ".safetensors"), model / (std::string(f) + ".safetensors"));
  std::ofstream(model / "sampling.json") << R"({"decoder": {"steps": 4}, "upsampler": {"steps": 3, "window": 64}})";
  return model;
}

TEST(BuiltinCli, GenerateBatchInfoFromAndVary) {
  if (!fs::exists(kShipped + "/decoder.safetensors"))
    GTEST_SKIP() << "models/easel-mini holds no trained model (" << kShipped << ")";
  TempDir tmp;
  const std::string out = (tmp / "heart.png").string();
  auto r = run_easel("generate 'a yellow heart to the left of a purple square' -n 2 --seed 3 -q -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const io::Image first = io::read_image((tmp / "heart-0.png").string());
  const io::Image second = io::read_image((tmp / "heart-1.png").string());
  EXPECT_EQ(first.width, 128);
  EXPECT_NE(first.pixels, second.pixels);

  auto info = run_easel("info " + (tmp / "heart-1.png").string());
  ASSERT_EQ(info.exit_code, 0) << info.out;
  EXPECT_NE(info.out.find("a yellow heart to the left of a purple square"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("easel-mini"), std::string::npos) << info.out;

  // The second image of the batch, regenerated from its own parameters.
  const std::string again = (tmp / "again.png").string();
  r = run_easel("generate --from " + (tmp / "heart-1.png").string() + " -q -o " + again);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(io::read_image(again).pixels, second.pixels);

  // The same model named as a folder; the output exists now, so it is refused without --overwrite.
  r = run_easel("generate 'a red circle' --model " + kShipped + " --seed 3 -q -o " + again);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--overwrite"), std::string::npos) << r.out;
  r = run_easel("generate 'a red circle' --model " + kShipped + " --seed 3 -q --overwrite -o " + again);
  ASSERT_EQ(r.exit_code, 0) << r.out;

  r = run_easel("vary " + (tmp / "heart-0.png").string() + " -n 2 --seed 1 -o " + (tmp / "var.png").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(io::read_image((tmp / "var-1.png").string()).width, 128);

  // From the image's inverted latent: eta 0 gives it back (twice the same); a bad eta is refused by name.
  r = run_easel("vary " + (tmp / "heart-0.png").string() + " -n 2 --eta 0 --cfg 1 --small -o " +
                (tmp / "back.png").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(io::read_image((tmp / "back-0.png").string()).pixels, io::read_image((tmp / "back-1.png").string()).pixels);
  r = run_easel("vary " + (tmp / "heart-0.png").string() + " --eta 1.5 -o " + (tmp / "bad.png").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("--eta"), std::string::npos) << r.out;
  r = run_easel("vary " + (tmp / "heart-0.png").string() + " --eta 0.5 --fresh -o " + (tmp / "bad.png").string());
  EXPECT_NE(r.exit_code, 0) << "--eta and --fresh together";
  EXPECT_FALSE(fs::exists(tmp / "bad.png"));
}

// --from samples as the image was sampled: the stage settings are in the PNG, not read again from the folder's
// sampling.json, which may have changed since.
TEST(BuiltinCli, FromKeepsTheRecordedStagesWhenSamplingJsonChanges) {
  if (!fs::exists(kShipped + "/decoder.safetensors"))
    GTEST_SKIP() << "models/easel-mini holds no trained model (" << kShipped << ")";
  TempDir tmp;
  const fs::path model = few_step_copy(tmp);
  const std::string first = (tmp / "first.png").string(), again = (tmp / "again.png").string();
  auto r = run_easel("generate 'a red circle' --model " + model.string() + " --seed 5 -q -o " + first);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::ofstream(model / "sampling.json", std::ios::trunc) << R"({"decoder": {"steps": 6}})";
  r = run_easel("generate --from " + first + " -q -o " + again);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(io::read_image(again).pixels, io::read_image(first).pixels);
}

// -o NAME.jpg writes a JPEG that carries the same parameters as a PNG would (COM markers): `info` reads them and
// --from regenerates the image exactly.
TEST(BuiltinCli, JpegOutputCarriesItsParameters) {
  if (!fs::exists(kShipped + "/decoder.safetensors"))
    GTEST_SKIP() << "models/easel-mini holds no trained model (" << kShipped << ")";
  TempDir tmp;
  const fs::path model = few_step_copy(tmp);
  const std::string jpg = (tmp / "circle.jpg").string(), png = (tmp / "circle.png").string();
  for (const std::string& out : {jpg, png}) {
    auto r = run_easel("generate 'a red circle' --model " + model.string() + " --seed 5 -q -o " + out);
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  std::ifstream in(jpg, std::ios::binary);
  char head[2] = {0, 0};
  in.read(head, 2);
  EXPECT_EQ(static_cast<unsigned char>(head[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(head[1]), 0xD8);
  EXPECT_EQ(io::read_image(jpg).text, io::read_image(png).text);
  auto info = run_easel("info " + jpg);
  ASSERT_EQ(info.exit_code, 0) << info.out;
  EXPECT_NE(info.out.find("a red circle"), std::string::npos) << info.out;
  const std::string again = (tmp / "again.png").string();
  auto r = run_easel("generate --from " + jpg + " -q -o " + again);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(io::read_image(again).pixels, io::read_image(png).pixels);
}

}  // namespace
}  // namespace easel::test
