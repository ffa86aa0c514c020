// Trains easel-mini's 4x upsampler on random 64x64 crops of 128x128 scenes, conditioned on the crop's 16x16
// downscale, which is blurred half of the time (Ramesh et al. 2022, appendix C: the first upsampler's conditioning
// is corrupted with Gaussian blur so it copes with the decoder's imperfect images).
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "models/mini_upsampler.h"
#include "pipelines/unclip_stages.h"
#include "sampling/schedule.h"
#include "train/grid.h"
#include "train/mini_configs.h"
#include "train/noising.h"
#include "train/tasks.h"
#include "train/world_batch.h"

namespace easel::train {
namespace {

namespace F = torch::nn::functional;

// Separable Gaussian blur of one image [1, C, h, w], 5 taps, edges replicated.
torch::Tensor gaussian_blur(const torch::Tensor& x, double sigma) {
  torch::Tensor k = torch::arange(-2, 3, torch::kFloat);
  k = (-(k * k) / (2 * sigma * sigma)).exp();
  k = k / k.sum();
  const int64_t C = x.size(1);
  torch::Tensor p = F::pad(x, F::PadFuncOptions({2, 2, 2, 2}).mode(torch::kReplicate));
  p = F::conv2d(p, k.view({1, 1, 1, 5}).repeat({C, 1, 1, 1}), F::Conv2dFuncOptions().groups(C));
  return F::conv2d(p, k.view({1, 1, 5, 1}).repeat({C, 1, 1, 1}), F::Conv2dFuncOptions().groups(C));
}

constexpr int64_t kLow = 32, kCrop = 64;

class UpsamplerTask : public Task {
 public:
  explicit UpsamplerTask(const TaskOptions& o) : seed_(o.seed) {
    config_ = o.config.is_null() ? default_upsampler_config() : o.config;
    model_ = models::MiniUpsampler(models::MiniUpsamplerConfig::from_json(config_, "upsampler config"));
    noise_ = sampling::NoiseConfig::from_json(upsampler_scheduler());
    abar_ = sampling::make_alphas_cumprod(noise_);
  }
  std::string kind() const override { return "upsampler"; }
  torch::nn::Module& module() override { return *model_; }

  torch::Tensor loss(uint64_t first, int64_t count) override {
    const int64_t k = model_->config.scale, full = kLow * k;
    WorldBatch b = world_batch(seed_, first, count, int(full));
    torch::Tensor crops = torch::empty({count, 3, kCrop, kCrop});
    torch::Tensor lows = torch::empty({count, 3, kCrop / k, kCrop / k});
    for (int64_t i = 0; i < count; ++i) {
      at::Generator gen = item_generator(seed_, /*stream=*/5, first + uint64_t(i));
      torch::Tensor u = torch::rand({4}, gen);
      // Offsets on the low-resolution grid, so the crop's downscale is exactly a crop of the image's downscale.
      const int64_t steps = (full - kCrop) / k + 1;
      const int64_t oy = std::min<int64_t>(int64_t(u[0].item<float>() * steps), steps - 1) * k;
      const int64_t ox = std::min<int64_t>(int64_t(u[1].item<float>() * steps), steps - 1) * k;
      torch::Tensor crop = b.images[i].slice(1, oy, oy + kCrop).slice(2, ox, ox + kCrop).unsqueeze(0);
      torch::Tensor low = F::avg_pool2d(crop, F::AvgPool2dFuncOptions(k));
      if (u[2].item<float>() < 0.5) low = gaussian_blur(low, 0.4 + 0.6 * u[3].item<double>());
      crops[i].copy_(crop[0]);
      lows[i].copy_(low[0]);
    }
    NoisedItems n = noise_items(crops, abar_, seed_, /*stream=*/4, first, 1);
    return torch::mse_loss(model_(n.x_t, n.t, lows), training_target(n, crops, noise_.prediction_type));
  }

  std::string evaluate() override { return ""; }

  // Rows: 4 validation scenes bicubic-upscaled from 32x32, the upsampler's 128x128 images, the true renders.
  std::optional<io::Image> sample_grid() override {
    const int64_t k = model_->config.scale;
    WorldBatch b = world_batch(validation_seed(seed_), 0, 4, int(kLow * k));
    torch::Tensor low = F::avg_pool2d(b.images, F::AvgPool2dFuncOptions(k));
    at::Generator gen = item_generator(seed_, 96, 0);
    torch::Tensor out = pipelines::sample_upsampler(model_, noise_, low, {}, gen);
    torch::Tensor bicubic = models::upscale_bicubic(low, kLow * k, kLow * k).clamp(-1, 1);
    return image_grid(torch::cat({bicubic, out, b.images}), 4);
  }

  std::map<std::string, std::string> metadata() const override {
    return {{"config", config_.dump()}, {"scheduler", upsampler_scheduler().dump()}};
  }

 private:
  uint64_t seed_;
  nlohmann::json config_;
  models::MiniUpsampler model_{nullptr};
  sampling::NoiseConfig noise_;
  torch::Tensor abar_;
};

}  // namespace

std::unique_ptr<Task> make_upsampler_task(const TaskOptions& o) { return std::make_unique<UpsamplerTask>(o); }

}  // namespace easel::train
