// The built-in model as shipped in models/easel-mini: it loads and makes a reproducible batch with its parameters.
// Its quality is measured by `easel eval --model builtin` (models/easel-mini/MODEL_CARD.md), not here: the shipped
// checkpoint does not reach issue #5's bars yet, and a test of the bar goes in with the model that does.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "pipelines/unclip.h"

namespace easel::test {
namespace {

namespace fs = std::filesystem;

const std::string kShipped = std::string(EASEL_SOURCE_DIR) + "/models/easel-mini";

#define SHIPPED_MODEL_OR_SKIP()                       \
  if (!fs::exists(kShipped + "/decoder.safetensors")) \
  GTEST_SKIP() << "models/easel-mini holds no trained model (" << kShipped << ")"

std::shared_ptr<pipelines::UnclipModel> shipped_model() {
  static auto model = std::make_shared<pipelines::UnclipModel>(pipelines::load_unclip(kShipped));
  return model;
}

TEST(BuiltinModel, GeneratesABatchReproduciblyWithItsParameters) {
  SHIPPED_MODEL_OR_SKIP();
  auto m = shipped_model();
  auto a = pipelines::unclip_generate(*m, "a red circle above a blue square", 2, 7, {});
  auto b = pipelines::unclip_generate(*m, "a red circle above a blue square", 2, 7, {});
  ASSERT_EQ(a.images.size(), 2u);
  EXPECT_TRUE(a.unknown_words.empty());
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a.images[i].width, 128);
    EXPECT_EQ(a.images[i].height, 128);
    EXPECT_EQ(a.images[i].pixels, b.images[i].pixels) << "same seed, different image " << i;
    std::string text;
    for (const auto& [key, value] : a.images[i].text) text += key + ": " + value + "\n";
    EXPECT_NE(text.find("easel-mini"), std::string::npos) << text;
    EXPECT_EQ(m->hash.size(), 10u);
    EXPECT_NE(text.find(m->hash), std::string::npos) << "model hash missing: " << text;
  }
  // The stages, timed in order (bench_unclip prints them).
  std::vector<std::string> stages;
  for (const auto& [stage, seconds] : a.stage_seconds) {
    stages.push_back(stage);
    EXPECT_GE(seconds, 0.0) << stage;
  }
  EXPECT_EQ(stages, (std::vector<std::string>{"text", "prior", "decoder", "upsampler", "png"}));
  EXPECT_NE(a.images[0].pixels, a.images[1].pixels) << "the two images of a batch are the same";
  EXPECT_FALSE(pipelines::unclip_generate(*m, "a red zorblat", 1, 7, {}).unknown_words.empty());
}

}  // namespace
}  // namespace easel::test
