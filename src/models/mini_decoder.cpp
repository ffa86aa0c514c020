#include "models/mini_decoder.h"

#include <torch/torch.h>

#include "models/config_json.h"
#include "util/error.h"
#include "models/activation.h"

namespace easel::models {

namespace nn = torch::nn;

nlohmann::json MiniDecoderConfig::to_json() const {
  return {{"unet", unet},
          {"embed_dim", embed_dim},
          {"text_hidden", text_hidden},
          {"context_tokens", context_tokens},
          {"image_size", image_size}};
}

MiniDecoderConfig MiniDecoderConfig::from_json(const nlohmann::json& j, const std::string& src) {
  MiniDecoderConfig c;
  check(j.contains("unet") && j["unet"].is_object(), src + ": decoder config has no unet config");
  c.unet = j["unet"];
  c.embed_dim = json_get<int64_t>(j, "embed_dim", c.embed_dim, src);
  c.text_hidden = json_get<int64_t>(j, "text_hidden", c.text_hidden, src);
  c.context_tokens = json_get<int64_t>(j, "context_tokens", c.context_tokens, src);
  c.image_size = json_get<int64_t>(j, "image_size", c.image_size, src);
  return c;
}

MiniDecoderImpl::MiniDecoderImpl(const MiniDecoderConfig& c) : config(c) {
  UNetConfig uc = UNetConfig::from_json(c.unet, "decoder unet config");
  check(uc.class_embed_type == "identity", "decoder unet config: class_embed_type must be identity");
  const int64_t ctx = uc.cross_attention_dim[0];
  unet = register_module("unet", UNet2DConditionModel(uc));
  image_to_time = register_module("image_to_time", nn::Linear(c.embed_dim, uc.time_embed_dim));
  text_to_time = register_module("text_to_time", nn::Linear(c.embed_dim, uc.time_embed_dim));
  image_to_tokens = register_module("image_to_tokens", nn::Linear(c.embed_dim, c.context_tokens * ctx));
  text_hidden_proj = register_module("text_hidden_proj", nn::Linear(c.text_hidden, ctx));
  text_norm = register_module("text_norm", nn::LayerNorm(nn::LayerNormOptions({ctx})));
  null_image_embed = register_parameter("null_image_embed", torch::zeros({c.embed_dim}));
}

torch::Tensor MiniDecoderImpl::forward(const torch::Tensor& x_t, const torch::Tensor& t,
                                       const torch::Tensor& image_embeds, const torch::Tensor& text_embeds,
                                       const torch::Tensor& text_hidden) {
  const int64_t B = x_t.size(0);
  check(image_embeds.size(0) == B && text_embeds.size(0) == B && text_hidden.size(0) == B,
        "decoder: conditioning batch differs from the image batch");
  UNetAddedCond added;
  added.class_labels = image_to_time(image_embeds) + text_to_time(text_embeds);
  torch::Tensor tokens = image_to_tokens(image_embeds).reshape({B, config.context_tokens, -1});
  torch::Tensor context = torch::cat({tokens, norm_in(text_norm, text_hidden_proj(text_hidden))}, 1);
  return unet(x_t, t, context, added);
}

}  // namespace easel::models
