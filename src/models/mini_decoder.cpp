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
  if (word_layers > 0) j["word_layers"] = word_layers;
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
  c.word_layers = json_get<int64_t>(j, "word_layers", c.word_layers, src);
  check(c.word_layers >= 0 && c.word_layers <= 12, src + ": decoder word_layers must be in [0, 12]");
  check((c.text_layers == 0 && c.word_layers == 0) || c.text_hidden % 32 == 0,
        src + ": decoder text_layers and word_layers need text_hidden to be a multiple of 32 (heads of 32)");
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
  CLIPTextConfig layer;  // mini CLIP's own layer shape: heads of 32, a 4x MLP, gelu
  layer.hidden_size = c.text_hidden;
  layer.intermediate_size = 4 * c.text_hidden;
  layer.num_attention_heads = std::max<int64_t>(1, c.text_hidden / 32);
  layer.hidden_act = "gelu";
  if (c.text_layers > 0) {
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
  if (c.word_layers > 0) {
    nn::ModuleList list;
    for (int64_t i = 0; i < c.word_layers; ++i) {
      word_layers.emplace_back(layer);
      list->push_back(word_layers.back());
    }
    register_module("word_layers", list);
    word_norm = register_module("word_norm", nn::LayerNorm(nn::LayerNormOptions({c.text_hidden})));
    word_proj = register_module("word_proj", nn::Linear(c.text_hidden, c.text_hidden));
    torch::NoGradGuard no_grad;
    word_proj->weight.zero_();  // adds nothing at initialisation (see the header)
    word_proj->bias.zero_();
  }
  text_hidden_proj = register_module("text_hidden_proj", nn::Linear(c.text_hidden, ctx));
  text_norm = register_module("text_norm", nn::LayerNorm(nn::LayerNormOptions({ctx})));
  null_image_embed = register_parameter("null_image_embed", torch::zeros({c.embed_dim}));
}

torch::Tensor MiniDecoderImpl::forward(const torch::Tensor& x_t, const torch::Tensor& t,
                                       const torch::Tensor& image_embeds, const torch::Tensor& text_embeds,
                                       const torch::Tensor& text_hidden, const torch::Tensor& words_in) {
  const int64_t B = x_t.size(0);
  check(image_embeds.size(0) == B && text_embeds.size(0) == B && text_hidden.size(0) == B,
        "decoder: conditioning batch differs from the image batch");
  UNetAddedCond added;
  added.class_labels = image_to_time(image_embeds) + text_to_time(text_embeds);
  torch::Tensor tokens = image_to_tokens(image_embeds).reshape({B, config.context_tokens, -1});
  torch::Tensor words = text_hidden;
  if (!word_layers.empty()) {
    check(words_in.defined() && words_in.sizes() == text_hidden.sizes(),
          "decoder: its word layers need the caption's word embeddings, shaped like its tokens");
    torch::Tensor w = words_in;
    for (auto& layer : word_layers) w = layer->forward(w, torch::Tensor());  // unmasked: all words see all
    words = words + word_proj(norm_in(word_norm, w));
  }
  for (auto& layer : text_layers) words = layer->forward(words, torch::Tensor());  // unmasked: all words see all
  torch::Tensor context = torch::cat({tokens, norm_in(text_norm, text_hidden_proj(words))}, 1);
  return unet(x_t, t, context, added);
}

}  // namespace easel::models
