#include "models/mini_upsampler.h"

#include <torch/torch.h>

#include "models/config_json.h"
#include "util/error.h"

namespace easel::models {

nlohmann::json MiniUpsamplerConfig::to_json() const { return {{"unet", unet}, {"scale", scale}}; }

MiniUpsamplerConfig MiniUpsamplerConfig::from_json(const nlohmann::json& j, const std::string& src) {
  MiniUpsamplerConfig c;
  check(j.contains("unet") && j["unet"].is_object(), src + ": upsampler config has no unet config");
  c.unet = j["unet"];
  c.scale = json_get<int64_t>(j, "scale", c.scale, src);
  check(c.scale >= 1, src + ": upsampler scale must be >= 1");
  return c;
}

MiniUpsamplerImpl::MiniUpsamplerImpl(const MiniUpsamplerConfig& c) : config(c) {
  UNetConfig uc = UNetConfig::from_json(c.unet, "upsampler unet config");
  check(uc.in_channels == 6 && uc.out_channels == 3, "upsampler unet config: needs 6 input and 3 output channels");
  unet = register_module("unet", UNet2DConditionModel(uc));
}

torch::Tensor upscale_bicubic(const torch::Tensor& images, int64_t H, int64_t W) {
  namespace F = torch::nn::functional;
  return F::interpolate(images, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{H, W})
                                    .mode(torch::kBicubic)
                                    .align_corners(false));
}

torch::Tensor MiniUpsamplerImpl::forward(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& low) {
  check(x_t.dim() == 4 && low.dim() == 4 && x_t.size(0) == low.size(0), "upsampler: x_t and low must be [B, 3, ., .]");
  check(x_t.size(2) == low.size(2) * config.scale && x_t.size(3) == low.size(3) * config.scale,
        "upsampler: the image must be " + std::to_string(config.scale) + "x the conditioning image");
  torch::Tensor up = upscale_bicubic(low.to(x_t.scalar_type()), x_t.size(2), x_t.size(3));
  return unet(torch::cat({x_t, up}, 1), t, torch::Tensor());
}

}  // namespace easel::models
