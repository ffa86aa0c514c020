// DPM-Solver++(2M) (Lu et al. 2022b, "DPM-Solver++", Algorithm 2): a second-order multistep solver of the
// diffusion ODE in data-prediction form, reusing the previous step's x0 instead of an extra model call; and its
// SDE variant SDE-DPM-Solver++(2M) (same paper, §5), which per step, with h = lambda_t - lambda_s and D the
// same combined x0, draws z ~ N(0, I) from the caller's generator (once per step, also on the last, as diffusers):
//   x_t = (sigma_t / sigma_s) e^{-h} x_s + alpha_t (1 - e^{-2h}) D + sigma_t sqrt(1 - e^{-2h}) z
// diffusers' DPMSolverMultistepScheduler, solver_order 2, midpoint, algorithm_type "dpmsolver++" /
// "sde-dpmsolver++".
#include <torch/torch.h>

#include <cmath>

#include "sampling/vp_solver.h"

namespace easel::sampling {

namespace {

class DpmSolverPP2M final : public VpSolver {
 public:
  DpmSolverPP2M(const NoiseConfig& config, const SamplerOptions& options, const SolverOptions& solver, bool sde)
      : VpSolver(config, options, solver, FinalSigma::Zero), sde_(sde) {}

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& gen) override {
    check_step(i);
    torch::Tensor x0 = to_x0(model_output, sample, i);
    // The first step (no history yet) and the stabilised last step are first order (DPM-Solver++(1) = DDIM).
    torch::Tensor d = has_previous(i) && !final_first_order(i) ? multistep_x0(x0, previous(), i) : x0;
    remember(x0, i);
    if (!sde_) return dpmpp_first_order(d, sample, i, i + 1);

    torch::Tensor noise = at::randn(model_output.sizes(), gen, model_output.options().dtype(torch::kFloat32));
    const double h = lambda(i + 1) - lambda(i);  // +inf when landing on sigma 0: x_t = D
    const double one_minus_e2h = -std::expm1(-2.0 * h);
    return (sigma_t(i + 1) / sigma_t(i) * std::exp(-h)) * sample + (alpha_t(i + 1) * one_minus_e2h) * d +
           (sigma_t(i + 1) * std::sqrt(one_minus_e2h)) * noise;
  }

 private:
  bool sde_;
};

}  // namespace

std::unique_ptr<Sampler> make_dpmpp_2m(const NoiseConfig& config, const SamplerOptions& options,
                                       const SolverOptions& solver) {
  return std::make_unique<DpmSolverPP2M>(config, options, solver, /*sde=*/false);
}

std::unique_ptr<Sampler> make_dpmpp_2m_sde(const NoiseConfig& config, const SamplerOptions& options,
                                           const SolverOptions& solver) {
  return std::make_unique<DpmSolverPP2M>(config, options, solver, /*sde=*/true);
}

}  // namespace easel::sampling
