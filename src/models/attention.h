// Multi-head attention: the one scaled-dot-product function every model uses (so it can be optimised in one
// place), and diffusers' `Attention` module (to_q / to_k / to_v / to_out.0, optional group_norm for the VAE).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace easel::models {

// softmax(q k^T / sqrt(d) + mask) v per head (Vaswani et al. 2017, eq. 1). q [B, N, heads*d], k and v
// [B, M, heads*d] -> [B, N, heads*d]. mask (optional) is additive, broadcastable to [B*heads, N, M].
// upcast computes scores and softmax in float32 for half-precision inputs (diffusers upcast_attention /
// upcast_softmax). Scores are computed in slices of heads and query rows of at most a few MiB, which bounds their
// memory and keeps them in cache.
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t heads,
                        const torch::Tensor& mask = {}, bool upcast = false);

struct AttentionOptions {
  int64_t query_dim = 0;
  int64_t context_dim = 0;  // 0 = self-attention (context_dim = query_dim)
  int64_t heads = 1;
  int64_t dim_head = 0;
  bool qkv_bias = false;    // the VAE's mid-block attention has biases, the UNet's has not
  bool upcast = false;
  int64_t norm_groups = 0;  // > 0: a `group_norm` before the projections (VAE mid block, eps 1e-6)
};

// diffusers models/attention_processor.py `Attention` with the classic AttnProcessor.
struct AttentionImpl : torch::nn::Module {
  explicit AttentionImpl(const AttentionOptions& options);
  // Token form: x [B, N, query_dim], context [B, M, context_dim] (undefined = self-attention).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});
  // Image form (VAE mid block): group_norm, self-attention over the H*W positions, residual added.
  torch::Tensor forward_spatial(const torch::Tensor& x);

  AttentionOptions options;
  torch::nn::GroupNorm group_norm{nullptr};
  torch::nn::Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
  torch::nn::ModuleList to_out;  // [0] = output Linear (diffusers keeps a Dropout at [1])
  torch::nn::Linear out_proj{nullptr};
};
TORCH_MODULE(Attention);

}  // namespace easel::models
