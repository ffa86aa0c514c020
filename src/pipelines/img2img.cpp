// diffusers StableDiffusionImg2ImgPipeline __call__: the image's latents are sampled from the VAE posterior (first
// draw, batch 1, repeated for n), noised to the first run step's level with a second draw, then denoised
// through the remaining steps.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "pipelines/denoise.h"

namespace easel::pipelines {

GenerateResult img2img(SDModel& model, const io::Image& image, GenerationParams params,
                       const GenerateOptions& options) {
  c10::InferenceMode guard;
  params.mode = "img2img";
  params.width = image.width;
  params.height = image.height;
  check_size(params.width, params.height, "img2img input image");
  std::vector<std::string> warnings;
  const EncodedPrompts prompts = encode_for(model, params, options, warnings);
  DenoiseInputs in = batch_conditioning(model, prompts, params);
  auto sampler = make_pipeline_sampler(model, params);
  const int first = first_step_for_strength(*sampler, params);

  at::Generator gen = at::detail::createCPUGenerator(params.seed);
  torch::Tensor image_latents = encode_image_latents(model, io::image_to_tensor(image), gen);
  image_latents = image_latents.repeat({params.n, 1, 1, 1});
  torch::Tensor noise = torch::randn(image_latents.sizes(), gen);
  torch::Tensor init = sampler->add_noise(image_latents, noise, first);
  torch::Tensor final_latents = denoise(model, *sampler, init, first, in, gen, options);
  return finish(model, params, init, final_latents, std::move(warnings));
}

}  // namespace easel::pipelines
