// transformers models/clip/modeling_clip.py `CLIPTextModel` and `CLIPTextModelWithProjection` (Radford et al.
// 2021): the text encoders of SD1.x (OpenAI ViT-L/14), SD2.x and SDXL (OpenCLIP ViT-H / bigG, the latter with
// projection). Parameter names are the transformers keys: text_model.embeddings.{token,position}_embedding,
// text_model.encoder.layers.N.{self_attn.{q,k,v,out}_proj, layer_norm1, mlp.fc1, mlp.fc2, layer_norm2},
// text_model.final_layer_norm, text_projection.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <string>
#include <vector>

namespace easel::models {

struct CLIPTextConfig {
  int64_t vocab_size = 49408;
  int64_t hidden_size = 768;
  int64_t intermediate_size = 3072;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t max_position_embeddings = 77;
  std::string hidden_act = "quick_gelu";  // or "gelu" (OpenCLIP models)
  double layer_norm_eps = 1e-5;
  int64_t eos_token_id = 2;               // 2 (legacy configs): pool at argmax(ids); else at the first eos
  int64_t projection_dim = 768;
  bool with_projection = false;           // CLIPTextModelWithProjection (architectures[0])

  static CLIPTextConfig from_json(const nlohmann::json& j, const std::string& source = "text encoder config");
  static CLIPTextConfig from_file(const std::string& path);
};

struct CLIPTextOutput {
  torch::Tensor last_hidden_state;           // final_layer_norm(hidden_states.back()) [B, S, hidden]
  std::vector<torch::Tensor> hidden_states;  // [0] = embeddings, [k] = after layer k (before final_layer_norm)
  torch::Tensor pooled_output;               // last_hidden_state at the eos position [B, hidden]
  torch::Tensor text_embeds;                 // text_projection(pooled_output) [B, projection_dim]; with projection
};

struct CLIPAttentionImpl : torch::nn::Module {
  CLIPAttentionImpl(int64_t hidden, int64_t heads);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);  // x [B, S, hidden], additive mask
  int64_t heads;
  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(CLIPAttention);

// Pre-norm layer: x += self_attn(layer_norm1 x, causal); x += mlp.fc2(act(mlp.fc1(layer_norm2 x))).
struct CLIPEncoderLayerImpl : torch::nn::Module {
  explicit CLIPEncoderLayerImpl(const CLIPTextConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);
  bool quick_gelu;
  CLIPAttention self_attn{nullptr};
  torch::nn::LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};  // registered under "mlp"
};
TORCH_MODULE(CLIPEncoderLayer);

struct CLIPTextModelImpl : torch::nn::Module {
  explicit CLIPTextModelImpl(const CLIPTextConfig& config);
  // input_ids [B, S] (S <= max_position_embeddings), int64. Returns every output; the text encoders are cheap
  // next to the UNet, so all hidden states are kept.
  CLIPTextOutput forward(const torch::Tensor& input_ids);
  // Conditioning with A1111 / sd.cpp clip skip (1 = all layers = last_hidden_state; 2 = final_layer_norm of
  // hidden_states[L-1], i.e. diffusers clip_skip=1), for 1 <= clip_skip <= num_hidden_layers.
  torch::Tensor clip_skip(const CLIPTextOutput& out, int64_t clip_skip);

  CLIPTextConfig config;
  torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
  std::vector<CLIPEncoderLayer> layers;
  torch::nn::LayerNorm final_layer_norm{nullptr};
  torch::nn::Linear text_projection{nullptr};
};
TORCH_MODULE(CLIPTextModel);

}  // namespace easel::models
