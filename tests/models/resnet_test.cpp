// ResnetBlock2D's scale_shift variant (diffusers' resnet_time_scale_shift "scale_shift", the adaptive group norm of
// Dhariwal & Nichol 2021): its output against the formula written out with functional ops, and the UNet config that
// turns it on. The "default" variant is pinned by the UNet's oracle tests (unet2d_condition_test.cpp).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/resnet.h"
#include "models/unet2d_condition.h"

namespace easel::test {
namespace {

namespace F = torch::nn::functional;

TEST(ResnetBlock2D, ScaleShiftScalesAndShiftsTheSecondNorm) {
  torch::manual_seed(3);
  models::ResnetBlock2D block(8, 16, 12, 4, 1e-5, /*scale_shift=*/true);
  ASSERT_EQ(block->time_emb_proj->weight.sizes(), (torch::IntArrayRef{32, 12}));  // [scale; shift]
  {
    torch::NoGradGuard no_grad;  // non-trivial norms, so a swapped weight or bias shows
    for (auto* norm : {&block->norm1, &block->norm2}) {
      (*norm)->weight.uniform_(0.5, 1.5);
      (*norm)->bias.uniform_(-0.5, 0.5);
    }
  }
  torch::Tensor x = torch::randn({2, 8, 6, 6}), temb = torch::randn({2, 12});
  torch::Tensor got = block(x, temb);

  auto norm = [](const torch::Tensor& h, torch::nn::GroupNorm& n) {
    return F::group_norm(h, F::GroupNormFuncOptions(4).weight(n->weight).bias(n->bias).eps(1e-5));
  };
  torch::Tensor h = block->conv1(torch::silu(norm(x, block->norm1)));
  torch::Tensor proj = block->time_emb_proj(temb);
  torch::Tensor scale = proj.slice(1, 0, 16).view({2, 16, 1, 1}), shift = proj.slice(1, 16).view({2, 16, 1, 1});
  h = block->conv2(torch::silu(norm(h, block->norm2) * (1 + scale) + shift));
  torch::Tensor want = block->conv_shortcut(x) + h;
  EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-5)) << (got - want).abs().max().item<float>();
}

TEST(ResnetBlock2D, UNetConfigTurnsScaleShiftOnInEveryResnet) {
  nlohmann::json j = {{"in_channels", 3},
                      {"out_channels", 3},
                      {"block_out_channels", {8, 16}},
                      {"down_block_types", {"DownBlock2D", "CrossAttnDownBlock2D"}},
                      {"up_block_types", {"CrossAttnUpBlock2D", "UpBlock2D"}},
                      {"layers_per_block", 1},
                      {"norm_num_groups", 4},
                      {"attention_head_dim", 2},
                      {"cross_attention_dim", 8},
                      {"resnet_time_scale_shift", "scale_shift"}};
  models::UNet2DConditionModel unet(models::UNetConfig::from_json(j));
  int resnets = 0;
  for (const auto& p : unet->named_parameters()) {
    if (p.key().find("time_emb_proj.weight") == std::string::npos) continue;
    ++resnets;
    const std::string block = p.key().substr(0, p.key().find(".resnets"));
    // each resnet projects to twice its output channels: 8 in down_blocks.0 and up_blocks.1, 16 elsewhere
    const int64_t out = block == "down_blocks.0" || block == "up_blocks.1" ? 8 : 16;
    EXPECT_EQ(p.value().size(0), 2 * out) << p.key();
  }
  EXPECT_EQ(resnets, 1 + 1 + 2 + 2 + 2);  // down 1 + 1, mid 2, up 2 + 2
  torch::Tensor out = unet(torch::randn({1, 3, 8, 8}), torch::tensor({10}), torch::randn({1, 3, 8}));
  EXPECT_EQ(out.sizes(), (torch::IntArrayRef{1, 3, 8, 8}));
}

}  // namespace
}  // namespace easel::test
