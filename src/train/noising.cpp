#include "train/noising.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sampling/alpha_sampler.h"
#include "train/world_batch.h"

namespace easel::train {

NoisedItems noise_items(const torch::Tensor& x0, const torch::Tensor& alphas_cumprod, uint64_t seed,
                        uint64_t stream, uint64_t first, int64_t n_uniform, TimestepDraw draw) {
  const int64_t N = x0.size(0), T = alphas_cumprod.size(0);
  std::vector<int64_t> item_shape(x0.sizes().begin() + 1, x0.sizes().end());
  NoisedItems r;
  r.t = torch::empty({N}, torch::kInt64);
  r.noise = torch::empty_like(x0);
  r.uniform = torch::empty({N, std::max<int64_t>(n_uniform, 1)});
  for (int64_t i = 0; i < N; ++i) {
    at::Generator gen = item_generator(seed, stream, first + uint64_t(i));
    if (draw == TimestepDraw::Uniform) {
      r.t[i] = torch::randint(T, {1}, gen, torch::kInt64)[0];
    } else {
      const double u = 1.0 / (1.0 + std::exp(-torch::randn({1}, gen)[0].item<double>()));
      r.t[i] = std::min<int64_t>(T - 1, int64_t(u * double(T)));
    }
    r.noise[i].copy_(torch::randn(item_shape, gen));
    r.uniform[i].copy_(torch::rand({r.uniform.size(1)}, gen));
  }
  std::vector<int64_t> bshape(size_t(x0.dim()), 1);
  bshape[0] = N;
  r.abar = alphas_cumprod.index_select(0, r.t).reshape(bshape);
  r.x_t = r.abar.sqrt() * x0 + (1 - r.abar).sqrt() * r.noise;
  return r;
}

torch::Tensor training_target(const NoisedItems& n, const torch::Tensor& x0, sampling::Prediction prediction) {
  switch (prediction) {
    case sampling::Prediction::Epsilon:
      return n.noise;
    case sampling::Prediction::Sample:
      return x0;
    case sampling::Prediction::VPrediction:
      return n.abar.sqrt() * n.noise - (1 - n.abar).sqrt() * x0;
  }
  throw std::logic_error("training_target: unknown prediction type");
}

torch::Tensor predicted_x0(const NoisedItems& n, const torch::Tensor& output, sampling::Prediction prediction) {
  return sampling::predict_x0_eps(prediction, output, n.x_t, n.abar).first;
}

torch::Tensor capped_snr_weights(const NoisedItems& n, sampling::Prediction prediction, double gamma) {
  const torch::Tensor abar = n.abar.reshape({-1}).to(torch::kDouble);
  const torch::Tensor snr = abar / (1 - abar);
  torch::Tensor k;
  switch (prediction) {
    case sampling::Prediction::Epsilon:
      k = snr;
      break;
    case sampling::Prediction::Sample:
      k = torch::ones_like(snr);
      break;
    case sampling::Prediction::VPrediction:
      k = snr + 1;
      break;
  }
  return (k.clamp_max(gamma) / k).to(torch::kFloat);
}

torch::Tensor weighted_mse(const torch::Tensor& output, const torch::Tensor& target, const torch::Tensor& weights) {
  const torch::Tensor per_item = (output.to(torch::kFloat) - target.to(torch::kFloat)).pow(2).flatten(1).mean(1);
  return (per_item * weights).mean();
}

}  // namespace easel::train
