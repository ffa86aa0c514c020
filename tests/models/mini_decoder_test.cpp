// easel-mini's decoder on a tiny random decoder: its own text layers (config text_layers) start as the identity and
// its word layers (config word_layers) add nothing, so a trained decoder grows them without changing what it draws,
// and after a change they do act on the caption; the config keeps them and refuses impossible counts.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/mini_decoder.h"
#include "train/tiny_configs.h"
#include "util/error.h"

namespace easel::test {
namespace {

models::MiniDecoder tiny_decoder(int64_t text_layers, int64_t word_layers = 0) {
  nlohmann::json config = tiny_decoder_config();
  if (text_layers > 0) config["text_layers"] = text_layers;
  if (word_layers > 0) config["word_layers"] = word_layers;
  return models::MiniDecoder(models::MiniDecoderConfig::from_json(config, "tiny"));
}

// Gives `grown` every weight of `plain` (all but those whose names start with `added`); returns how many.
size_t copy_shared_weights(models::MiniDecoder& plain, models::MiniDecoder& grown, const std::string& added) {
  torch::NoGradGuard no_grad;
  size_t shared = 0;
  for (const auto& p : grown->named_parameters()) {
    if (p.key().rfind(added, 0) == 0) continue;
    p.value().copy_(plain->named_parameters()[p.key()]);
    ++shared;
  }
  return shared;
}

TEST(MiniDecoder, TextLayersStartAsTheIdentityAndThenReadTheCaption) {
  torch::manual_seed(0);
  models::MiniDecoder plain = tiny_decoder(0);
  models::MiniDecoder grown = tiny_decoder(2);
  const size_t shared = copy_shared_weights(plain, grown, "text_layers.");
  torch::NoGradGuard no_grad;
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

TEST(MiniDecoder, WordLayersAddNothingAtFirstAndThenReadTheWords) {
  torch::manual_seed(0);
  models::MiniDecoder plain = tiny_decoder(0);
  models::MiniDecoder grown = tiny_decoder(0, 2);
  const size_t shared = copy_shared_weights(plain, grown, "word_");
  torch::NoGradGuard no_grad;
  EXPECT_EQ(shared, plain->named_parameters().size());
  EXPECT_EQ(grown->named_parameters().size(), shared + 2 * 16 + 4);  // two layers, word_norm and word_proj
  for (const char* name : {"word_layers.1.mlp.fc2.weight", "word_layers.0.self_attn.q_proj.weight",
                           "word_norm.weight", "word_proj.weight"})
    EXPECT_TRUE(grown->named_parameters().contains(name)) << name;

  const torch::Tensor x = torch::randn({2, 3, 16, 16}), t = torch::tensor({10, 700});
  const torch::Tensor img = torch::randn({2, 32}), txt = torch::randn({2, 32}), hidden = torch::randn({2, 6, 32}),
                      words = torch::randn({2, 6, 32});
  const torch::Tensor want = plain(x, t, img, txt, hidden);
  EXPECT_TRUE(torch::equal(grown(x, t, img, txt, hidden, words), want));
  // Without the words (or with words of another shape) it says what is missing instead of guessing.
  for (const torch::Tensor& bad : {torch::Tensor(), torch::randn({2, 5, 32})}) {
    try {
      grown(x, t, img, txt, hidden, bad);
      ADD_FAILURE() << "the word layers ran without the caption's word embeddings";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("word embeddings"), std::string::npos) << e.what();
    }
  }

  // Once trained (here: a non-zero projection) what the decoder draws depends on the words, with the same tokens.
  grown->word_proj->weight.normal_(0, 0.5);
  const torch::Tensor read = grown(x, t, img, txt, hidden, words);
  EXPECT_GT((read - want).abs().max().item<double>(), 1e-4);
  EXPECT_GT((grown(x, t, img, txt, hidden, words.flip(1)) - read).abs().max().item<double>(), 1e-4);
}

TEST(MiniDecoder, ConfigKeepsTextAndWordLayersAndRefusesBadCounts) {
  for (const std::string key : {"text_layers", "word_layers"}) {
    nlohmann::json config = tiny_decoder_config();
    EXPECT_FALSE(models::MiniDecoderConfig::from_json(config, "tiny").to_json().contains(key));
    config[key] = 3;
    EXPECT_EQ(models::MiniDecoderConfig::from_json(config, "tiny").to_json().at(key), 3);
    for (const nlohmann::json& bad : {nlohmann::json(-1), nlohmann::json(13), nlohmann::json("two")}) {
      config[key] = bad;
      EXPECT_THROW(models::MiniDecoderConfig::from_json(config, "tiny"), Error) << key << " " << bad;
    }
    config[key] = 1;
    config["text_hidden"] = 48;  // not whole heads of 32
    try {
      models::MiniDecoderConfig::from_json(config, "decoder.safetensors");
      ADD_FAILURE() << "text_hidden 48 with " << key << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("decoder.safetensors"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace easel::test
