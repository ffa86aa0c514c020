// diffusers StableDiffusionInpaintPipeline __call__ (v0.30.3), for both kinds of UNet:
//  - 9-channel inpaint UNets see cat[scaled latents, mask, masked-image latents] at every call;
//  - ordinary 4-channel UNets denoise freely and, after each step, the known region is replaced by the image's
//    latents noised to the next step's level (clean after the last step).
// Draw order (one generator): image latents (4-channel UNets, or any strength < 1), initial noise, masked-image
// latents, then the sampler's own noise.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "pipelines/denoise.h"
#include "util/error.h"

namespace easel::pipelines {

namespace {

// [1, 1, H, W] in {0, 1}: luminance as PIL's convert("L") (ITU-R 601-2, 16-bit fixed point), binarized at 0.5
// as diffusers' VaeImageProcessor(do_binarize=True).
torch::Tensor binary_mask(const io::Image& mask) {
  const int64_t hw = int64_t{mask.width} * mask.height;
  auto px = torch::from_blob(const_cast<uint8_t*>(mask.pixels.data()), {hw, mask.channels}, torch::kUInt8)
                .to(torch::kLong);
  torch::Tensor lum = mask.channels >= 3
                          ? (px.select(1, 0) * 19595 + px.select(1, 1) * 38470 + px.select(1, 2) * 7471 + 0x8000).div(65536, "floor")
                          : px.select(1, 0);
  return (lum.to(torch::kFloat) / 255.0f >= 0.5f).to(torch::kFloat).reshape({1, 1, mask.height, mask.width});
}

}  // namespace

GenerateResult inpaint(SDModel& model, const io::Image& image, const io::Image& mask, GenerationParams params,
                       const GenerateOptions& options) {
  c10::InferenceMode guard;
  if (params.mode != "outpaint") params.mode = "inpaint";
  params.width = image.width;
  params.height = image.height;
  check_size(params.width, params.height, "inpaint input image");
  check(mask.width == image.width && mask.height == image.height,
        "mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) + " but the image is " +
            std::to_string(image.width) + "x" + std::to_string(image.height) + "; they must match");
  std::vector<std::string> warnings;
  const EncodedPrompts prompts = encode_for(model, params, options, warnings);
  DenoiseInputs in = batch_conditioning(model, prompts, params);
  auto sampler = make_pipeline_sampler(model, params);
  const int first = first_step_for_strength(*sampler, params);
  const bool full_strength = params.strength == 1.0;
  const bool blend = !model.is_inpaint_unet;

  const torch::Tensor init_image = io::image_to_tensor(image);
  const torch::Tensor mask_full = binary_mask(mask);
  at::Generator gen = at::detail::createCPUGenerator(params.seed);
  torch::Tensor image_latents;
  if (blend || !full_strength)
    image_latents = encode_image_latents(model, init_image, gen).repeat({params.n, 1, 1, 1});
  const int64_t f = model.vae->downscale_factor();
  torch::Tensor noise =
      torch::randn({params.n, model.vae->config.latent_channels, params.height / f, params.width / f}, gen);
  torch::Tensor init = full_strength ? noise * sampler->init_noise_sigma() : sampler->add_noise(image_latents, noise, first);

  const torch::Tensor masked_latents =
      encode_image_latents(model, init_image * (mask_full < 0.5), gen).repeat({params.n, 1, 1, 1});
  const torch::Tensor mask_latent =
      torch::nn::functional::interpolate(mask_full, torch::nn::functional::InterpolateFuncOptions()
                                                        .size(std::vector<int64_t>{params.height / f, params.width / f})
                                                        .mode(torch::kNearest))
          .repeat({params.n, 1, 1, 1});

  if (model.is_inpaint_unet) {
    torch::Tensor extra = torch::cat({mask_latent, masked_latents}, 1);
    in.extra_channels = in.cfg ? torch::cat({extra, extra}) : extra;
  } else {
    check(model.unet->config.in_channels == model.vae->config.latent_channels,
          model.name + ": UNet takes " + std::to_string(model.unet->config.in_channels) +
              " input channels; inpainting needs a 4-channel or a 9-channel inpaint UNet");
    const int calls = static_cast<int>(sampler->timesteps().size(0));
    in.after_step = [&, calls](const torch::Tensor& latents, int i) {
      torch::Tensor known = i + 1 < calls ? sampler->add_noise(image_latents, noise, i + 1) : image_latents;
      return (1 - mask_latent) * known + mask_latent * latents;
    };
  }
  torch::Tensor final_latents = denoise(model, *sampler, init, first, in, gen, options);
  return finish(model, params, init, final_latents, std::move(warnings));
}

std::pair<io::Image, io::Image> outpaint_canvas(const io::Image& image, const Extend& e) {
  check(e.left >= 0 && e.top >= 0 && e.right >= 0 && e.bottom >= 0,
        "--extend margins must be non-negative (left,top,right,bottom)");
  check(e.left % 8 == 0 && e.top % 8 == 0 && e.right % 8 == 0 && e.bottom % 8 == 0,
        "--extend margins must be multiples of 8, got " + std::to_string(e.left) + "," + std::to_string(e.top) +
            "," + std::to_string(e.right) + "," + std::to_string(e.bottom));
  io::Image canvas, mask;
  canvas.width = mask.width = image.width + e.left + e.right;
  canvas.height = mask.height = image.height + e.top + e.bottom;
  canvas.channels = 3;
  mask.channels = 1;
  canvas.pixels.assign(size_t(canvas.width) * canvas.height * 3, 128);
  mask.pixels.assign(size_t(mask.width) * mask.height, 255);
  const int c = image.channels;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const uint8_t* px = image.pixels.data() + (size_t(y) * image.width + x) * c;
      uint8_t* out = canvas.pixels.data() + (size_t(y + e.top) * canvas.width + x + e.left) * 3;
      for (int k = 0; k < 3; ++k) out[k] = c >= 3 ? px[k] : px[0];  // gray (+alpha) to RGB; alpha dropped
    }
    std::fill_n(mask.pixels.data() + size_t(y + e.top) * mask.width + e.left, image.width, 0);
  }
  return {std::move(canvas), std::move(mask)};
}

GenerateResult outpaint(SDModel& model, const io::Image& image, const Extend& extend, GenerationParams params,
                        const GenerateOptions& options) {
  auto [canvas, mask] = outpaint_canvas(image, extend);
  params.mode = "outpaint";
  return inpaint(model, canvas, mask, std::move(params), options);
}

}  // namespace easel::pipelines
