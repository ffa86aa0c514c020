#include "models/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/activation.h"
#include "util/error.h"

namespace easel::models {

namespace {
// Upper bound on one slice of attention scores (bytes). Slices go over heads and, when one head's N x M scores are
// larger, over query rows (each row's softmax is its own, so the result is the same). At SD's 64x64 latent level
// one head's scores are 4096 x 4096 (32 MiB in bf16); writing, soft-maxing and re-reading whole 128 MiB slices
// made softmax and bmm 64% of a bf16 UNet step. SD 1.5 UNet step at 512 with CFG by budget (bench_sd, 2 threads):
// bf16 flat from 2 to 16 MiB (8.5-9.1 s on an AMX machine; 11.7-12.1 s without AMX), 20.1 s at 128 MiB; fp32
// (OpenBLAS's AVX-512 kernels) 2 MiB 18.0 s, 4 MiB 14.0-15.3 s, 8 MiB 13.6 s, 16 MiB 12.4-12.8 s, 32 MiB 11.9 s,
// 64 MiB 12.7 s.
constexpr int64_t kScoreBudgetBytes = int64_t(16) << 20;

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
  const int64_t dv = v.size(2) / heads;
  const int64_t score_bytes = cast ? 4 : q.element_size();
  const int64_t rows = std::clamp<int64_t>(kScoreBudgetBytes / std::max<int64_t>(1, M * score_bytes), 1, N);
  const int64_t per_slice =
      rows < N ? 1 : std::max<int64_t>(1, kScoreBudgetBytes / std::max<int64_t>(1, N * M * score_bytes));
  const bool mask_per_head = mask.defined() && mask.dim() == 3 && mask.size(0) == BH && BH > 1;
  const bool mask_per_row = mask.defined() && mask.dim() >= 2 && mask.size(-2) == N && N > 1;
  std::vector<torch::Tensor> heads_out;  // [slice heads, N, dv] each
  for (int64_t s = 0; s < BH; s += per_slice) {
    const int64_t e = std::min(BH, s + per_slice);
    std::vector<torch::Tensor> rows_out;
    for (int64_t r = 0; r < N; r += rows) {
      const int64_t re = std::min(N, r + rows);
      torch::Tensor scores = torch::bmm(qh.slice(0, s, e).slice(1, r, re), kh.slice(0, s, e));
      if (mask.defined()) {
        torch::Tensor m = mask_per_head ? mask.slice(0, s, e) : mask;
        if (mask_per_row) m = m.slice(-2, r, re);
        scores = scores + m.to(scores.scalar_type());
      }
      torch::Tensor probs = scores.softmax(-1);
      if (cast) probs = probs.to(v.scalar_type());
      rows_out.push_back(torch::bmm(probs, vh.slice(0, s, e)));
    }
    heads_out.push_back(rows_out.size() == 1 ? rows_out[0] : torch::cat(rows_out, 1));
  }
  torch::Tensor out = heads_out.size() == 1 ? heads_out[0] : torch::cat(heads_out, 0);
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
