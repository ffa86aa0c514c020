// DEIS (Zhang & Chen 2022, "Fast Sampling of Diffusion Models with Exponential Integrator"), multistep order 2:
// with rho = sigma_t / alpha_t (= the table's sigma) the probability-flow ODE becomes d(x / alpha_t) = eps d rho,
// integrated exactly over [rho_s0, rho_t] after extrapolating eps through the last two steps with a Lagrange
// polynomial (diffusers' DEISMultistepScheduler, solver_type "logrho": the basis is linear in log rho).
// Defaults as diffusers: final level sigma_min, first-order final step below 15 steps.
#include <cmath>

#include "sampling/vp_solver.h"

namespace easel::sampling {

namespace {

// Antiderivative in rho of the Lagrange basis (log rho - log c) / (log b - log c).
double lagrange_integral(double rho, double b, double c) {
  return rho * (std::log(rho) - std::log(c) - 1.0) / (std::log(b) - std::log(c));
}

class Deis final : public VpSolver {
 public:
  Deis(const NoiseConfig& config, const SamplerOptions& options, const SolverOptions& solver)
      : VpSolver(config, options, solver, FinalSigma::SigmaMin) {}

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& /*gen*/) override {
    check_step(i);
    torch::Tensor eps = to_eps(model_output, sample, i);
    const bool second = has_previous(i) && !final_first_order(i);
    const double rt = sigma(i + 1), r0 = sigma(i);
    torch::Tensor x_over_alpha = sample / alpha_t(i);
    if (second) {
      const double r1 = sigma(i - 1);
      const double c0 = lagrange_integral(rt, r0, r1) - lagrange_integral(r0, r0, r1);
      const double c1 = lagrange_integral(rt, r1, r0) - lagrange_integral(r0, r1, r0);
      x_over_alpha = x_over_alpha + c0 * eps + c1 * previous();
    } else {
      x_over_alpha = x_over_alpha + (rt - r0) * eps;  // first order: DDIM
    }
    remember(eps, i);
    return alpha_t(i + 1) * x_over_alpha;
  }
};

}  // namespace

std::unique_ptr<Sampler> make_deis(const NoiseConfig& config, const SamplerOptions& options,
                                   const SolverOptions& solver) {
  return std::make_unique<Deis>(config, options, solver);
}

}  // namespace easel::sampling
