#include "models/transformer2d.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/conv.h>
#include "models/activation.h"

namespace easel::models {

namespace nn = torch::nn;

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult) {
  const int64_t inner = dim * mult;
  // diffusers nests the projection in a GEGLU module (net.0.proj) and keeps a Dropout at net.1.
  auto geglu = std::make_shared<nn::Module>("GEGLU");
  proj = geglu->register_module("proj", nn::Linear(dim, inner * 2));
  out = nn::Linear(inner, dim);
  net->push_back(geglu);
  net->push_back(nn::Identity());
  net->push_back(out);
  register_module("net", net);
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  auto parts = proj(x).chunk(2, -1);
  return out(parts[0] * torch::gelu(parts[1]));
}

BasicTransformerBlockImpl::BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t cross_dim, bool upcast) {
  AttentionOptions self_opts;
  self_opts.query_dim = dim;
  self_opts.heads = heads;
  self_opts.dim_head = dim / heads;
  self_opts.upcast = upcast;
  AttentionOptions cross_opts = self_opts;
  cross_opts.context_dim = cross_dim;
  norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-5)));
  attn1 = register_module("attn1", Attention(self_opts));
  norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-5)));
  attn2 = register_module("attn2", Attention(cross_opts));
  norm3 = register_module("norm3", nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-5)));
  ff = register_module("ff", FeedForward(dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
  torch::Tensor h = attn1(norm_in(norm1, x)) + x;
  h = attn2(norm_in(norm2, h), context) + h;
  return ff(norm_in(norm3, h)) + h;
}

Transformer2DModelImpl::Transformer2DModelImpl(const TransformerOptions& o) : options(o) {
  const int64_t C = o.channels;
  norm = register_module("norm", nn::GroupNorm(nn::GroupNormOptions(o.groups, C).eps(1e-6)));
  if (o.linear_projection) {
    proj_in = nn::AnyModule(register_module("proj_in", nn::Linear(C, C)));
    proj_out = nn::AnyModule(register_module("proj_out", nn::Linear(C, C)));
  } else {
    proj_in = nn::AnyModule(register_module("proj_in", nn::Conv2d(nn::Conv2dOptions(C, C, 1))));
    proj_out = nn::AnyModule(register_module("proj_out", nn::Conv2d(nn::Conv2dOptions(C, C, 1))));
  }
  for (int64_t i = 0; i < o.layers; ++i) {
    blocks.emplace_back(C, o.heads, o.cross_attention_dim, o.upcast_attention);
    transformer_blocks->push_back(blocks.back());
  }
  register_module("transformer_blocks", transformer_blocks);
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  // [B, C, H, W] <-> [B, H*W, C]: a free view when x is channels-last.
  auto to_tokens = [&](const torch::Tensor& t) { return t.permute({0, 2, 3, 1}).reshape({B, H * W, C}); };
  auto to_image = [&](const torch::Tensor& t) { return t.reshape({B, H, W, C}).permute({0, 3, 1, 2}); };
  torch::Tensor h = norm_in(norm, x);
  h = options.linear_projection ? proj_in.forward(to_tokens(h)) : to_tokens(proj_in.forward(h));
  for (auto& block : blocks) h = block(h, context);
  h = options.linear_projection ? to_image(proj_out.forward(h)) : proj_out.forward(to_image(h));
  // x first: an elementwise result takes its first operand's layout, and h is channels-last. A channels-last
  // output made every following convolution re-lay its weights out per call (bench_sd --profile, fp32 SD 1.5
  // UNet step: 47 weight copies, 1.4 s of 15).
  return x + h;
}

}  // namespace easel::models
