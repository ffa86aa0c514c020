// decode_tiled: the blended tile decode stays close to the whole-image decode, and is exact for one tile.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/vae_tiling.h"
#include "util/error.h"

namespace easel::test {
namespace {

models::AutoencoderKL tiny_vae() {
  torch::manual_seed(7);
  models::AutoencoderKLConfig c;
  c.block_out_channels = {32, 32, 32, 64};  // factor 8 like SD, as the oracle's tiny VAE
  models::AutoencoderKL vae(c);
  vae->eval();
  return vae;
}

TEST(VaeTiling, OneTileIsTheWholeDecode) {
  torch::NoGradGuard no_grad;
  auto vae = tiny_vae();
  const torch::Tensor z = torch::randn({1, 4, 12, 10});
  EXPECT_TRUE(torch::equal(models::decode_tiled(*vae, z, 12, 4), vae->decode(z)));
}

// 40x36 latents in 16-pixel tiles overlapping by 6: 3x3 tiles, last ones flush with the border. Tiles see their own
// GroupNorm statistics and attention context, so the match is close rather than exact (measured with this random
// tiny VAE: mean 0.7%, max 13% of the output range; without the context margin around each tile: 1.7%, 27%).
TEST(VaeTiling, SeveralTilesStayCloseToTheWholeDecode) {
  torch::NoGradGuard no_grad;
  auto vae = tiny_vae();
  const torch::Tensor z = torch::randn({2, 4, 40, 36});
  const torch::Tensor whole = vae->decode(z), tiled = models::decode_tiled(*vae, z, 16, 6);
  ASSERT_EQ(tiled.sizes(), whole.sizes());
  const double range = (whole.max() - whole.min()).item<double>();
  const double mean_err = (tiled - whole).abs().mean().item<double>() / range;
  const double max_err = (tiled - whole).abs().max().item<double>() / range;
  std::printf("tiled vs whole decode, relative to the output range: mean %.4f max %.4f\n", mean_err, max_err);
  EXPECT_LT(mean_err, 0.01);
  EXPECT_LT(max_err, 0.2);
}

TEST(VaeTiling, RejectsBadTiles) {
  auto vae = tiny_vae();
  EXPECT_THROW(models::decode_tiled(*vae, torch::zeros({1, 4, 8, 8}), 4, 4), Error);
  EXPECT_THROW(models::decode_tiled(*vae, torch::zeros({1, 4, 8, 8}), 8, -1), Error);
}

}  // namespace
}  // namespace easel::test
