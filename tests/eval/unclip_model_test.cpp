// easel-mini as an eval generator, on the shipped model: the decoder-alone mode (`easel eval --decoder-only`)
// gives the decoder's own 32x32 images, reproducibly, and judges them like any other images.
#include <gtest/gtest.h>

#include <filesystem>

#include "eval/runner.h"
#include "eval/unclip_model.h"
#include "pipelines/unclip.h"

namespace easel::test {
namespace {

const std::string kShipped = std::string(EASEL_SOURCE_DIR) + "/models/easel-mini";

TEST(UnclipEvalGenerators, DecoderAloneDrawsReproducible32x32Images) {
  if (!std::filesystem::exists(kShipped + "/decoder.safetensors"))
    GTEST_SKIP() << "models/easel-mini holds no trained model (" << kShipped << ")";
  auto model = std::make_shared<pipelines::UnclipModel>(pipelines::load_unclip(kShipped));
  eval::Generator decode = eval::unclip_decoder_generator(model);
  const std::vector<io::Image> a = decode("a red circle above a blue square", 2, 5);
  const std::vector<io::Image> b = decode("a red circle above a blue square", 2, 5);
  ASSERT_EQ(a.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].width, model->decoder->config.image_size);
    EXPECT_EQ(a[i].height, model->decoder->config.image_size);
    EXPECT_EQ(a[i].pixels, b[i].pixels) << "same seed, different image " << i;
  }
  EXPECT_NE(a[0].pixels, a[1].pixels);
  // Another seed renders another scene for the prompt, so the decoder draws from another embedding.
  EXPECT_NE(decode("a red circle above a blue square", 1, 6)[0].pixels, a[0].pixels);

  eval::RunOptions run;
  run.per_prompt = 1;
  const eval::EvalReport r = eval::run_eval({{std::nullopt, "a green star"}}, decode, run, {});
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0].images.size(), 1u);
}

}  // namespace
}  // namespace easel::test
