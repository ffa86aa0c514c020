// Long prompts on the oracle's tiny SD1 model: cut to 77 tokens with a warning that counts the dropped tokens
// (diffusers), or with --long-prompt chunk encoded as 77-token windows laid end to end (A1111, sd.cpp), the
// negative prompt padded with empty windows to the same length.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "pipelines/prompt_encoding.h"
#include "pipelines/sd_model.h"
#include "test_util.h"

namespace easel::test {
namespace {

std::string cats(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "cat ";
  return s;
}

TEST(PromptEncoding, LongPromptsAreCutWithAWarningOrChunked) {
  EASEL_SHARED_OR_SKIP(folder, "oracle/sd1_tiny/diffusers");
  pipelines::SDModel model = pipelines::load_sd_model(folder.string(), {});
  const std::string prompt = cats(80);  // 80 tokens: one window holds 75 between <bos> and <eos>

  pipelines::PromptOptions cut;
  auto a = pipelines::encode_prompts(model, prompt, "", cut);
  ASSERT_EQ(a.cond.context.size(1), 77);
  ASSERT_EQ(a.warnings.size(), 1u);
  EXPECT_NE(a.warnings[0].find("5 token(s) were dropped"), std::string::npos) << a.warnings[0];

  pipelines::PromptOptions chunk;
  chunk.chunk_long_prompts = true;
  auto b = pipelines::encode_prompts(model, prompt, "", chunk);
  EXPECT_TRUE(b.warnings.empty());
  const int64_t D = a.cond.context.size(2);
  ASSERT_EQ(b.cond.context.sizes(), (std::vector<int64_t>{1, 154, D}));
  ASSERT_EQ(b.uncond.context.sizes(), (std::vector<int64_t>{1, 154, D}));
  // Window 1 is the cut prompt's encoding; window 2 encodes the 5 remaining tokens on their own.
  EXPECT_TRUE(torch::allclose(b.cond.context.slice(1, 0, 77), a.cond.context, 1e-5, 1e-5));
  auto rest = pipelines::encode_prompts(model, cats(5), "", cut);
  EXPECT_TRUE(torch::allclose(b.cond.context.slice(1, 77, 154), rest.cond.context, 1e-5, 1e-5));
  // The empty negative becomes two empty windows.
  EXPECT_TRUE(torch::allclose(b.uncond.context.slice(1, 0, 77), a.uncond.context, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(b.uncond.context.slice(1, 77, 154), a.uncond.context, 1e-5, 1e-5));

  // A prompt that fits is the same either way.
  auto short_cut = pipelines::encode_prompts(model, cats(3), "", cut);
  auto short_chunk = pipelines::encode_prompts(model, cats(3), "", chunk);
  EXPECT_TRUE(short_cut.warnings.empty());
  EXPECT_TRUE(torch::equal(short_cut.cond.context, short_chunk.cond.context));
}

}  // namespace
}  // namespace easel::test
