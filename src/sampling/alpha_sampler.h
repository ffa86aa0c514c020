// Internal base of the samplers that work on the training timesteps directly (DDIM, DDPM, PNDM, LCM):
// integer timesteps, alphas_cumprod lookups, no input scaling, and the DDPM forward process for img2img.
#pragma once
#include <torch/types.h>

#include <string>
#include <utility>

#include "sampling/sampler.h"

namespace easel::sampling {

// (x0, eps) that a model output of this prediction type implies for `sample` at alpha `acp` (DDIM paper eq. 9;
// v-prediction as Salimans & Ho 2022 sec. 4). Shared by the alpha samplers and the trainer's evaluation.
std::pair<torch::Tensor, torch::Tensor> predict_x0_eps(Prediction prediction, const torch::Tensor& model_output,
                                                       const torch::Tensor& sample, const torch::Tensor& acp);

// alphas_cumprod[t] (acp: make_alphas_cumprod(config)) as a 0-d float32 tensor; for t < 0 the final alpha (1 with
// set_alpha_to_one, else alphas_cumprod[0]), as DDIM/PNDM define it. Shared by the samplers and DDIM inversion.
torch::Tensor alpha_at(const NoiseConfig& config, const torch::Tensor& acp, int64_t t);

class AlphaSampler : public Sampler {
 public:
  // q(x_t | x_0) = sqrt(acp_t) x_0 + sqrt(1 - acp_t) noise (Ho et al. 2020 eq. 4) at timesteps()[i].
  torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int i) const override;

 protected:
  // Throws easel::Error naming `name` when options ask for a sigma schedule (these samplers have none).
  AlphaSampler(const std::string& name, const NoiseConfig& config, const SamplerOptions& options);

  // The free alpha_at above, on this sampler's config.
  torch::Tensor alpha_at(int64_t t) const { return sampling::alpha_at(config_, alphas_cumprod_, t); }
  // timesteps()[i] as an integer.
  int64_t timestep_at(int i) const;
  // Sets timesteps_ to the spaced integer timesteps (config spacing, else `fallback`).
  void set_spaced_timesteps(int steps, TimestepSpacing fallback);
  // (x0, eps) predicted from the model output for the config's prediction type, at alpha `acp`
  // (DDIM paper eq. 9; v-prediction as Salimans & Ho 2022 sec. 4).
  std::pair<torch::Tensor, torch::Tensor> predict_x0_eps(const torch::Tensor& model_output,
                                                         const torch::Tensor& sample, const torch::Tensor& acp) const;
  // Clamps x0 to +-clip_sample_range when clip_sample is on.
  torch::Tensor clip_x0(const torch::Tensor& x0) const;

  NoiseConfig config_;
  SamplerOptions options_;
  torch::Tensor alphas_cumprod_;  // float32 [T]
  int num_inference_steps_ = 0;
};

}  // namespace easel::sampling
