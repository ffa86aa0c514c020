// The parts every Stable Diffusion pipeline shares: checking sizes, building the sampler and the batched
// conditioning, the denoising loop with classifier-free guidance, and decoding latents into tagged images.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <functional>
#include <memory>

#include "models/unet2d_condition.h"
#include "pipelines/prompt_encoding.h"
#include "pipelines/sd_pipeline.h"
#include "sampling/sampler.h"

namespace easel::pipelines {

// Throws easel::Error unless width and height are positive multiples of 8.
void check_size(int width, int height, const std::string& what);

// The sampler named by params (sampler, schedule, eta) on the model's noise schedule, with timesteps set.
std::unique_ptr<sampling::Sampler> make_pipeline_sampler(const SDModel& model, const GenerationParams& params);

// Index of the first scheduled model call when only the last strength * steps steps run (diffusers'
// get_timesteps: t_start * scheduler.order). Throws easel::Error when no step would remain.
int first_step_for_strength(const sampling::Sampler& sampler, const GenerationParams& params);

// Encodes params' prompts (clip skip, long-prompt mode) and appends any warning to `warnings`.
EncodedPrompts encode_for(SDModel& model, const GenerationParams& params, const GenerateOptions& options,
                          std::vector<std::string>& warnings);

struct DenoiseInputs {
  torch::Tensor context;         // [n or 2n, S, D]: [uncond x n; cond x n] with CFG
  models::UNetAddedCond added;   // SDXL, batched like context
  bool cfg = true;
  double scale = 7.5, rescale = 0.0;
  torch::Tensor extra_channels;  // inpaint UNets: [mask, masked-image latents] batched like context
  // Called after each sampler step with the new latents and the step index; returns the latents to keep.
  std::function<torch::Tensor(const torch::Tensor& latents, int i)> after_step;
};

// Batches the conditioning for n images; cfg when params.cfg > 1 (diffusers' do_classifier_free_guidance).
// SDXL: text_embeds from the pooled outputs, time_ids [h, w, 0, 0, h, w] (original = target size, no crop).
DenoiseInputs batch_conditioning(const SDModel& model, const EncodedPrompts& prompts, const GenerationParams& params);

// Runs model calls first..end of the sampler's schedule from `latents`; returns the final latents.
torch::Tensor denoise(SDModel& model, sampling::Sampler& sampler, torch::Tensor latents, int first,
                      const DenoiseInputs& in, at::Generator& gen, const GenerateOptions& options);

// VAE-decodes final latents into n images carrying params (batch_index per image) as PNG text; fills the result.
GenerateResult finish(SDModel& model, const GenerationParams& params, torch::Tensor init_latents,
                      torch::Tensor final_latents, std::vector<std::string> warnings);

// VAE-encodes a [1, 3, H, W] image in [-1, 1] and samples scaled latents (diffusers _encode_vae_image), drawing
// from gen.
torch::Tensor encode_image_latents(SDModel& model, const torch::Tensor& image, at::Generator& gen);

}  // namespace easel::pipelines
