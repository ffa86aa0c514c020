// DPM-Solver++(2S) (Lu et al. 2022b, "DPM-Solver++", Algorithm 1): a second-order singlestep solver. Steps go in
// pairs: an odd step i restarts from the sample at i - 1 and combines the x0 predicted there (m1) with the x0
// at the intermediate level i (m0): D = (1 - 1/(2r)) m1 + 1/(2r) m0, r = (lambda_i - lambda_{i-1}) /
// (lambda_{i+1} - lambda_{i-1}); even steps are first order. diffusers' DPMSolverSinglestepScheduler,
// solver_order 2, dpmsolver++, midpoint; its order list ends first-order (lower_order_final) when the step
// count is odd or the final sigma is 0, as diffusers forces.
#include "sampling/vp_solver.h"

namespace easel::sampling {

namespace {

class DpmSolverPP2S final : public VpSolver {
 public:
  DpmSolverPP2S(const NoiseConfig& config, const SamplerOptions& options, const SolverOptions& solver)
      : VpSolver(config, options, solver, FinalSigma::Zero, /*always_linspace=*/true) {}

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& /*gen*/) override {
    check_step(i);
    torch::Tensor x0 = to_x0(model_output, sample, i);
    const int n = num_steps();
    const bool lower_order_final = lower_order_final_ || n % 2 == 1 || final_is_zero();
    // img2img may start on an odd step: without the pair's first half it falls back to first order.
    const bool second = i % 2 == 1 && !(lower_order_final && i == n - 1) && has_previous(i);
    torch::Tensor out;
    if (second) {
      const double r = (lambda(i) - lambda(i - 1)) / (lambda(i + 1) - lambda(i - 1));
      out = dpmpp_first_order(previous() + (0.5 / r) * (x0 - previous()), anchor_, i - 1, i + 1);
    } else {
      anchor_ = sample;
      out = dpmpp_first_order(x0, sample, i, i + 1);
    }
    remember(x0, i);
    return out;
  }

 private:
  torch::Tensor anchor_;  // the sample the current pair of steps started from
};

}  // namespace

std::unique_ptr<Sampler> make_dpmpp_2s(const NoiseConfig& config, const SamplerOptions& options,
                                       const SolverOptions& solver) {
  return std::make_unique<DpmSolverPP2S>(config, options, solver);
}

}  // namespace easel::sampling
