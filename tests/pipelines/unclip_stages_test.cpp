// The upsampler stage on a tiny random upsampler: tiled sampling (64x64 windows, as it was trained) is used on
// images larger than the window, the whole image otherwise, and bad windows are refused.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "pipelines/unclip_stages.h"
#include "sampling/schedule.h"
#include "train/mini_configs.h"
#include "train/tiny_configs.h"
#include "util/error.h"

namespace easel::test {
namespace {

torch::Tensor upsample(models::MiniUpsampler& up, const torch::Tensor& low, int window) {
  pipelines::UpsamplerSettings s;
  s.steps = 2;
  s.window = window;
  at::Generator gen = at::detail::createCPUGenerator(3);
  return pipelines::sample_upsampler(up, sampling::NoiseConfig::from_json(train::upsampler_scheduler()), low, s, gen);
}

TEST(UnclipStages, UpsamplerRunsInWindowsOnLargeImages) {
  torch::manual_seed(0);
  models::MiniUpsampler up(models::MiniUpsamplerConfig::from_json(tiny_upsampler_config(), "tiny"));
  up->eval();
  torch::Tensor low = torch::rand({2, 3, 32, 32}) * 2 - 1;
  torch::Tensor tiled = upsample(up, low, 64);
  ASSERT_EQ(tiled.sizes(), (std::vector<int64_t>{2, 3, 128, 128}));
  EXPECT_TRUE(torch::equal(tiled, upsample(up, low, 64)));       // reproducible
  EXPECT_FALSE(torch::allclose(tiled, upsample(up, low, 0)));    // 9 windows are not the whole image
  EXPECT_TRUE(torch::equal(upsample(up, low, 128), upsample(up, low, 0)));  // a window that holds it: whole
  EXPECT_THROW(upsample(up, low, 60), Error);  // not a multiple of 2 x scale
}

}  // namespace
}  // namespace easel::test
