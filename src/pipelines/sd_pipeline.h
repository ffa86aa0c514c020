// Stable Diffusion generation: txt2img, img2img, inpainting and outpainting, following diffusers 0.30.3's
// StableDiffusion(XL)Pipeline, StableDiffusionImg2ImgPipeline and StableDiffusionInpaintPipeline step for step:
// the same seed gives the same initial latents, ancestral noise and image (every draw comes from one ATen CPU
// generator seeded with params.seed, in diffusers' order).
//
// Batches: params.n images are one UNet batch; with CFG (cfg > 1) the UNet sees [uncond x n; cond x n].
// Every returned image carries its GenerationParams as PNG text chunks (batch_index set per image).
#pragma once
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "io/image.h"
#include "pipelines/generation_params.h"
#include "pipelines/sd_model.h"

namespace easel::pipelines {

// What one UNet call saw and produced; given to the step callback after the sampler's step.
struct StepInfo {
  int index = 0;             // 0-based count of UNet calls made so far in this run
  int total = 0;             // UNet calls in this run
  torch::Tensor unet_in;     // the UNet's input (after scale_model_input; inpaint UNets: with mask channels)
  torch::Tensor unet_out;    // its raw output
  torch::Tensor guided;      // after classifier-free guidance (and rescale)
  torch::Tensor latents;     // after the sampler step (and inpaint blending)
};

struct GenerateOptions {
  bool negative_omitted = false;  // SDXL: no negative prompt given -> zero uncond conditioning (diffusers)
  std::function<void(const StepInfo&)> on_step;  // progress / inspection; may be empty
  // For a caller that runs the model once (the CLI): the text encoders are freed once the prompts are encoded
  // and the UNet once denoising ends, so the VAE decode's activations do not sit on top of the UNet's weights
  // (stable-diffusion.cpp's CLI does the same: free_params_immediately). A model used so cannot generate again.
  bool free_networks_after_use = false;
};

struct GenerateResult {
  std::vector<io::Image> images;      // n images with their parameters as PNG text
  std::vector<std::string> warnings;  // e.g. tokens dropped from a long prompt
  torch::Tensor init_latents;         // the latents entering the first UNet call's scaling [n, 4, h, w]
  torch::Tensor final_latents;        // after the last step, before VAE decoding
};

// Outpainting margins in pixels (each a multiple of 8).
struct Extend {
  int left = 0, top = 0, right = 0, bottom = 0;
};

// Text to image at params.width x params.height (multiples of 8, else easel::Error).
GenerateResult txt2img(SDModel& model, GenerationParams params, const GenerateOptions& options = {});

// Image to image: the image (its own size, a multiple of 8) is encoded, noised to strength (0, 1] and denoised
// through the last strength * steps steps.
GenerateResult img2img(SDModel& model, const io::Image& image, GenerationParams params,
                       const GenerateOptions& options = {});

// Repaints where mask is white (>= 50% gray after conversion to luminance). 9-channel inpaint UNets get
// cat[latents, mask, masked-image latents]; ordinary UNets get the known region blended back after every step.
// The mask must have the image's size.
GenerateResult inpaint(SDModel& model, const io::Image& image, const io::Image& mask, GenerationParams params,
                       const GenerateOptions& options = {});

// The enlarged canvas (image in place, new area mid-gray) and its mask (new area white) for outpainting.
std::pair<io::Image, io::Image> outpaint_canvas(const io::Image& image, const Extend& extend);

// Inpainting on outpaint_canvas(image, extend); params.mode becomes "outpaint".
GenerateResult outpaint(SDModel& model, const io::Image& image, const Extend& extend, GenerationParams params,
                        const GenerateOptions& options = {});

}  // namespace easel::pipelines
