// attention(): scores are computed in slices of heads and query rows (a few MiB each); the slicing must not change
// the result. Checked against the formula written out at once (Vaswani et al. 2017, eq. 1), at a size where one
// head's scores exceed a slice, so rows are split, with a per-row mask, a per-head mask and upcast bf16.
// Also the layout a Transformer2D block hands on.
#include <gtest/gtest.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include "models/attention.h"
#include "models/transformer2d.h"

namespace easel::test {
namespace {

// softmax(q k^T / sqrt(d) + mask) v per head, unsliced, in float64.
torch::Tensor reference(torch::Tensor q, torch::Tensor k, torch::Tensor v, int64_t heads, torch::Tensor mask = {}) {
  auto split = [heads](const torch::Tensor& x) {
    return x.to(torch::kDouble).reshape({x.size(0), x.size(1), heads, -1}).transpose(1, 2);  // [B, h, L, d]
  };
  const torch::Tensor qh = split(q), kh = split(k), vh = split(v);
  torch::Tensor scores = torch::matmul(qh, kh.transpose(-1, -2)) / std::sqrt(double(qh.size(-1)));
  if (mask.defined()) scores = scores + mask.to(torch::kDouble).reshape({q.size(0), -1, mask.size(-2), mask.size(-1)});
  const torch::Tensor out = torch::matmul(scores.softmax(-1), vh);  // [B, h, N, d]
  return out.transpose(1, 2).reshape({q.size(0), q.size(1), -1});
}

TEST(Attention, SlicedScoresGiveTheUnslicedResult) {
  torch::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(3);
  // 2100 x 2100 fp32 scores per head are 16.8 MiB: more than one 16 MiB slice, so query rows are split
  // (1997 + 103).
  const int64_t B = 2, N = 2100, M = 2100, heads = 2, d = 8;
  const torch::Tensor q = torch::randn({B, N, heads * d}, gen), k = torch::randn({B, M, heads * d}, gen),
                      v = torch::randn({B, M, heads * d}, gen);
  const torch::Tensor want = reference(q, k, v, heads);
  const torch::Tensor got = models::attention(q, k, v, heads);
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_LT((got.to(torch::kDouble) - want).abs().max().item<double>(), 1e-5);

  // An additive mask per head and query row ([B*heads, N, M]) is sliced with the scores.
  const torch::Tensor mask = torch::randn({B * heads, N, M}, gen) * 3;
  EXPECT_LT((models::attention(q, k, v, heads, mask).to(torch::kDouble) - reference(q, k, v, heads, mask))
                .abs()
                .max()
                .item<double>(),
            1e-5);
  // A mask broadcast over rows ([1, 1, M], e.g. padding) applies to every slice.
  const torch::Tensor pad = torch::zeros({1, 1, M}).index_fill_(2, torch::arange(2000, M), -1e9);
  EXPECT_LT((models::attention(q, k, v, heads, pad).to(torch::kDouble) -
             reference(q, k, v, heads, pad.expand({B * heads, N, M})))
                .abs()
                .max()
                .item<double>(),
            1e-5);

  // bf16 with upcast: scores and softmax in float32 (4-byte scores decide the slicing), close to the reference.
  const torch::Tensor qb = q.to(torch::kBFloat16), kb = k.to(torch::kBFloat16), vb = v.to(torch::kBFloat16);
  const torch::Tensor up = models::attention(qb, kb, vb, heads, {}, /*upcast=*/true);
  EXPECT_EQ(up.scalar_type(), torch::kBFloat16);
  EXPECT_LT((up.to(torch::kDouble) - reference(qb, kb, vb, heads)).abs().max().item<double>(), 2e-2);
}

TEST(Attention, CrossAttentionWithFewKeys) {
  torch::NoGradGuard no_grad;
  at::Generator gen = at::detail::createCPUGenerator(4);
  // SD's cross-attention shape: many queries (image positions), 77 keys (tokens), 8 heads.
  const torch::Tensor q = torch::randn({2, 4096, 64}, gen), k = torch::randn({2, 77, 64}, gen),
                      v = torch::randn({2, 77, 64}, gen);
  EXPECT_LT((models::attention(q, k, v, 8).to(torch::kDouble) - reference(q, k, v, 8)).abs().max().item<double>(),
            1e-5);
}

// A Transformer2D block hands back a plain NCHW tensor for either projection: its tokens come back channels-last,
// and a channels-last result made every following convolution re-lay its weights out on each call.
TEST(Transformer2D, OutputIsContiguousNchw) {
  torch::NoGradGuard no_grad;
  for (bool linear : {false, true}) {
    models::TransformerOptions o;
    o.channels = 64;
    o.heads = 2;
    o.cross_attention_dim = 16;
    o.linear_projection = linear;
    models::Transformer2DModel block(o);
    const torch::Tensor x = torch::randn({2, 64, 6, 5}), context = torch::randn({2, 7, 16});
    const torch::Tensor y = block->forward(x, context);
    EXPECT_EQ(y.sizes(), x.sizes());
    EXPECT_TRUE(y.is_contiguous()) << (linear ? "linear" : "conv") << " projection";
  }
}

}  // namespace
}  // namespace easel::test
