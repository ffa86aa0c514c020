// The one interface every sampler implements (one file each: ddim.cpp, euler_ancestral.cpp, ...).
//
// It follows diffusers' scheduler protocol so the per-UNet-call tensors match the reference step for step:
//   s.set_timesteps(steps);
//   x = noise * s.init_noise_sigma();
//   for (int i = 0; i < s.timesteps().size(0); ++i) {        // one entry per model call (Heun: 2N-1)
//     auto t = s.timesteps()[i];
//     auto out = model(s.scale_model_input(x, i), t);         // CFG happens inside `model`
//     x = s.step(out, i, x, gen);
//   }
// Any noise a sampler draws comes from the generator the caller passes, in diffusers' draw order, so a seed
// reproduces the reference's images.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "sampling/schedule.h"

namespace easel::sampling {

// Sampler settings that are not part of the model's noise process.
struct SamplerOptions {
  SigmaSchedule schedule = SigmaSchedule::Discrete;  // --schedule karras|exponential for sigma samplers
  double eta = 0.0;                                  // DDIM eta (0 = deterministic)
};

class Sampler {
 public:
  virtual ~Sampler() = default;

  // Chooses the inference timesteps; must be called before the loop. Throws easel::Error on steps < 1.
  virtual void set_timesteps(int num_inference_steps) = 0;
  // The value fed to the model at each call: int64 for DDIM-like samplers, float32 (possibly fractional)
  // for sigma samplers, exactly as diffusers.
  const torch::Tensor& timesteps() const { return timesteps_; }
  // Multiplier of unit Gaussian noise for the initial latents.
  virtual double init_noise_sigma() const { return 1.0; }
  // Scales the latents before the model call at step i (sigma samplers divide by sqrt(sigma^2+1)).
  virtual torch::Tensor scale_model_input(const torch::Tensor& sample, int i) { return sample; }
  // Advances from step i's sample to the next, given the model's output at step i.
  virtual torch::Tensor step(const torch::Tensor& model_output, int i, const torch::Tensor& sample,
                             at::Generator& gen) = 0;
  // img2img: noises clean `original` to the noise level of timestep index i (the first step run).
  virtual torch::Tensor add_noise(const torch::Tensor& original, const torch::Tensor& noise, int i) const = 0;

 protected:
  torch::Tensor timesteps_;
};

// Builds a sampler by its CLI name: ddim ddpm pndm euler euler_a heun lms dpmpp_2m dpmpp_2m_sde dpmpp_2s
// kdpm2 kdpm2_a unipc deis lcm. Throws easel::Error naming the unknown name and listing the known ones.
std::unique_ptr<Sampler> make_sampler(const std::string& name, const NoiseConfig& config,
                                      const SamplerOptions& options = {});
std::vector<std::string> sampler_names();

}  // namespace easel::sampling
