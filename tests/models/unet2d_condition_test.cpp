// UNet2DConditionModel against the oracle's diffusers 0.30.3 outputs (SD1 tiny, its 9-channel inpaint variant,
// SDXL tiny with text_time conditioning).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/component.h"
#include "model_test_util.h"
#include "test_util.h"
#include "util/error.h"

namespace easel::test {
namespace {

// case0: batch 2, int64 t [999, 1]; case1: odd 16x12 latents, 0-d float t; case2: unet_inpaint, 9 channels.
TEST(UNet2DCondition, MatchesDiffusersSd1Tiny) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  torch::NoGradGuard no_grad;
  auto unet = models::load_unet((dir / "diffusers/unet").string());
  auto refs = io::load_safetensors((dir / "refs/unet.safetensors").string());
  for (const std::string c : {"case0.", "case1."}) {
    auto out = unet->forward(ref(refs, c + "sample"), ref(refs, c + "timestep"), ref(refs, c + "encoder_hidden_states"));
    expect_close(out, ref(refs, c + "out"), c + "out");
  }
  auto inpaint = models::load_unet((dir / "unet_inpaint").string());
  EXPECT_EQ(inpaint->config.in_channels, 9);
  auto out = inpaint->forward(ref(refs, "case2.sample"), ref(refs, "case2.timestep"),
                              ref(refs, "case2.encoder_hidden_states"));
  expect_close(out, ref(refs, "case2.out_unet_inpaint"), "case2.out_unet_inpaint");
}

// bf16 weights and activations run end to end (GroupNorm, nearest upsampling, attention) and stay near float32.
TEST(UNet2DCondition, Bfloat16StaysCloseToFloat32) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  torch::NoGradGuard no_grad;
  auto unet = models::load_unet((dir / "diffusers/unet").string());
  auto refs = io::load_safetensors((dir / "refs/unet.safetensors").string());
  unet->to(torch::kBFloat16);
  auto out = unet->forward(ref(refs, "case1.sample"), ref(refs, "case1.timestep"),
                           ref(refs, "case1.encoder_hidden_states"));
  EXPECT_EQ(out.scalar_type(), torch::kBFloat16);
  const torch::Tensor expected = ref(refs, "case1.out");
  const double rel = (out.to(torch::kFloat) - expected).abs().max().item<double>() / expected.abs().max().item<double>();
  // 0.11 on an AMD EPYC with AVX2 and no AVX-512 or bf16 instructions, where bf16 products are emulated with more
  // rounding; within 0.05 on CPUs with avx512_bf16. Either way far from a wrong network (errors of order 1).
  EXPECT_LT(rel, 0.15) << "bf16 max abs error relative to the output range";
}

// Per-block heads (2, 4), transformer depth (1, 2), linear projections, text_time added conditioning.
TEST(UNet2DCondition, MatchesDiffusersSdxlTiny) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sdxl_tiny");
  torch::NoGradGuard no_grad;
  auto unet = models::load_unet((dir / "diffusers/unet").string());
  auto refs = io::load_safetensors((dir / "refs/unet.safetensors").string());
  models::UNetAddedCond added{ref(refs, "text_embeds"), ref(refs, "time_ids")};
  auto out = unet->forward(ref(refs, "sample"), ref(refs, "timestep"), ref(refs, "encoder_hidden_states"), added);
  expect_close(out, ref(refs, "out"), "out");
  EXPECT_THROW(unet->forward(ref(refs, "sample"), ref(refs, "timestep"), ref(refs, "encoder_hidden_states")), Error);
}

}  // namespace
}  // namespace easel::test
