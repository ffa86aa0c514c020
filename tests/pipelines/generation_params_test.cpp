#include "pipelines/generation_params.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "util/error.h"

using easel::pipelines::GenerationParams;

TEST(GenerationParams, JsonRoundTripKeepsEveryField) {
  GenerationParams p;
  p.mode = "img2img";
  p.prompt = "a red circle \"quoted\"\nnew line, ünïcode";
  p.negative = "blurry";
  p.steps = 7;
  p.cfg = 4.25;
  p.sampler = "dpmpp_2m";
  p.schedule = "karras";
  p.eta = 0.5;
  p.seed = 18446744073709551615ull;
  p.width = 768;
  p.height = 512;
  p.n = 4;
  p.batch_index = 3;
  p.clip_skip = 2;
  p.guidance_rescale = 0.7;
  p.long_prompt = "chunk";
  p.dtype = "bf16";
  p.strength = 0.6;
  p.model = "sd15.safetensors";
  p.model_hash = "0123456789";
  p.stages = R"({"decoder":{"sampler":"ddpm","steps":50},"upsampler":{"window":64}})";
  GenerationParams q = GenerationParams::from_png_text(p.to_png_text(), "x.png");
  EXPECT_EQ(q.to_json(), p.to_json());
  EXPECT_EQ(nlohmann::json::parse(q.stages), nlohmann::json::parse(p.stages));
  EXPECT_FALSE(GenerationParams{}.to_json().contains("stages")) << "SD parameters carry no stages";
}

TEST(GenerationParams, A1111TextHasTheUsualFields) {
  GenerationParams p;
  p.prompt = "a cat";
  p.negative = "dog";
  p.seed = 5;
  p.width = 640;
  p.height = 384;
  std::string s = p.to_a1111();
  EXPECT_EQ(s.rfind("a cat\nNegative prompt: dog\nSteps: 20, Sampler: euler_a", 0), 0u) << s;
  EXPECT_NE(s.find("Seed: 5, Size: 640x384"), std::string::npos) << s;
}

TEST(GenerationParams, MissingKeysKeepDefaults) {
  GenerationParams q = GenerationParams::from_json(nlohmann::json{{"prompt", "x"}});
  EXPECT_EQ(q.prompt, "x");
  EXPECT_EQ(q.steps, GenerationParams{}.steps);
}

TEST(GenerationParams, ErrorsNameTheImageAndTheProblem) {
  auto expect_error = [](const std::vector<std::pair<std::string, std::string>>& text, const std::string& part) {
    try {
      GenerationParams::from_png_text(text, "photo.png");
      FAIL() << "no error for " << part;
    } catch (const easel::Error& e) {
      std::string m = e.what();
      EXPECT_NE(m.find("photo.png"), std::string::npos) << m;
      EXPECT_NE(m.find(part), std::string::npos) << m;
    }
  };
  expect_error({{"Software", "GIMP"}}, "not made by easel");
  expect_error({{"easel", "{not json"}}, "not valid JSON");
  expect_error({{"easel", R"({"steps": "many"})"}}, "'steps' has the wrong type");
  expect_error({{"easel", R"({"stages": [1]})"}}, "'stages' has the wrong type");
}
