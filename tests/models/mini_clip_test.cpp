// easel-mini's CLIP loss on a tiny random CLIP: hard negatives (NegCLIP) only add competitors on the image -> text
// side, and the ones marked invalid drop out.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/mini_clip.h"
#include "train/tiny_configs.h"

namespace easel::test {
namespace {

TEST(MiniClip, HardNegativesAddImageToTextCompetitors) {
  torch::manual_seed(0);
  models::MiniClip clip(models::MiniClipConfig::from_json(tiny_clip_config(40, 8), "tiny"));
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::rand({4, 3, 16, 16}) * 2 - 1;
  const torch::Tensor ids = torch::randint(4, 40, {4, 8}, torch::kInt64);
  const torch::Tensor negatives = torch::randint(4, 40, {4, 8}, torch::kInt64);
  const double plain = clip->contrastive_loss(images, ids).item<double>();
  const double none_valid =
      clip->contrastive_loss(images, ids, negatives, torch::zeros({4}, torch::kBool)).item<double>();
  const double all_valid = clip->contrastive_loss(images, ids, negatives).item<double>();
  const double some_valid =
      clip->contrastive_loss(images, ids, negatives, torch::tensor({true, false, true, false})).item<double>();
  EXPECT_NEAR(none_valid, plain, 1e-5);
  EXPECT_GT(some_valid, plain);
  EXPECT_GT(all_valid, some_valid);

  // By hand: image -> text over the 8 captions, text -> image over the 4 images.
  const torch::Tensor img = clip->encode_image(images) / std::sqrt(32.0);
  const torch::Tensor txt = clip->encode_text(torch::cat({ids, negatives})).embeds / std::sqrt(32.0);
  const torch::Tensor logits = img.matmul(txt.t()) * clip->logit_scale.exp();
  const torch::Tensor labels = torch::arange(4, torch::kInt64);
  const double want = 0.5 * (torch::nn::functional::cross_entropy(logits, labels).item<double>() +
                             torch::nn::functional::cross_entropy(logits.narrow(1, 0, 4).t(), labels).item<double>());
  EXPECT_NEAR(all_valid, want, 1e-5);
}

}  // namespace
}  // namespace easel::test
