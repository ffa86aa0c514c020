#include "models/mini_clip.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "models/activation.h"
#include "models/config_json.h"
#include "util/error.h"

namespace easel::models {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nlohmann::json MiniClipConfig::to_json() const {
  return {{"text", text}, {"image_size", image_size}, {"image_channels", image_channels}, {"embed_dim", embed_dim}};
}

MiniClipConfig MiniClipConfig::from_json(const nlohmann::json& j, const std::string& src) {
  MiniClipConfig c;
  check(j.contains("text") && j["text"].is_object(), src + ": clip config has no text encoder config");
  c.text = j["text"];
  c.image_size = json_get<int64_t>(j, "image_size", c.image_size, src);
  c.image_channels = json_get(j, "image_channels", c.image_channels, src);
  c.embed_dim = json_get<int64_t>(j, "embed_dim", c.embed_dim, src);
  check(!c.image_channels.empty() && c.image_size >> (c.image_channels.size() - 1) >= 1,
        src + ": image_size too small for the number of image levels");
  return c;
}

MiniImageEncoderImpl::MiniImageEncoderImpl(const MiniClipConfig& c) {
  const auto& ch = c.image_channels;
  conv_in = register_module("conv_in", nn::Conv2d(nn::Conv2dOptions(3, ch[0], 3).padding(1)));
  nn::ModuleList res_list, down_list;
  for (size_t i = 0; i < ch.size(); ++i) {
    resnets.emplace_back(i == 0 ? ch[0] : ch[i - 1], ch[i], 0, 32, 1e-5);
    res_list->push_back(resnets.back());
    if (i + 1 < ch.size()) {
      downsamplers.emplace_back(ch[i], 1);
      down_list->push_back(downsamplers.back());
    }
  }
  register_module("resnets", res_list);
  register_module("downsamplers", down_list);
  norm_out = register_module("norm_out", nn::GroupNorm(nn::GroupNormOptions(32, ch.back())));
  const int64_t side = c.image_size >> (ch.size() - 1);
  proj = register_module("proj", nn::Linear(ch.back() * side * side, c.embed_dim));
}

torch::Tensor MiniImageEncoderImpl::forward(const torch::Tensor& images) {
  torch::Tensor h = conv_in(images);
  for (size_t i = 0; i < resnets.size(); ++i) {
    h = resnets[i](h);
    if (i < downsamplers.size()) h = downsamplers[i](h);
  }
  return proj(silu_act(norm_in(norm_out, h)).flatten(1));
}

MiniClipImpl::MiniClipImpl(const MiniClipConfig& c) : config(c) {
  CLIPTextConfig tc = CLIPTextConfig::from_json(c.text, "clip text config");
  check(tc.with_projection && tc.projection_dim == c.embed_dim,
        "clip config: the text encoder must project to embed_dim");
  text = register_module("text", CLIPTextModel(tc));
  vision = register_module("vision", MiniImageEncoder(c));
  logit_scale = register_parameter("logit_scale", torch::full({}, std::log(1 / 0.07)));
}

static torch::Tensor normalise(const torch::Tensor& x) {
  return F::normalize(x, F::NormalizeFuncOptions().dim(-1)) * std::sqrt(double(x.size(-1)));
}

MiniTextEncoding MiniClipImpl::encode_text(const torch::Tensor& ids) {
  CLIPTextOutput out = text(ids);
  return {normalise(out.text_embeds), out.last_hidden_state, out.hidden_states.front()};
}

torch::Tensor resize_images(const torch::Tensor& images, int64_t size) {
  if (images.size(-1) == size && images.size(-2) == size) return images;
  if (images.size(-1) > size && images.size(-2) > size) return F::adaptive_avg_pool2d(images, F::AdaptiveAvgPool2dFuncOptions({size, size}));
  return F::interpolate(images, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{size, size})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

torch::Tensor MiniClipImpl::encode_image(const torch::Tensor& images) {
  check(images.dim() == 4 && images.size(1) == 3, "clip: images must be [B, 3, H, W]");
  return normalise(vision(resize_images(images, config.image_size)));
}

torch::Tensor MiniClipImpl::contrastive_loss(const torch::Tensor& images, const torch::Tensor& ids,
                                            const torch::Tensor& negative_ids, const torch::Tensor& negative_valid) {
  const double d = double(config.embed_dim);
  const int64_t B = images.size(0);
  torch::Tensor img = encode_image(images) / std::sqrt(d);
  const bool negatives = negative_ids.defined();
  torch::Tensor txt = encode_text(negatives ? torch::cat({ids, negative_ids}) : ids).embeds / std::sqrt(d);
  // CLIP clips the learned temperature at 100 (Radford et al. 2021, sec. 2.5).
  torch::Tensor logits = img.matmul(txt.t()) * logit_scale.clamp_max(std::log(100.0)).exp();  // [B, B or 2B]
  torch::Tensor labels = torch::arange(B, torch::kInt64);
  torch::Tensor i2t = logits;
  if (negatives && negative_valid.defined()) {
    const torch::Tensor keep = torch::cat({torch::ones({B}, torch::kBool), negative_valid.to(torch::kBool)});
    i2t = logits.masked_fill(keep.logical_not().unsqueeze(0), -std::numeric_limits<float>::infinity());
  }
  // Text -> image over the true captions only: a negative caption has no image of its own.
  return 0.5 * (F::cross_entropy(i2t, labels) + F::cross_entropy(logits.narrow(1, 0, B).t(), labels));
}

}  // namespace easel::models
