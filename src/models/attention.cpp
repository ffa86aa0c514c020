#include "models/attention.h"

#include <cmath>

#include "models/activation.h"
#include "util/error.h"

namespace easel::models {

namespace {
// Upper bound on one slice of attention scores (bytes): 4096x4096 fp32 per head at SD's 64x64 latent level is
// 64 MiB, so two heads at a time keep peak memory low at a negligible cost in matmul efficiency.
constexpr int64_t kScoreBudgetBytes = int64_t(128) << 20;

// [B, L, heads*d] -> [B*heads, L, d] (diffusers head_to_batch_dim).
torch::Tensor to_heads(const torch::Tensor& x, int64_t heads) {
  const int64_t B = x.size(0), L = x.size(1), d = x.size(2) / heads;
  return x.reshape({B, L, heads, d}).transpose(1, 2).reshape({B * heads, L, d});
}
}  // namespace

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t heads,
                        const torch::Tensor& mask, bool upcast) {
  check(q.dim() == 3 && k.dim() == 3 && v.dim() == 3 && q.size(2) % heads == 0 && v.size(2) % heads == 0,
        "attention: bad q/k/v shapes for " + std::to_string(heads) + " heads");
  const int64_t B = q.size(0), N = q.size(1), M = k.size(1), C = q.size(2);
  const double scale = 1.0 / std::sqrt(double(C / heads));
  const bool cast = upcast && q.scalar_type() != torch::kFloat;
  // Scaling q (N*d values) is cheaper than scaling the N*M scores.
  torch::Tensor qh = to_heads((cast ? q.to(torch::kFloat) : q) * scale, heads);
  torch::Tensor kh = to_heads(cast ? k.to(torch::kFloat) : k, heads).transpose(1, 2);
  torch::Tensor vh = to_heads(v, heads);

  const int64_t BH = B * heads;
  const int64_t per_slice = std::max<int64_t>(1, kScoreBudgetBytes / std::max<int64_t>(1, N * M * 4));
  const bool mask_per_head = mask.defined() && mask.dim() == 3 && mask.size(0) == BH && BH > 1;
  std::vector<torch::Tensor> outs;
  for (int64_t s = 0; s < BH; s += per_slice) {
    const int64_t e = std::min(BH, s + per_slice);
    torch::Tensor scores = torch::bmm(qh.slice(0, s, e), kh.slice(0, s, e));
    if (mask.defined()) scores = scores + (mask_per_head ? mask.slice(0, s, e) : mask).to(scores.scalar_type());
    torch::Tensor probs = scores.softmax(-1);
    if (cast) probs = probs.to(v.scalar_type());
    outs.push_back(torch::bmm(probs, vh.slice(0, s, e)));
  }
  torch::Tensor out = outs.size() == 1 ? outs[0] : torch::cat(outs, 0);
  const int64_t dv = v.size(2) / heads;
  return out.reshape({B, heads, N, dv}).transpose(1, 2).reshape({B, N, heads * dv});
}

AttentionImpl::AttentionImpl(const AttentionOptions& o) : options(o) {
  const int64_t inner = o.heads * o.dim_head;
  const int64_t ctx = o.context_dim > 0 ? o.context_dim : o.query_dim;
  if (o.norm_groups > 0)
    group_norm = register_module(
        "group_norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(o.norm_groups, o.query_dim).eps(1e-6)));
  to_q = register_module("to_q", torch::nn::Linear(torch::nn::LinearOptions(o.query_dim, inner).bias(o.qkv_bias)));
  to_k = register_module("to_k", torch::nn::Linear(torch::nn::LinearOptions(ctx, inner).bias(o.qkv_bias)));
  to_v = register_module("to_v", torch::nn::Linear(torch::nn::LinearOptions(ctx, inner).bias(o.qkv_bias)));
  out_proj = torch::nn::Linear(inner, o.query_dim);
  to_out->push_back(out_proj);
  register_module("to_out", to_out);
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
  const torch::Tensor& c = context.defined() ? context : x;
  return out_proj(attention(to_q(x), to_k(c), to_v(c), options.heads, {}, options.upcast));
}

torch::Tensor AttentionImpl::forward_spatial(const torch::Tensor& x) {
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  torch::Tensor h = group_norm ? norm_in(group_norm, x) : x;
  h = forward(h.reshape({B, C, H * W}).transpose(1, 2));
  return h.transpose(1, 2).reshape({B, C, H, W}) + x;
}

}  // namespace easel::models
