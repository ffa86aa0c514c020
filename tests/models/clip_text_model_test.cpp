// CLIPTextModel / CLIPTextModelWithProjection against the oracle's transformers 4.30.2 outputs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/component.h"
#include "model_test_util.h"
#include "test_util.h"
#include "util/error.h"

namespace easel::test {
namespace {

// SD1 tiny (quick_gelu, legacy eos 2, file with position_ids): every hidden state, last state and pooled output.
TEST(CLIPTextModel, MatchesTransformersSd1Tiny) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  torch::NoGradGuard no_grad;
  auto model = models::load_clip_text_model((dir / "diffusers/text_encoder").string());
  auto refs = io::load_safetensors((dir / "refs/text_encoder.safetensors").string());
  for (int p = 0; p < 3; ++p) {
    const std::string k = "prompt" + std::to_string(p) + ".";
    auto out = model->forward(ref(refs, k + "input_ids"));
    expect_close(out.last_hidden_state, ref(refs, k + "last_hidden_state"), k + "last_hidden_state");
    expect_close(out.pooled_output, ref(refs, k + "pooler_output"), k + "pooler_output");
    ASSERT_EQ(out.hidden_states.size(), 3u);
    for (int h = 0; h < 3; ++h)
      expect_close(out.hidden_states[h], ref(refs, k + "hidden_states." + std::to_string(h)),
                   k + "hidden_states." + std::to_string(h));
    EXPECT_FALSE(out.text_embeds.defined());
    // A1111 clip skip 2 = final_layer_norm(hidden_states.1); clip skip 1 = last_hidden_state.
    EXPECT_TRUE(torch::equal(model->clip_skip(out, 1), out.last_hidden_state));
    EXPECT_TRUE(torch::allclose(model->clip_skip(out, 2), model->final_layer_norm(ref(refs, k + "hidden_states.1")),
                                1e-5, 1e-5));
  }
  EXPECT_THROW(model->clip_skip(model->forward(ref(refs, "prompt0.input_ids")), 3), Error);
}

// SDXL tiny: te1 (quick_gelu, hidden 16) and te2 (gelu, projection 24 != hidden 32), both saved without
// position_ids.
TEST(CLIPTextModel, MatchesTransformersSdxlTinyBothEncoders) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sdxl_tiny");
  torch::NoGradGuard no_grad;
  auto te1 = models::load_clip_text_model((dir / "diffusers/text_encoder").string());
  auto te2 = models::load_clip_text_model((dir / "diffusers/text_encoder_2").string());
  EXPECT_FALSE(te1->config.with_projection);
  EXPECT_TRUE(te2->config.with_projection);
  EXPECT_EQ(te1->config.hidden_act, "quick_gelu");
  EXPECT_EQ(te2->config.hidden_act, "gelu");
  auto refs = io::load_safetensors((dir / "refs/text_encoders.safetensors").string());
  for (int p = 0; p < 2; ++p) {
    for (auto [name, model] : {std::pair{"te1", te1}, std::pair{"te2", te2}}) {
      const std::string k = "prompt" + std::to_string(p) + "." + name + ".";
      auto out = model->forward(ref(refs, k + "input_ids"));
      expect_close(out.last_hidden_state, ref(refs, k + "last_hidden_state"), k + "last_hidden_state");
      for (int h = 0; h < 4; ++h)
        expect_close(out.hidden_states[h], ref(refs, k + "hidden_states." + std::to_string(h)),
                     k + "hidden_states." + std::to_string(h));
      if (std::string(name) == "te2") expect_close(out.text_embeds, ref(refs, k + "text_embeds"), k + "text_embeds");
    }
  }
}

}  // namespace
}  // namespace easel::test
