// easel-mini's decoder on a tiny random decoder: its own text layers (config text_layers) start as the identity, so
// a trained decoder grows them without changing what it draws, and after a change they do act on the caption; the
// config keeps them and refuses impossible counts.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/mini_decoder.h"
#include "train/tiny_configs.h"
#include "util/error.h"

namespace easel::test {
namespace {

models::MiniDecoder tiny_decoder(int64_t text_layers) {
  nlohmann::json config = tiny_decoder_config();
  if (text_layers > 0) config["text_layers"] = text_layers;
  return models::MiniDecoder(models::MiniDecoderConfig::from_json(config, "tiny"));
}

TEST(MiniDecoder, TextLayersStartAsTheIdentityAndThenReadTheCaption) {
  torch::manual_seed(0);
  models::MiniDecoder plain = tiny_decoder(0);
  models::MiniDecoder grown = tiny_decoder(2);
  torch::NoGradGuard no_grad;
  size_t shared = 0;
  for (const auto& p : grown->named_parameters()) {
    if (p.key().rfind("text_layers.", 0) == 0) continue;
    p.value().copy_(plain->named_parameters()[p.key()]);
    ++shared;
  }
  EXPECT_EQ(shared, plain->named_parameters().size());
  EXPECT_EQ(grown->named_parameters().size(), shared + 2 * 16);  // q, k, v, out, 2 norms, fc1, fc2: a weight and a bias each
  EXPECT_TRUE(grown->named_parameters().contains("text_layers.1.mlp.fc2.weight"));
  EXPECT_TRUE(grown->named_parameters().contains("text_layers.0.self_attn.q_proj.weight"));

  const torch::Tensor x = torch::randn({2, 3, 16, 16}), t = torch::tensor({10, 700});
  const torch::Tensor img = torch::randn({2, 32}), txt = torch::randn({2, 32}), hidden = torch::randn({2, 6, 32});
  const torch::Tensor want = plain(x, t, img, txt, hidden);
  EXPECT_TRUE(torch::equal(grown(x, t, img, txt, hidden), want));

  // Once trained (here: any non-zero output projections) they change what the caption's tokens say.
  grown->text_layers[0]->fc2->weight.normal_(0, 0.5);
  EXPECT_GT((grown(x, t, img, txt, hidden) - want).abs().max().item<double>(), 1e-4);
}

TEST(MiniDecoder, ConfigKeepsTextLayersAndRefusesBadCounts) {
  nlohmann::json config = tiny_decoder_config();
  EXPECT_FALSE(models::MiniDecoderConfig::from_json(config, "tiny").to_json().contains("text_layers"));
  config["text_layers"] = 3;
  EXPECT_EQ(models::MiniDecoderConfig::from_json(config, "tiny").to_json().at("text_layers"), 3);
  for (const nlohmann::json& bad : {nlohmann::json(-1), nlohmann::json(13), nlohmann::json("two")}) {
    config["text_layers"] = bad;
    EXPECT_THROW(models::MiniDecoderConfig::from_json(config, "tiny"), Error) << bad;
  }
  config["text_layers"] = 1;
  config["text_hidden"] = 48;  // not whole heads of 32
  try {
    models::MiniDecoderConfig::from_json(config, "decoder.safetensors");
    ADD_FAILURE() << "text_hidden 48 with text layers was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("decoder.safetensors"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace easel::test
