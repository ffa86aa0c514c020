// Linear multistep (k-diffusion sample_lms, order 4), as diffusers LMSDiscreteScheduler: the step integrates
// the Lagrange polynomial through the last `order` derivatives over [sigma_i, sigma_{i+1}].
#include <torch/torch.h>

#include <deque>

#include "sampling/factories.h"
#include "sampling/sigma_sampler.h"

namespace easel::sampling {

namespace {

constexpr int kOrder = 4;

class LmsSampler : public SigmaSampler {
 public:
  LmsSampler(const NoiseConfig& config, const SamplerOptions& options)
      : SigmaSampler("lms", config, options, TimestepSpacing::Linspace) {
    float32_spacing_ = false;
  }

  void set_timesteps(int steps) override {
    set_one_call_per_step_schedule(steps);
    sigma_values_.assign(sigmas_.data_ptr<float>(), sigmas_.data_ptr<float>() + sigmas_.numel());
    derivatives_.clear();
  }

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    check_index(i);
    auto sigma = sigma_at(i);
    derivatives_.push_back((sample - predict_x0(model_output, sample, sigma)) / sigma);
    if (derivatives_.size() > kOrder) derivatives_.pop_front();
    int order = std::min(i + 1, kOrder);
    // Newest derivative pairs with coefficient 0; like diffusers' zip, stop at the shorter list. Summed
    // before adding to the sample, in diffusers' order.
    torch::Tensor update;
    for (int j = 0; j < order && j < static_cast<int>(derivatives_.size()); ++j) {
      auto term = lms_coefficient(order, i, j) * derivatives_[derivatives_.size() - 1 - j];
      update = update.defined() ? update + term : term;
    }
    return sample + update;
  }

 private:
  // Integral over [sigma_i, sigma_{i+1}] of the Lagrange basis polynomial of node i - current among the
  // nodes sigma_i, ..., sigma_{i-order+1}. The integrand has degree < 4, so 3-point Gauss-Legendre is exact.
  double lms_coefficient(int order, int i, int current) const {
    const auto& s = sigma_values_;
    auto basis = [&](double tau) {
      double prod = 1.0;
      for (int k = 0; k < order; ++k)
        if (k != current) prod *= (tau - s[i - k]) / (s[i - current] - s[i - k]);
      return prod;
    };
    const double a = s[i], b = s[i + 1], mid = (a + b) / 2, half = (b - a) / 2;
    const double x = std::sqrt(3.0 / 5.0);
    return half * (5.0 / 9.0 * basis(mid - half * x) + 8.0 / 9.0 * basis(mid) + 5.0 / 9.0 * basis(mid + half * x));
  }

  std::vector<double> sigma_values_;
  std::deque<torch::Tensor> derivatives_;
};

}  // namespace

std::unique_ptr<Sampler> make_lms(const NoiseConfig& config, const SamplerOptions& options) {
  return std::make_unique<LmsSampler>(config, options);
}

}  // namespace easel::sampling
