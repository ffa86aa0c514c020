// UniPC (Zhao et al. 2023, "UniPC: A Unified Predictor-Corrector Framework"), order 2 in data-prediction form
// with B(h) = e^h - 1 ("bh2"): diffusers' UniPCMultistepScheduler defaults (solver_order 2, predict_x0,
// corrector on every step). Each step first corrects the sample the model was just evaluated at with UniC,
// using that evaluation (no extra model call), then predicts the next level with UniP.
// With hh = -h (data prediction), both updates are
//   x_t = (sigma_t / sigma_s0) x_s0 - alpha_t (e^{hh} - 1) m0 - alpha_t B(hh) sum_k rho_k D_k
// where D_k = (m_k - m0) / r_k are divided differences at the levels r_k = (lambda_k - lambda_s0) / h and the
// rho solve the order conditions sum_k rho_k r_k^(q-1) = q! hh phi_{q+1}(hh) / B(hh), with phi_1(z) = (e^z - 1)/z
// and phi_{k+1}(z) = (phi_k(z) - 1/k!) / z (UniC, paper §3.1: q = 1..p including the new evaluation at r = 1;
// UniP-2, §3.2: rho = 1/2 as the paper and diffusers simplify it).
#include <cmath>

#include "sampling/vp_solver.h"

namespace easel::sampling {

namespace {

class UniPC final : public VpSolver {
 public:
  UniPC(const NoiseConfig& config, const SamplerOptions& options, const SolverOptions& solver)
      : VpSolver(config, options, solver, FinalSigma::Zero) {}

  torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                     at::Generator& /*gen*/) override {
    check_step(i);
    // x0 of the uncorrected sample: that is what the model saw.
    torch::Tensor x0 = to_x0(model_output, sample, i);
    const bool have_prev = has_previous(i);
    torch::Tensor x = have_prev ? correct(x0, i) : sample;

    // UniP order: 2 once a previous x0 exists; 1 on the last step (lower_order_final, or forced when it lands
    // on sigma 0, where order 2 is undefined).
    int order = have_prev ? 2 : 1;
    if (i == num_steps() - 1 && (lower_order_final_ || final_is_zero())) order = 1;
    torch::Tensor out = dpmpp_first_order(x0, x, i, i + 1);
    if (order == 2) {
      const double h = lambda(i + 1) - lambda(i);
      const double r1 = (lambda(i - 1) - lambda(i)) / h;
      out = out - (alpha_t(i + 1) * std::expm1(-h) * 0.5 / r1) * (previous() - x0);
    }
    x0_prev2_ = have_prev ? previous() : torch::Tensor();
    remember(x0, i);
    last_sample_ = x;
    last_order_ = order;
    return out;
  }

 private:
  // UniC-p with p = the previous predictor's order: re-solves the step (i-1) -> i from the previous sample, now
  // also using x0 evaluated at i.
  torch::Tensor correct(const torch::Tensor& x0, int i) const {
    const double h = lambda(i) - lambda(i - 1);
    const double hh = -h;
    const double b_h = std::expm1(hh);     // bh2
    const torch::Tensor& m0 = previous();  // x0 at i - 1
    torch::Tensor base = dpmpp_first_order(m0, last_sample_, i - 1, i);
    const double scale = alpha_t(i) * b_h;
    if (last_order_ == 1) return base - (scale * 0.5) * (x0 - m0);
    // Order conditions for q = 1, 2 (see the top of the file).
    const double hh_phi2 = std::expm1(hh) / hh - 1.0;
    const double hh_phi3 = hh_phi2 / hh - 0.5;
    const double b1 = hh_phi2 / b_h, b2 = 2.0 * hh_phi3 / b_h;
    const double r1 = (lambda(i - 2) - lambda(i - 1)) / h;
    // [1 1; r1 1] [rho0 rho1]^T = [b1 b2]^T
    const double rho0 = (b1 - b2) / (1.0 - r1), rho1 = b1 - rho0;
    return base - scale * ((rho0 / r1) * (x0_prev2_ - m0) + rho1 * (x0 - m0));
  }

  // Valid while has_previous(): x0 at i - 2, the corrected sample step i - 1 started from, and its UniP order.
  torch::Tensor x0_prev2_;
  torch::Tensor last_sample_;
  int last_order_ = 1;
};

}  // namespace

std::unique_ptr<Sampler> make_unipc(const NoiseConfig& config, const SamplerOptions& options,
                                    const SolverOptions& solver) {
  return std::make_unique<UniPC>(config, options, solver);
}

}  // namespace easel::sampling
