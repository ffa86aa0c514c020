// easel-mini's diffusion prior (Ramesh et al. 2022, sec. 2.2, "diffusion prior"): a transformer over the
// caption's tokens, the CLIP text embedding, the diffusion timestep, the noised CLIP image embedding and a final
// query token, whose output at the query predicts the clean (unnoised) image embedding directly.
//
// Names: tokens_proj, text_proj, image_proj, time_embedding.{linear_1, linear_2}, positional_embedding, query,
// blocks.N.{norm1, attn.{to_q, to_k, to_v, to_out.0}, norm2, ff.net.{0.proj, 2}}, norm_out, proj_out.
#pragma once
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

#include "models/attention.h"
#include "models/timestep_embedding.h"
#include "models/transformer2d.h"

namespace easel::models {

struct MiniPriorConfig {
  int64_t embed_dim = 128;     // CLIP embedding size
  int64_t text_hidden = 128;   // CLIP text encoder hidden size
  int64_t max_length = 32;     // caption tokens
  int64_t width = 256;
  int64_t layers = 4;
  int64_t heads = 4;

  nlohmann::json to_json() const;
  static MiniPriorConfig from_json(const nlohmann::json& j, const std::string& source);
};

// Pre-norm self-attention block: x += attn(norm1 x); x += ff(norm2 x).
struct PriorBlockImpl : torch::nn::Module {
  PriorBlockImpl(int64_t width, int64_t heads);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  Attention attn{nullptr};
  FeedForward ff{nullptr};
};
TORCH_MODULE(PriorBlock);

struct MiniPriorImpl : torch::nn::Module {
  explicit MiniPriorImpl(const MiniPriorConfig& config);
  // x_t [B, embed_dim] noised image embedding, t [B] or scalar timesteps, text_embeds [B, embed_dim],
  // text_hidden [B, max_length, text_hidden] -> predicted clean image embedding [B, embed_dim].
  torch::Tensor forward(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& text_embeds,
                        const torch::Tensor& text_hidden);

  MiniPriorConfig config;
  torch::nn::Linear tokens_proj{nullptr}, text_proj{nullptr}, image_proj{nullptr}, proj_out{nullptr};
  TimestepEmbedding time_embedding{nullptr};
  torch::Tensor positional_embedding, query;
  std::vector<PriorBlock> blocks;
  torch::nn::LayerNorm norm_out{nullptr};
};
TORCH_MODULE(MiniPrior);

}  // namespace easel::models
