#include "pipelines/denoise.h"

#include <malloc.h>
#include <torch/torch.h>

#include <algorithm>

#include "sampling/guidance.h"
#include "util/error.h"

namespace easel::pipelines {

void check_size(int width, int height, const std::string& what) {
  check(width > 0 && height > 0 && width % 8 == 0 && height % 8 == 0,
        what + ": size " + std::to_string(width) + "x" + std::to_string(height) +
            " must be positive multiples of 8 (width x height)");
}

std::unique_ptr<sampling::Sampler> make_pipeline_sampler(const SDModel& model, const GenerationParams& params) {
  sampling::SamplerOptions options;
  options.schedule = sampling::parse_sigma_schedule(params.schedule);
  options.eta = params.eta;
  auto s = sampling::make_sampler(params.sampler, model.noise, options);
  s->set_timesteps(params.steps);
  return s;
}

int first_step_for_strength(const sampling::Sampler& sampler, const GenerationParams& params) {
  check(params.strength > 0 && params.strength <= 1,
        "strength must be in (0, 1], got " + std::to_string(params.strength));
  // diffusers StableDiffusionImg2ImgPipeline.get_timesteps; second-order samplers list 2 calls per step.
  const int order = params.sampler == "heun" || params.sampler == "kdpm2" || params.sampler == "kdpm2_a" ? 2 : 1;
  const int init_timestep = std::min(static_cast<int>(params.steps * params.strength), params.steps);
  const int t_start = std::max(params.steps - init_timestep, 0);
  const int first = t_start * order;
  check(first < sampler.timesteps().size(0), "strength " + std::to_string(params.strength) + " with " +
                                                 std::to_string(params.steps) +
                                                 " steps leaves no denoising step; raise --strength or --steps");
  return first;
}

EncodedPrompts encode_for(SDModel& model, const GenerationParams& params, const GenerateOptions& options,
                          std::vector<std::string>& warnings) {
  check(params.long_prompt == "truncate" || params.long_prompt == "chunk",
        "long prompt mode must be truncate or chunk, got '" + params.long_prompt + "'");
  PromptOptions po;
  po.clip_skip = params.clip_skip;
  po.chunk_long_prompts = params.long_prompt == "chunk";
  po.zero_negative = model.force_zeros_for_empty_prompt && options.negative_omitted && params.negative.empty();
  check(model.unet && !model.encoders.empty() && model.encoders[0].model,
        model.name + ": its networks were freed after an earlier run (free_networks_after_use); load it again");
  EncodedPrompts e = encode_prompts(model, params.prompt, params.negative, po);
  if (options.free_networks_after_use)
    for (auto& encoder : model.encoders) encoder.model = nullptr;
  warnings.insert(warnings.end(), e.warnings.begin(), e.warnings.end());
  return e;
}

DenoiseInputs batch_conditioning(const SDModel& model, const EncodedPrompts& prompts, const GenerationParams& params) {
  check(params.n >= 1, "batch size must be at least 1, got " + std::to_string(params.n));
  DenoiseInputs in;
  in.cfg = params.cfg > 1;
  in.scale = params.cfg;
  in.rescale = params.guidance_rescale;
  const int64_t n = params.n;
  // diffusers repeats each prompt's embeddings num_images_per_prompt times, then cats [negative, prompt].
  auto batch = [&](const torch::Tensor& uncond, const torch::Tensor& cond) {
    std::vector<int64_t> shape(cond.sizes().begin(), cond.sizes().end());
    shape[0] = n;
    auto c = cond.expand(shape);
    return in.cfg ? torch::cat({uncond.expand(shape), c}) : c.contiguous();
  };
  in.context = batch(prompts.uncond.context, prompts.cond.context);
  if (model.unet->config.addition_embed_type == "text_time") {
    check(prompts.cond.pooled.defined(), model.name + ": UNet needs pooled text embeddings (SDXL) but the text "
                                                      "encoders give none");
    in.added.text_embeds = batch(prompts.uncond.pooled, prompts.cond.pooled);
    const float h = static_cast<float>(params.height), w = static_cast<float>(params.width);
    in.added.time_ids = torch::tensor({h, w, 0.f, 0.f, h, w}).unsqueeze(0).repeat({in.context.size(0), 1});
  }
  return in;
}

torch::Tensor denoise(SDModel& model, sampling::Sampler& sampler, torch::Tensor latents, int first,
                      const DenoiseInputs& in, at::Generator& gen, const GenerateOptions& options) {
  c10::InferenceMode guard;
  const int calls = static_cast<int>(sampler.timesteps().size(0));
  for (int i = first; i < calls; ++i) {
    torch::Tensor x = sampler.scale_model_input(in.cfg ? torch::cat({latents, latents}) : latents, i);
    if (in.extra_channels.defined()) x = torch::cat({x, in.extra_channels}, 1);
    torch::Tensor out = model.unet->forward(x, sampler.timesteps()[i], in.context, in.added).to(torch::kFloat);
    torch::Tensor guided = in.cfg ? sampling::guide_batch(out, in.scale, in.rescale) : out;
    latents = sampler.step(guided, i, latents, gen);
    if (in.after_step) latents = in.after_step(latents, i);
    if (options.on_step) options.on_step(StepInfo{i - first, calls - first, x, out, guided, latents});
  }
  if (options.free_networks_after_use) {
    model.unet = nullptr;
    // Its weights were small blocks of a heap that the tuned allocator keeps resident, while the decoder's
    // feature maps are big enough to get mappings of their own: hand the freed pages back to the kernel.
    malloc_trim(0);
  }
  return latents;
}

GenerateResult finish(SDModel& model, const GenerationParams& params, torch::Tensor init_latents,
                      torch::Tensor final_latents, std::vector<std::string> warnings) {
  c10::InferenceMode guard;
  const auto& vc = model.vae->config;
  torch::Tensor decoded = model.vae->decode(final_latents / vc.scaling_factor + vc.shift_factor);
  GenerateResult r;
  r.images = io::tensor_to_images(decoded.to(torch::kFloat));
  if (auto w = params.model_mismatch_warning(model.name, model.hash); !w.empty()) warnings.push_back(w);
  for (size_t b = 0; b < r.images.size(); ++b) {
    GenerationParams p = params;
    p.batch_index = static_cast<int>(b);
    if (p.model.empty()) p.model = model.name;
    p.model_hash = model.hash;
    r.images[b].text = p.to_png_text();
  }
  r.warnings = std::move(warnings);
  r.init_latents = std::move(init_latents);
  r.final_latents = std::move(final_latents);
  return r;
}

torch::Tensor encode_image_latents(SDModel& model, const torch::Tensor& image, at::Generator& gen) {
  c10::InferenceMode guard;
  const auto& vc = model.vae->config;
  auto dist = model.vae->encode(image);
  return (dist.sample(gen) - vc.shift_factor) * vc.scaling_factor;
}

}  // namespace easel::pipelines
