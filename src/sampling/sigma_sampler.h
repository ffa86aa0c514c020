// Internal base of the k-diffusion style samplers (Euler, Euler a, Heun, LMS, KDPM2, KDPM2 a): they walk a
// sigma schedule (Karras et al. 2022, "VE" view x = x0 + sigma * eps), feed the model x / sqrt(sigma^2 + 1)
// and float (possibly fractional) timesteps, as diffusers' *DiscreteScheduler classes do.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "sampling/sampler.h"

namespace easel::sampling {

class SigmaSampler : public Sampler {
 public:
  // max sigma for linspace/trailing spacing, else sqrt(max sigma^2 + 1) (diffusers init_noise_sigma).
  double init_noise_sigma() const override;
  // sample / sqrt(sigma^2 + 1) with the sigma the model sees at call i.
  torch::Tensor scale_model_input(const torch::Tensor& sample, int i) override;
  // original + noise * sigmas_[i].
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int i) const override;

 protected:
  SigmaSampler(const std::string& name, const NoiseConfig& config, const SamplerOptions& options,
               TimestepSpacing default_spacing);

  // The N inference timesteps and N + 1 sigmas (the last 0) common to every sigma sampler: training sigmas
  // interpolated at the spaced timesteps, or replaced by the Karras / exponential schedule between the same
  // end points with timesteps from sigma_to_t (rounded when `round_schedule_timesteps`, as KDPM2 does).
  struct Schedule {
    std::vector<double> timesteps;
    std::vector<double> sigmas;  // float32-rounded values, ending in 0
  };
  Schedule make_schedule(int steps, bool round_schedule_timesteps) const;
  // The per-call timesteps of the two-call-per-step samplers (KDPM2, KDPM2 a): [t0, t(m_0), t1, t(m_1), t2, ...,
  // t_{N-1}], where m_k is the sigma of step k + 1's second call (midpoints[k]) and t(m) = sigma_to_t(m).
  torch::Tensor interleaved_timesteps(const Schedule& schedule, const torch::Tensor& midpoints) const;
  // timesteps_ and sigmas_ straight from make_schedule (one call per step: Euler, Euler a, LMS).
  void set_one_call_per_step_schedule(int steps);
  // Throws easel::Error for prediction_type "sample", which diffusers does not implement for this sampler.
  void reject_sample_prediction() const;
  // The sigma the model sees at call i (where it differs from sigmas_[i], e.g. KDPM2's midpoints).
  virtual torch::Tensor model_sigma(int i) const { return sigma_at(i); }
  // sigmas_[i] as a 0-d float32 tensor; throws easel::Error when i is out of range.
  torch::Tensor sigma_at(int i) const;
  // Throws easel::Error unless 0 <= i < number of model calls.
  void check_index(int i) const;
  // x0 from the model output at sigma (epsilon: x - sigma*eps; v: Salimans & Ho 2022 in the VE scaling;
  // sample: as is, unless the sampler rejects it).
  torch::Tensor predict_x0(const torch::Tensor& model_output, const torch::Tensor& sample,
                           const torch::Tensor& sigma) const;

  std::string name_;
  NoiseConfig config_;
  SamplerOptions options_;
  TimestepSpacing spacing_;
  torch::Tensor train_sigmas_;  // training sigmas, float32 [T]
  torch::Tensor log_sigmas_;    // their log, float32 [T]
  torch::Tensor sigmas_;      // float32, in the sampler's own layout (one entry per call, plus the end)
  // diffusers rounds the spaced timesteps to float32 before interpolating sigmas, except in LMS.
  bool float32_spacing_ = true;
};

// [v0, v1, v1, v2, v2, ..., v_last, v_last, v_last]: the per-call layout of diffusers' 2-call-per-step sigma
// samplers (KDPM2, KDPM2 a), where call 2k and 2k + 1 belong to step k.
torch::Tensor expand_pairs(const torch::Tensor& v);

// A float32 0-d tensor / 1-d tensor of the given values (through float, as diffusers' .astype(np.float32)).
torch::Tensor float32_tensor(const std::vector<double>& values);

}  // namespace easel::sampling
