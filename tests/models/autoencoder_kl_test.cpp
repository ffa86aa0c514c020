// AutoencoderKL against the oracle's diffusers 0.30.3 outputs (sd1_tiny/refs/vae.safetensors).
#include <gtest/gtest.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "models/component.h"
#include "model_test_util.h"
#include "test_util.h"

namespace easel::test {
namespace {

TEST(AutoencoderKL, DecodeMatchesDiffusers) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  torch::NoGradGuard no_grad;
  auto vae = models::load_vae((dir / "diffusers/vae").string());
  EXPECT_EQ(vae->downscale_factor(), 8);
  EXPECT_DOUBLE_EQ(vae->config.scaling_factor, 0.18215);
  auto refs = io::load_safetensors((dir / "refs/vae.safetensors").string());
  expect_close(vae->decode(ref(refs, "decode.latents")), ref(refs, "decode.out"), "decode.out");
}

// encode.image is the reference's own preprocessing of vae_encode_input.png (x / 255 * 2 - 1).
TEST(AutoencoderKL, EncodeMatchesDiffusers) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  torch::NoGradGuard no_grad;
  auto vae = models::load_vae((dir / "diffusers/vae").string());
  auto refs = io::load_safetensors((dir / "refs/vae.safetensors").string());
  torch::Tensor image = ref(refs, "encode.image_uint8").permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat) / 255 * 2 - 1;
  expect_close(image, ref(refs, "encode.image"), "encode.image", 1e-6, 0);
  auto dist = vae->encode(ref(refs, "encode.image"));
  expect_close(dist.moments, ref(refs, "encode.moments"), "encode.moments");
  expect_close(dist.mean, ref(refs, "encode.mean"), "encode.mean");
  expect_close(dist.logvar, ref(refs, "encode.logvar"), "encode.logvar");
  expect_close(dist.std, ref(refs, "encode.std"), "encode.std");
  expect_close(dist.mean + dist.std * ref(refs, "encode.sample_seed42_noise"), ref(refs, "encode.sample_seed42"),
               "encode.sample_seed42");
  expect_close(vae->decode(dist.mean), ref(refs, "roundtrip.decode_of_mean"), "roundtrip.decode_of_mean");
  // LibTorch's CPU generator is PyTorch's: the same seed draws the same posterior sample.
  expect_close(dist.sample(at::detail::createCPUGenerator(42)), ref(refs, "encode.sample_seed42"),
               "encode.sample_seed42 (generator seed 42)");
}

TEST(AutoencoderKL, SdxlConfigScalingFactor) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sdxl_tiny/diffusers/vae/config.json");
  auto config = models::AutoencoderKLConfig::from_file(dir.string());
  EXPECT_DOUBLE_EQ(config.scaling_factor, 0.13025);
  EXPECT_TRUE(config.force_upcast);
}

}  // namespace
}  // namespace easel::test
