// diffusers StableDiffusionPipeline / StableDiffusionXLPipeline __call__: one randn draw of the whole batch's
// initial noise, scaled by the sampler's init_noise_sigma, then the shared denoising loop.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "pipelines/denoise.h"

namespace easel::pipelines {

GenerateResult txt2img(SDModel& model, GenerationParams params, const GenerateOptions& options) {
  c10::InferenceMode guard;
  params.mode = "txt2img";
  params.strength = 1.0;
  check_size(params.width, params.height, "txt2img");
  std::vector<std::string> warnings;
  const EncodedPrompts prompts = encode_for(model, params, options, warnings);
  DenoiseInputs in = batch_conditioning(model, prompts, params);
  auto sampler = make_pipeline_sampler(model, params);

  at::Generator gen = at::detail::createCPUGenerator(params.seed);
  const int64_t f = model.vae->downscale_factor();
  torch::Tensor noise =
      torch::randn({params.n, model.vae->config.latent_channels, params.height / f, params.width / f}, gen);
  torch::Tensor init = noise * sampler->init_noise_sigma();
  torch::Tensor final_latents = denoise(model, *sampler, init, 0, in, gen, options);
  return finish(model, params, init, final_latents, std::move(warnings));
}

}  // namespace easel::pipelines
