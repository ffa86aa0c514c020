#include "sampling/guidance.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "util/error.h"

namespace easel::sampling {
namespace {

TEST(Guidance, ClassifierFreeIsAffine) {
  auto u = torch::tensor({1.0f, 2.0f}), c = torch::tensor({3.0f, 1.0f});
  EXPECT_TRUE(torch::allclose(classifier_free_guidance(u, c, 7.5), torch::tensor({16.0f, -5.5f})));
  EXPECT_TRUE(torch::equal(classifier_free_guidance(u, c, 1.0), c));
}

TEST(Guidance, RescaleMatchesLinEtAlEq15And16) {
  torch::manual_seed(3);
  auto cond = torch::randn({2, 4, 3, 3}), guided = 5 * torch::randn({2, 4, 3, 3});
  EXPECT_TRUE(torch::equal(rescale_guidance(guided, cond, 0.0), guided));
  auto full = rescale_guidance(guided, cond, 1.0);
  // eq. 15: per-sample std of the result equals the conditional prediction's.
  for (int b = 0; b < 2; ++b) EXPECT_NEAR(full[b].std().item<double>(), cond[b].std().item<double>(), 1e-5);
  // eq. 16: blend.
  auto part = rescale_guidance(guided, cond, 0.7);
  EXPECT_TRUE(torch::allclose(part, 0.7 * full + 0.3 * guided, 1e-5, 1e-6));
}

TEST(Guidance, BatchHalvesAreUncondThenCond) {
  auto batch = torch::stack({torch::tensor({1.0f}), torch::tensor({3.0f})});
  EXPECT_NEAR(guide_batch(batch, 2.0).item<float>(), 5.0f, 1e-6);
  EXPECT_THROW(guide_batch(torch::zeros({3, 1}), 2.0), Error);
}

}  // namespace
}  // namespace easel::sampling
