#include "models/mini_prior.h"

#include <torch/torch.h>

#include "models/config_json.h"
#include "util/error.h"
#include "models/activation.h"

namespace easel::models {

namespace nn = torch::nn;

nlohmann::json MiniPriorConfig::to_json() const {
  return {{"embed_dim", embed_dim}, {"text_hidden", text_hidden}, {"max_length", max_length},
          {"width", width},         {"layers", layers},           {"heads", heads}};
}

MiniPriorConfig MiniPriorConfig::from_json(const nlohmann::json& j, const std::string& src) {
  MiniPriorConfig c;
  c.embed_dim = json_get<int64_t>(j, "embed_dim", c.embed_dim, src);
  c.text_hidden = json_get<int64_t>(j, "text_hidden", c.text_hidden, src);
  c.max_length = json_get<int64_t>(j, "max_length", c.max_length, src);
  c.width = json_get<int64_t>(j, "width", c.width, src);
  c.layers = json_get<int64_t>(j, "layers", c.layers, src);
  c.heads = json_get<int64_t>(j, "heads", c.heads, src);
  check(c.heads > 0 && c.width % c.heads == 0, src + ": prior width not divisible by heads");
  return c;
}

PriorBlockImpl::PriorBlockImpl(int64_t width, int64_t heads) {
  norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({width})));
  AttentionOptions a;
  a.query_dim = width;
  a.heads = heads;
  a.dim_head = width / heads;
  attn = register_module("attn", Attention(a));
  norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({width})));
  ff = register_module("ff", FeedForward(width));
}

torch::Tensor PriorBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x + attn(norm_in(norm1, x));
  return h + ff(norm_in(norm2, h));
}

MiniPriorImpl::MiniPriorImpl(const MiniPriorConfig& c) : config(c) {
  tokens_proj = register_module("tokens_proj", nn::Linear(c.text_hidden, c.width));
  text_proj = register_module("text_proj", nn::Linear(c.embed_dim, c.width));
  image_proj = register_module("image_proj", nn::Linear(c.embed_dim, c.width));
  time_embedding = register_module("time_embedding", TimestepEmbedding(c.width, c.width));
  positional_embedding =
      register_parameter("positional_embedding", torch::randn({1, c.max_length + 4, c.width}) * 0.02);
  query = register_parameter("query", torch::randn({1, 1, c.width}) * 0.02);
  nn::ModuleList list;
  for (int64_t i = 0; i < c.layers; ++i) {
    blocks.emplace_back(c.width, c.heads);
    list->push_back(blocks.back());
  }
  register_module("blocks", list);
  norm_out = register_module("norm_out", nn::LayerNorm(nn::LayerNormOptions({c.width})));
  proj_out = register_module("proj_out", nn::Linear(c.width, c.embed_dim));
}

torch::Tensor MiniPriorImpl::forward(const torch::Tensor& x_t, const torch::Tensor& t,
                                     const torch::Tensor& text_embeds, const torch::Tensor& text_hidden) {
  const int64_t B = x_t.size(0);
  check(text_hidden.dim() == 3 && text_hidden.size(1) == config.max_length,
        "prior: caption tokens must be [B, " + std::to_string(config.max_length) + ", hidden]");
  torch::Tensor tt = t.reshape({-1}).to(torch::kFloat);
  if (tt.size(0) == 1) tt = tt.expand({B});
  torch::Tensor temb = time_embedding(timestep_embedding(tt, config.width, true, 0));
  torch::Tensor seq = torch::cat({tokens_proj(text_hidden), text_proj(text_embeds).unsqueeze(1),
                                  temb.unsqueeze(1), image_proj(x_t).unsqueeze(1), query.expand({B, 1, config.width})},
                                 1) +
                      positional_embedding;
  for (auto& block : blocks) seq = block(seq);
  return proj_out(norm_in(norm_out, seq.select(1, seq.size(1) - 1)));
}

}  // namespace easel::models
