// easel-mini as an eval generator, on the shipped model: the decoder-alone mode (`easel eval --decoder-only`)
// gives the decoder's own 32x32 images, reproducibly, and judges them like any other images; the variations mode
// measures how far its variations move from their source.
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
  // From fresh noise whatever the model's variations do: the render's inverted latent would hand it the answer.
  model->settings.variation.invert = true;
  EXPECT_EQ(decode("a red circle above a blue square", 2, 5)[1].pixels, a[1].pixels);

  eval::RunOptions run;
  run.per_prompt = 1;
  const eval::EvalReport r = eval::run_eval({{std::nullopt, "a green star"}}, decode, run, {});
  ASSERT_EQ(r.prompts.size(), 1u);
  EXPECT_EQ(r.prompts[0].images.size(), 1u);
}

// The variations generator adds to VariationChange per call: each variation against its source and its neighbour,
// and the source against another render of the prompt. At eta 0 the decoder's images of a source are the same.
TEST(UnclipEvalGenerators, VariationsMeasureHowFarTheyMove) {
  if (!std::filesystem::exists(kShipped + "/decoder.safetensors"))
    GTEST_SKIP() << "models/easel-mini holds no trained model (" << kShipped << ")";
  auto model = std::make_shared<pipelines::UnclipModel>(pipelines::load_unclip(kShipped));
  model->settings.decoder.steps = 10;
  model->settings.decoder.candidates = 1;
  model->settings.upsampler.steps = 2;
  model->settings.variation = {true, 0.0, 1.0};  // eta 0: the source decoded back
  auto change = std::make_shared<eval::VariationChange>();
  EXPECT_TRUE(change->measures().empty());
  eval::Generator vary = eval::unclip_variation_generator(model, change);
  ASSERT_EQ(vary("a red circle above a blue square", 3, 5).size(), 3u);
  EXPECT_EQ(change->variations, 3);
  EXPECT_EQ(change->pairs, 2);
  EXPECT_EQ(change->sources, 1);
  const auto measures = change->measures();
  ASSERT_EQ(measures.size(), 3u);
  EXPECT_EQ(measures[0].first, "change_to_source");
  EXPECT_GT(measures[0].second, 0.0);
  EXPECT_LT(measures[0].second, measures[2].second) << "eta 0 moved further than a new scene";
  EXPECT_EQ(measures[1].first, "change_between_variations");
  EXPECT_LT(measures[1].second, 3.0) << "eta 0: the variations differ by the upsampler's noise alone";
  EXPECT_EQ(measures[2].first, "change_other_render");
  EXPECT_GT(measures[2].second, 1.0) << "another render of the prompt is the same scene";
}

}  // namespace
}  // namespace easel::test
