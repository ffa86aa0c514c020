// The DPM-Solver family: DPM-Solver++ 2M and 2M SDE (dpmpp_2m.cpp), 2S (dpmpp_2s.cpp), UniPC (unipc.cpp) and DEIS
// (deis.cpp), and the base they share.
//
// All of them integrate the diffusion ODE (or SDE) of a variance-preserving process written with
//   sigma = sqrt((1 - abar) / abar),  alpha_t = 1 / sqrt(1 + sigma^2),  sigma_t = sigma * alpha_t,
//   lambda = log(alpha_t / sigma_t) = -log(sigma)          (half log-SNR; Lu et al. 2022, DPM-Solver §3.1)
// over a table of N + 1 sigmas (the N model calls plus the final level), exactly as diffusers 0.30.3's
// DPMSolverMultistep / DPMSolverSinglestep / UniPCMultistep / DEISMultistep schedulers: int64 timesteps, latents
// fed to the model unscaled, init_noise_sigma 1. --schedule karras follows use_karras_sigmas; --schedule
// exponential (added to diffusers after 0.30.3) spaces the sigmas log-uniformly between the same end points and
// rounds their timesteps as Karras does.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "sampling/sampler.h"

namespace easel::sampling {

// Where the last step lands: sigma 0 (a clean sample) or the smallest training sigma.
enum class FinalSigma { Zero, SigmaMin };

// Solver settings of these diffusers schedulers beyond NoiseConfig and the CLI's SamplerOptions.
struct SolverOptions {
  std::optional<FinalSigma> final_sigma;  // absent: the scheduler's diffusers default (Zero; DEIS: SigmaMin)
  // First-order final step(s) as each scheduler defines it: 2M / 2M SDE / DEIS below 15 steps, UniPC always,
  // 2S the end of its order list. Landing on sigma 0 forces it regardless.
  bool lower_order_final = true;
};

// Factories; make_sampler (registry.cpp) calls them with default SolverOptions.
std::unique_ptr<Sampler> make_dpmpp_2m(const NoiseConfig& config, const SamplerOptions& options,
                                       const SolverOptions& solver = {});
std::unique_ptr<Sampler> make_dpmpp_2m_sde(const NoiseConfig& config, const SamplerOptions& options,
                                           const SolverOptions& solver = {});
std::unique_ptr<Sampler> make_dpmpp_2s(const NoiseConfig& config, const SamplerOptions& options,
                                       const SolverOptions& solver = {});
std::unique_ptr<Sampler> make_unipc(const NoiseConfig& config, const SamplerOptions& options,
                                    const SolverOptions& solver = {});
std::unique_ptr<Sampler> make_deis(const NoiseConfig& config, const SamplerOptions& options,
                                   const SolverOptions& solver = {});

// The shared part: the sigma table, the conversions of a model output, img2img noising, the first-order
// (DDIM-equivalent) data-prediction step, and the one-step history every multistep solver keeps.
class VpSolver : public Sampler {
 public:
  void set_timesteps(int num_inference_steps) override;
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int i) const override;
  // The N + 1 sigmas of the current schedule (float32 values, as diffusers stores them).
  const std::vector<double>& sigmas() const { return sigmas_; }

 protected:
  // `default_final`: the scheduler's diffusers default when `solver` leaves it open. `always_linspace`:
  // DPMSolverSinglestep (0.30.3) ignores the config's timestep_spacing.
  VpSolver(const NoiseConfig& config, const SamplerOptions& options, const SolverOptions& solver,
           FinalSigma default_final, bool always_linspace = false);

  int num_steps() const { return static_cast<int>(sigmas_.size()) - 1; }
  // Throws easel::Error unless set_timesteps ran and 0 <= i < num_steps().
  void check_step(int i) const;
  double sigma(int i) const { return sigmas_[i]; }
  double alpha_t(int i) const;
  double sigma_t(int i) const;
  double lambda(int i) const;  // +inf at sigma 0
  bool final_is_zero() const { return final_sigma_ == FinalSigma::Zero; }

  // The model's data prediction x0 at step i (epsilon, v or sample parameterisation; Salimans & Ho 2022 for v).
  torch::Tensor to_x0(const torch::Tensor& model_output, const torch::Tensor& sample, int i) const;
  // The model's noise prediction epsilon at step i.
  torch::Tensor to_eps(const torch::Tensor& model_output, const torch::Tensor& sample, int i) const;
  // First-order DPM-Solver++ from level `from` to level `to` given x0 at `from` (Lu et al. 2022b, DPM-Solver++
  // §4, the k = 1 case of its Taylor expansion: x_t = (sigma_t / sigma_s) x_s - alpha_t (e^{-h} - 1) x0 with
  // h = lambda_t - lambda_s; the same update as DDIM).
  torch::Tensor dpmpp_first_order(const torch::Tensor& x0, const torch::Tensor& sample, int from, int to) const;
  // DPM-Solver++(2M)'s combined data prediction for the step i -> i + 1 from x0 at i (m0) and at i - 1 (m1):
  // (1 + 1/(2r)) m0 - 1/(2r) m1 with r = h_{i-1} / h_i (Lu et al. 2022b, Algorithm 2); feed it to
  // dpmpp_first_order.
  torch::Tensor multistep_x0(const torch::Tensor& m0, const torch::Tensor& m1, int i) const;
  // Whether a multistep solver takes a first-order last step at step i: always when it lands on sigma 0,
  // and with lower_order_final when there are fewer than 15 steps (diffusers' stabilisation).
  bool final_first_order(int i) const;

  // The model output (x0 or eps) a solver kept from its previous step; has_previous(i) when that was step i - 1
  // since set_timesteps (img2img starts mid-schedule with no history, so its first step is first order).
  bool has_previous(int i) const { return prev_index_ == i - 1; }
  const torch::Tensor& previous() const { return prev_; }
  void remember(const torch::Tensor& output, int i);

  NoiseConfig config_;
  bool lower_order_final_;

 private:
  SigmaSchedule schedule_;
  FinalSigma final_sigma_;
  bool always_linspace_;
  std::vector<double> sigmas_;
  torch::Tensor prev_;
  int prev_index_ = -2;
};

}  // namespace easel::sampling
