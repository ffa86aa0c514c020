#include "models/clip_text_model.h"

#include <limits>

#include "models/attention.h"
#include "models/config_json.h"
#include "util/error.h"
#include "models/activation.h"

namespace easel::models {

namespace nn = torch::nn;

CLIPTextConfig CLIPTextConfig::from_json(const nlohmann::json& j, const std::string& src) {
  CLIPTextConfig c;
  c.vocab_size = json_get<int64_t>(j, "vocab_size", c.vocab_size, src);
  c.hidden_size = json_get<int64_t>(j, "hidden_size", c.hidden_size, src);
  c.intermediate_size = json_get<int64_t>(j, "intermediate_size", c.intermediate_size, src);
  c.num_hidden_layers = json_get<int64_t>(j, "num_hidden_layers", c.num_hidden_layers, src);
  c.num_attention_heads = json_get<int64_t>(j, "num_attention_heads", c.num_attention_heads, src);
  c.max_position_embeddings = json_get<int64_t>(j, "max_position_embeddings", c.max_position_embeddings, src);
  c.hidden_act = json_get<std::string>(j, "hidden_act", c.hidden_act, src);
  c.layer_norm_eps = json_get<double>(j, "layer_norm_eps", c.layer_norm_eps, src);
  c.eos_token_id = json_get<int64_t>(j, "eos_token_id", c.eos_token_id, src);
  c.projection_dim = json_get<int64_t>(j, "projection_dim", c.projection_dim, src);
  const auto arch = json_get<std::vector<std::string>>(j, "architectures", {}, src);
  c.with_projection = !arch.empty() && arch[0] == "CLIPTextModelWithProjection";
  check(c.hidden_act == "quick_gelu" || c.hidden_act == "gelu", src + ": unsupported hidden_act " + c.hidden_act);
  check(c.num_attention_heads > 0 && c.hidden_size % c.num_attention_heads == 0,
        src + ": hidden_size not divisible by num_attention_heads");
  return c;
}

CLIPTextConfig CLIPTextConfig::from_file(const std::string& path) { return from_json(read_json_file(path), path); }

CLIPAttentionImpl::CLIPAttentionImpl(int64_t hidden, int64_t h) : heads(h) {
  q_proj = register_module("q_proj", nn::Linear(hidden, hidden));
  k_proj = register_module("k_proj", nn::Linear(hidden, hidden));
  v_proj = register_module("v_proj", nn::Linear(hidden, hidden));
  out_proj = register_module("out_proj", nn::Linear(hidden, hidden));
}

torch::Tensor CLIPAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  return out_proj(attention(q_proj(x), k_proj(x), v_proj(x), heads, mask));
}

CLIPEncoderLayerImpl::CLIPEncoderLayerImpl(const CLIPTextConfig& c) : quick_gelu(c.hidden_act == "quick_gelu") {
  self_attn = register_module("self_attn", CLIPAttention(c.hidden_size, c.num_attention_heads));
  layer_norm1 = register_module("layer_norm1", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  auto mlp = register_module("mlp", std::make_shared<nn::Module>("CLIPMLP"));
  fc1 = mlp->register_module("fc1", nn::Linear(c.hidden_size, c.intermediate_size));
  fc2 = mlp->register_module("fc2", nn::Linear(c.intermediate_size, c.hidden_size));
  layer_norm2 = register_module("layer_norm2", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
}

torch::Tensor CLIPEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  torch::Tensor h = x + self_attn(norm_in(layer_norm1, x), mask);
  torch::Tensor m = fc1(norm_in(layer_norm2, h));
  // quick_gelu: x * sigmoid(1.702 x) (the OpenAI CLIP approximation); gelu: the exact erf form.
  m = quick_gelu ? m * torch::sigmoid(1.702 * m) : torch::gelu(m);
  return h + fc2(m);
}

CLIPTextModelImpl::CLIPTextModelImpl(const CLIPTextConfig& c) : config(c) {
  auto text_model = register_module("text_model", std::make_shared<nn::Module>("CLIPTextTransformer"));
  auto embeddings = text_model->register_module("embeddings", std::make_shared<nn::Module>("CLIPTextEmbeddings"));
  token_embedding = embeddings->register_module("token_embedding", nn::Embedding(c.vocab_size, c.hidden_size));
  position_embedding =
      embeddings->register_module("position_embedding", nn::Embedding(c.max_position_embeddings, c.hidden_size));
  auto encoder = text_model->register_module("encoder", std::make_shared<nn::Module>("CLIPEncoder"));
  nn::ModuleList list;
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    layers.emplace_back(c);
    list->push_back(layers.back());
  }
  encoder->register_module("layers", list);
  final_layer_norm = text_model->register_module(
      "final_layer_norm", nn::LayerNorm(nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  if (c.with_projection)
    text_projection = register_module(
        "text_projection", nn::Linear(nn::LinearOptions(c.hidden_size, c.projection_dim).bias(false)));
}

CLIPTextOutput CLIPTextModelImpl::forward(const torch::Tensor& input_ids) {
  check(input_ids.dim() == 2 && input_ids.size(1) <= config.max_position_embeddings,
        "text encoder: input_ids must be [B, S] with S <= " + std::to_string(config.max_position_embeddings));
  const torch::Tensor ids = input_ids.to(torch::kLong);
  const int64_t B = ids.size(0), S = ids.size(1);
  check(ids.numel() == 0 || (ids.min().item<int64_t>() >= 0 && ids.max().item<int64_t>() < config.vocab_size),
        "text encoder: token id out of range [0, " + std::to_string(config.vocab_size) + ")");
  CLIPTextOutput out;
  torch::Tensor h = token_embedding(ids) + position_embedding(torch::arange(S, torch::kLong)).unsqueeze(0);
  // Causal mask: position i attends to j <= i (transformers _make_causal_mask: the float minimum above the
  // diagonal; it becomes -inf in half precision, harmless since no row is fully masked).
  const torch::Tensor mask = torch::full({S, S}, std::numeric_limits<float>::lowest(), torch::kFloat).triu(1);
  out.hidden_states.push_back(h);
  for (auto& layer : layers) {
    h = layer(h, mask);
    out.hidden_states.push_back(h);
  }
  out.last_hidden_state = norm_in(final_layer_norm, h);
  // Legacy configs (eos_token_id 2) pool at the highest id, which is <|endoftext|> in the CLIP vocabulary.
  torch::Tensor pos = config.eos_token_id == 2 ? ids.argmax(-1) : (ids == config.eos_token_id).to(torch::kInt).argmax(-1);
  out.pooled_output = out.last_hidden_state.index({torch::arange(B, torch::kLong), pos});
  if (text_projection) out.text_embeds = text_projection(out.pooled_output);
  return out;
}

torch::Tensor CLIPTextModelImpl::clip_skip(const CLIPTextOutput& out, int64_t skip) {
  const int64_t L = config.num_hidden_layers;
  check(skip >= 1 && skip <= L, "clip skip must be between 1 and " + std::to_string(L) + ", got " +
                                    std::to_string(skip));
  if (skip == 1) return out.last_hidden_state;
  return final_layer_norm(out.hidden_states[L - (skip - 1)]);
}

}  // namespace easel::models
