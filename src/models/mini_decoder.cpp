#include "models/mini_decoder.h"

#include <torch/torch.h>

#include "models/config_json.h"
#include "util/error.h"
#include "models/activation.h"

namespace easel::models {

namespace nn = torch::nn;

nlohmann::json MiniDecoderConfig::to_json() const {
  nlohmann::json j = {{"unet", unet},
                      {"embed_dim", embed_dim},
                      {"text_hidden", text_hidden},
                      {"context_tokens", context_tokens},
                      {"image_size", image_size}};
  if (text_layers > 0) j["text_layers"] = text_layers;  // absent otherwise: older files' configs stay as they were
  return j;
}

MiniDecoderConfig MiniDecoderConfig::from_json(const nlohmann::json& j, const std::string& src) {
  MiniDecoderConfig c;
  check(j.contains("unet") && j["unet"].is_object(), src + ": decoder config has no unet config");
  c.unet = j["unet"];
  c.embed_dim = json_get<int64_t>(j, "embed_dim", c.embed_dim, src);
  c.text_hidden = json_get<int64_t>(j, "text_hidden", c.text_hidden, src);
  c.context_tokens = json_get<int64_t>(j, "context_tokens", c.context_tokens, src);
  c.image_size = json_get<int64_t>(j, "image_size", c.image_size, src);
  c.text_layers = json_get<int64_t>(j, "text_layers", c.text_layers, src);
  check(c.text_layers >= 0 && c.text_layers <= 12, src + ": decoder text_layers must be in [0, 12]");
  check(c.text_layers == 0 || c.text_hidden % 32 == 0,
        src + ": decoder text_layers need text_hidden to be a multiple of 32 (heads of 32)");
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
  if (c.text_layers > 0) {
    CLIPTextConfig layer;  // mini CLIP's own layer shape: heads of 32, a 4x MLP, gelu
    layer.hidden_size = c.text_hidden;
    layer.intermediate_size = 4 * c.text_hidden;
    layer.num_attention_heads = c.text_hidden / 32;
    layer.hidden_act = "gelu";
    nn::ModuleList list;
    torch::NoGradGuard no_grad;
    for (int64_t i = 0; i < c.text_layers; ++i) {
      text_layers.emplace_back(layer);
      for (auto* out : {&text_layers.back()->self_attn->out_proj, &text_layers.back()->fc2}) {
        (*out)->weight.zero_();  // the identity at initialisation (see the header)
        (*out)->bias.zero_();
      }
      list->push_back(text_layers.back());
    }
    register_module("text_layers", list);
  }
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
  torch::Tensor words = text_hidden;
  for (auto& layer : text_layers) words = layer->forward(words, torch::Tensor());  // unmasked: all words see all
  torch::Tensor context = torch::cat({tokens, norm_in(text_norm, text_hidden_proj(words))}, 1);
  return unet(x_t, t, context, added);
}

}  // namespace easel::models
