// The built-in model as shipped in models/easel-mini: it loads and makes a reproducible batch with its parameters.
// Its quality is measured by `easel eval --model builtin` (models/easel-mini/MODEL_CARD.md), not here: the shipped
// checkpoint does not reach issue #5's bars yet, and a test of the bar goes in with the model that does.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>

#include "eval/unclip_model.h"
#include "eval/world_model.h"
#include "io/image.h"
#include "pipelines/unclip.h"
#include "test_util.h"
#include "util/error.h"

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

// A model folder's sampling.json sets how it samples; the PNGs record the settings used.
TEST(BuiltinModel, AFoldersSamplingJsonSetsItsSettings) {
  SHIPPED_MODEL_OR_SKIP();
  TempDir dir;
  for (const char* f : {"clip", "prior", "decoder", "upsampler"})
    fs::create_symlink(fs::absolute(kShipped + "/" + f + ".safetensors"), dir / (std::string(f) + ".safetensors"));
  const pipelines::UnclipModel bare = pipelines::load_unclip(dir.path.string());  // the weights, no sampling.json
  std::ofstream(dir / "sampling.json")
      << R"({"decoder": {"steps": 3, "sampler": "ddpm", "guidance_rescale": 0.5, "caption_guidance": 1.5,)"
      << R"( "bf16": true},)"
      << R"( "upsampler": {"steps": 2, "window": 64}, "variation": {"invert": true, "eta": 0.25, "refine": 1}})";
  pipelines::UnclipModel m = pipelines::load_unclip(dir.path.string());
  EXPECT_EQ(m.hash, bare.hash) << "sampling.json is not weights";
  EXPECT_EQ(m.settings.decoder.steps, 3);
  EXPECT_EQ(m.settings.decoder.sampler, "ddpm");
  EXPECT_EQ(m.settings.decoder.guidance, pipelines::DecoderSettings{}.guidance);  // absent: the default
  EXPECT_EQ(m.settings.decoder.guidance_rescale, 0.5);
  EXPECT_EQ(m.settings.decoder.caption_guidance, 1.5);
  EXPECT_TRUE(m.settings.decoder.bf16);
  EXPECT_FALSE(bare.settings.decoder.bf16) << "no sampling.json: a float32 decoder";
  EXPECT_EQ(m.settings.upsampler.steps, 2);
  EXPECT_EQ(m.settings.upsampler.window, 64);
  EXPECT_EQ(m.settings.prior.steps, pipelines::PriorSettings{}.steps);
  EXPECT_TRUE(m.settings.variation.invert);
  EXPECT_EQ(m.settings.variation.eta, 0.25);
  EXPECT_EQ(m.settings.variation.guidance, pipelines::VariationSettings{}.guidance);
  EXPECT_EQ(m.settings.variation.refine, 1);
  EXPECT_FALSE(bare.settings.variation.invert) << "no sampling.json: variations from fresh noise";
  EXPECT_EQ(bare.settings.decoder.steps, pipelines::DecoderSettings{}.steps) << "no sampling.json: the defaults";
  int calls = 0;
  auto out = pipelines::unclip_generate(m, "a red circle", 1, 7, m.settings, [&](int, int) { ++calls; });
  ASSERT_EQ(out.images.size(), 1u);
  EXPECT_EQ(out.images[0].width, 128);
  std::string text;
  for (const auto& [key, value] : out.images[0].text) text += value + "\n";
  EXPECT_NE(text.find("Steps: 3, Sampler: ddpm"), std::string::npos) << text;
  const auto recorded = pipelines::GenerationParams::from_png_text(out.images[0].text, "out.png");
  const auto stages = pipelines::unclip_settings_from_json(nlohmann::json::parse(recorded.stages), "stages");
  EXPECT_EQ(stages.upsampler.window, 64);
  EXPECT_EQ(stages.upsampler.steps, 2);
  EXPECT_EQ(stages.decoder.sampler, "ddpm");
  EXPECT_EQ(stages.decoder.guidance_rescale, 0.5);
  EXPECT_EQ(stages.decoder.caption_guidance, 1.5);
  EXPECT_TRUE(stages.decoder.bf16);
  pipelines::UnclipSettings plain_guidance = m.settings;
  plain_guidance.decoder.guidance_rescale = 0;
  EXPECT_NE(pipelines::unclip_generate(m, "a red circle", 1, 7, plain_guidance).images[0].pixels,
            out.images[0].pixels)
      << "guidance_rescale is not used";
  pipelines::UnclipSettings no_caption_guidance = m.settings;
  no_caption_guidance.decoder.caption_guidance = 0;
  EXPECT_NE(pipelines::unclip_generate(m, "a red circle", 1, 7, no_caption_guidance).images[0].pixels,
            out.images[0].pixels)
      << "caption_guidance is not used";
  pipelines::UnclipSettings fp32 = m.settings;
  fp32.decoder.bf16 = false;
  EXPECT_NE(pipelines::unclip_generate(m, "a red circle", 1, 7, fp32).images[0].pixels, out.images[0].pixels)
      << "bf16 is not used";
  EXPECT_EQ(stages.prior.candidates, pipelines::PriorSettings{}.candidates);
  EXPECT_EQ(stages.decoder.candidates, 1);
}

// decoder.candidates draws that many images per one asked and keeps the one CLIP ranks closest: a real batch of n,
// reproducible, recorded in the PNG, and different from a single draw.
TEST(BuiltinModel, DecoderCandidatesAreRankedByCLIP) {
  SHIPPED_MODEL_OR_SKIP();
  auto m = shipped_model();
  pipelines::UnclipSettings s = m->settings;
  s.decoder.steps = 4;
  s.upsample = false;
  s.decoder.candidates = 1;  // the shipped sampling.json asks for 4
  const auto one = pipelines::unclip_generate(*m, "a red circle", 2, 7, s);
  s.decoder.candidates = 3;
  int done = 0, total = 0;
  const auto three = pipelines::unclip_generate(*m, "a red circle", 2, 7, s, [&](int d, int t) {
    done = d;
    total = t;
  });
  ASSERT_EQ(three.images.size(), 2u);
  EXPECT_EQ(three.images[0].width, 32);
  EXPECT_EQ(total, s.prior.steps + 4) << "progress counts the decoder's steps once, whatever the candidates";
  EXPECT_EQ(done, total);
  EXPECT_EQ(three.images[0].pixels, pipelines::unclip_generate(*m, "a red circle", 2, 7, s).images[0].pixels);
  EXPECT_TRUE(three.images[0].pixels != one.images[0].pixels || three.images[1].pixels != one.images[1].pixels)
      << "3 candidates gave what 1 gives";
  const auto recorded = pipelines::GenerationParams::from_png_text(three.images[1].text, "out.png");
  EXPECT_EQ(pipelines::unclip_settings_from_json(nlohmann::json::parse(recorded.stages), "stages").decoder.candidates,
            3);
  // The human-readable parameters line says so too; one candidate says nothing.
  EXPECT_NE(recorded.to_a1111().find("Decoder candidates: 3"), std::string::npos) << recorded.to_a1111();
  EXPECT_EQ(pipelines::GenerationParams::from_png_text(one.images[0].text, "one.png").to_a1111().find("candidates"),
            std::string::npos);
  // Variations rank theirs too (against the source image's embedding when there is no caption).
  EXPECT_EQ(pipelines::unclip_vary(*m, three.images[0], "", 2, 7, s).images.size(), 2u);
}

// A folder's ranker.safetensors ranks the decoder's candidates in clip's place, for generate and vary alike. With
// the model's own clip as its ranker the picks are exactly clip's; the ranker is weights (the hash changes), and a
// broken ranker file is refused naming it.
TEST(BuiltinModel, ARankerRanksTheCandidatesInClipsPlace) {
  SHIPPED_MODEL_OR_SKIP();
  TempDir dir;
  for (const char* f : {"clip", "prior", "decoder", "upsampler"})
    fs::create_symlink(fs::absolute(kShipped + "/" + f + ".safetensors"), dir / (std::string(f) + ".safetensors"));
  pipelines::UnclipModel plain = pipelines::load_unclip(dir.path.string());
  EXPECT_TRUE(plain.ranker.is_empty());
  fs::copy_file(kShipped + "/clip.safetensors", dir / "ranker.safetensors");
  pipelines::UnclipModel ranked = pipelines::load_unclip(dir.path.string());
  ASSERT_FALSE(ranked.ranker.is_empty());
  EXPECT_NE(ranked.hash, plain.hash) << "the ranker is part of the model";
  pipelines::UnclipSettings s = plain.settings;
  s.decoder.steps = 4;
  s.decoder.candidates = 3;
  s.upsample = false;
  const auto a = pipelines::unclip_generate(plain, "a red circle above a blue square", 2, 7, s);
  const auto b = pipelines::unclip_generate(ranked, "a red circle above a blue square", 2, 7, s);
  ASSERT_EQ(b.images.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(a.images[i].pixels, b.images[i].pixels) << "image " << i;
  EXPECT_EQ(pipelines::unclip_vary(plain, a.images[0], "", 2, 7, s).images[1].pixels,
            pipelines::unclip_vary(ranked, a.images[0], "", 2, 7, s).images[1].pixels);

  std::ofstream(dir / "ranker.safetensors", std::ios::trunc) << "not a model";
  try {
    pipelines::load_unclip(dir.path.string());
    ADD_FAILURE() << "a broken ranker file loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ranker.safetensors"), std::string::npos) << e.what();
  }
}

TEST(BuiltinModel, BadSamplingJsonIsRefusedNamingTheFile) {
  TempDir dir;
  const std::string path = (dir / "sampling.json").string();
  for (const std::string& bad : {std::string("{\"decoder\": {\"steps\": 3"), std::string("[1]"),
                                 std::string(R"({"decoder": {"stpes": 3}})"),
                                 std::string(R"({"decoder": {"steps": "many"}})"),
                                 std::string(R"({"vae": {}})"), std::string(R"({"decoder": {"steps": 0}})"),
                                 std::string(R"({"upsampler": {"window": -1}})"),
                                 std::string(R"({"decoder": {"guidance_rescale": 1.5}})"),
                                 std::string(R"({"decoder": {"candidates": 0}})"),
                                 std::string(R"({"decoder": {"candidates": 17}})"),
                                 std::string(R"({"decoder": {"caption_guidance": -1}})"),
                                 std::string(R"({"decoder": {"eta": -0.1}})"),
                                 std::string(R"({"decoder": {"bf16": 1}})"),
                                 std::string(R"({"decoder": {"sampler": "ddpm", "eta": 0.5}})"),
                                 std::string(R"({"variation": {"eta": 1.5}})"),
                                 std::string(R"({"variation": {"invert": 1}})"),
                                 std::string(R"({"variation": {"refine": -1}})"),
                                 std::string(R"({"variation": {"strength": 1}})")}) {
    std::ofstream(path, std::ios::trunc) << bad;
    try {
      pipelines::read_unclip_settings(path);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(pipelines::read_unclip_settings((dir / "missing.json").string()), Error);
}

// Variations from the source's inverted latent (unCLIP's bipartite latent, sampling.json "variation"): eta 0
// decodes the source back, eta 0.5 moves it, each variation differently, but less than variations from fresh
// noise do. Measured at 32x32 (the decoder's size) in levels, as `easel eval --variations` reports it.
TEST(BuiltinModel, InvertedVariationsStayNearTheirSource) {
  SHIPPED_MODEL_OR_SKIP();
  auto m = shipped_model();
  const io::Image source = eval::world_generator(128)("a red circle above a blue square", 1, 7).at(0);
  const auto levels = eval::change_levels;
  pipelines::UnclipSettings s = m->settings;
  s.upsample = false;
  s.decoder.candidates = 1;
  s.variation = {true, 0.0, 1.0};
  int total = 0;
  const auto back = pipelines::unclip_vary(*m, source, "", 2, 3, s, [&](int, int t) { total = t; });
  EXPECT_EQ(total, 2 * s.decoder.steps) << "progress counts the inversion's steps and the decoder's";
  const double back_levels = levels(back.images[0], source);
  std::vector<std::string> stages;
  for (const auto& [stage, seconds] : back.stage_seconds) stages.push_back(stage);
  EXPECT_EQ(stages, (std::vector<std::string>{"text", "inversion", "decoder", "png"}));
  ASSERT_EQ(back.images.size(), 2u);
  EXPECT_EQ(back.images[0].pixels, back.images[1].pixels) << "eta 0 drew noise";
  EXPECT_LT(back_levels, 4.0) << "eta 0 did not decode the source back";  // 1.5; unrefined 10.9, colours swapped
  const auto recorded = pipelines::GenerationParams::from_png_text(back.images[0].text, "v.png");
  const auto stages_json = pipelines::unclip_settings_from_json(nlohmann::json::parse(recorded.stages), "stages");
  EXPECT_TRUE(stages_json.variation.invert);
  EXPECT_EQ(stages_json.decoder.sampler, "ddim") << "the PNG records the sampler that ran";

  s.variation.eta = 0.5;
  const auto moved = pipelines::unclip_vary(*m, source, "", 2, 3, s);
  s.variation.invert = false;
  const auto fresh = pipelines::unclip_vary(*m, source, "", 2, 3, s);
  EXPECT_NE(moved.images[0].pixels, moved.images[1].pixels);
  const double near = (levels(moved.images[0], source) + levels(moved.images[1], source)) / 2,
               far = (levels(fresh.images[0], source) + levels(fresh.images[1], source)) / 2;
  std::printf("levels from the source: eta 0 %.2f, eta 0.5 %.2f, fresh %.2f\n", back_levels, near, far);
  EXPECT_GT(near, back_levels) << "eta 0.5 changed nothing";
  EXPECT_LT(near, far) << "inverted variations moved as far as fresh ones";
}

}  // namespace
}  // namespace easel::test
