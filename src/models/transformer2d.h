// diffusers models/transformers/transformer_2d.py `Transformer2DModel` (continuous input) and attention.py
// `BasicTransformerBlock` with its GEGLU `FeedForward`: the spatial transformer of the SD UNets.
// Names: norm, proj_in, transformer_blocks.N.{norm1, attn1, norm2, attn2, norm3, ff.net.0.proj, ff.net.2}, proj_out.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/attention.h"

namespace easel::models {

// One UNet block's spatial-transformer settings.
struct TransformerOptions {
  int64_t channels = 0;           // in = inner = out channels
  int64_t heads = 1;              // head size = channels / heads
  int64_t layers = 1;             // transformer_layers_per_block (SDXL: up to 10)
  int64_t cross_attention_dim = 0;
  int64_t groups = 32;            // of `norm` (GroupNorm, eps 1e-6)
  bool linear_projection = false; // SD2/SDXL: Linear proj_in/out; SD1: 1x1 Conv2d
  bool upcast_attention = false;  // SD2.1: attention scores in float32
};

// GEGLU feed-forward (Shazeer 2020): net.2(a * gelu(b)) with [a, b] = net.0.proj(x) split in halves.
struct FeedForwardImpl : torch::nn::Module {
  FeedForwardImpl(int64_t dim, int64_t mult = 4);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear proj{nullptr}, out{nullptr};
  torch::nn::ModuleList net;
};
TORCH_MODULE(FeedForward);

// Pre-norm block: x += attn1(norm1 x); x += attn2(norm2 x, context); x += ff(norm3 x).
struct BasicTransformerBlockImpl : torch::nn::Module {
  BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t cross_attention_dim, bool upcast_attention);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);  // x [B, N, dim]
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
  Attention attn1{nullptr}, attn2{nullptr};
  FeedForward ff{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

struct Transformer2DModelImpl : torch::nn::Module {
  explicit Transformer2DModelImpl(const TransformerOptions& options);
  // x [B, C, H, W], context [B, M, cross_attention_dim] -> [B, C, H, W] (residual included).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context);

  TransformerOptions options;
  torch::nn::GroupNorm norm{nullptr};
  torch::nn::AnyModule proj_in, proj_out;  // Conv2d 1x1 or Linear
  torch::nn::ModuleList transformer_blocks;
  std::vector<BasicTransformerBlock> blocks;
};
TORCH_MODULE(Transformer2DModel);

}  // namespace easel::models
