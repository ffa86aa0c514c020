// The sampling stages of easel-mini's unCLIP (Ramesh et al. 2022, fig. 2): caption -> CLIP text encoding ->
// prior -> CLIP image embedding -> decoder (32x32) -> upsampler (4x). Each stage is usable alone: the trainer
// draws its sample grids with them, variations skip the prior.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

#include "models/mini_clip.h"
#include "models/mini_decoder.h"
#include "models/mini_prior.h"
#include "models/mini_upsampler.h"
#include "sampling/sampler.h"
#include "sampling/schedule.h"
#include "text/word_tokenizer.h"

namespace easel::pipelines {

// Called after each model evaluation of a stage: (done, total).
using StepCallback = std::function<void(int, int)>;

struct TextCondition {
  torch::Tensor embeds;  // [B, embed_dim] normalised CLIP text embeddings
  torch::Tensor hidden;  // [B, L, hidden] caption tokens
  torch::Tensor words;   // [B, L, hidden] the caption's word embeddings (CLIP's token + position embeddings);
                         // may be left undefined for a decoder without word layers
};

// c's rows repeated n times: row k * B + b is c's row b (the layout of all candidates below).
TextCondition repeat(const TextCondition& c, int64_t n);

// CLIP text encoding of prompts; words missing from the vocabulary are appended to *unknown.
TextCondition encode_prompts(models::MiniClip& clip, const text::WordTokenizer& tokenizer,
                             const std::vector<std::string>& prompts, std::vector<std::string>* unknown = nullptr);

// The generic reverse-diffusion loop of sampler.h: x = noise(shape) * init_noise_sigma (or `start`, a latent
// already at the first step's level, when given: then nothing is drawn for it), then per step
// x = step(model(scale_model_input(x), t), x). Noise and ancestral draws come from gen.
torch::Tensor diffusion_loop(const std::string& sampler, const sampling::NoiseConfig& noise, int steps,
                             c10::IntArrayRef shape,
                             const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& model,
                             at::Generator& gen, const StepCallback& on_step = {},
                             const sampling::SamplerOptions& options = {}, const torch::Tensor& start = {});

struct PriorSettings {
  int steps = 25;
  double guidance = 4.0;
  int candidates = 2;  // "draw 2, keep the one closer to the text" (Ramesh et al. 2022, sec. 2.2)
  std::string sampler = "ddim";
};
// Image embeddings [B, embed_dim] for the text conditions; uncond is the empty caption's (batch 1).
torch::Tensor sample_prior(models::MiniPrior& prior, const sampling::NoiseConfig& noise, const TextCondition& cond,
                           const TextCondition& uncond, const PriorSettings& settings, at::Generator& gen);

struct DecoderSettings {
  int steps = 25;
  double guidance = 3.0;
  // Lin et al. 2023's rescale of the guided prediction toward the conditional one's per-image std (0: plain
  // guidance; sampling/guidance.h). On easel-mini 0.7 helped DDIM 25 a little and DDPM 50 not (MODEL_CARD.md,
  // "Sampling"), so its sampling.json leaves it at 0.
  double guidance_rescale = 0.0;
  // > 0: compositional guidance toward the caption (Liu et al. 2022, "Compositional Visual Generation with
  // Composable Diffusion Models", eq. 10): a third row per image, the image embedding with the empty caption (e),
  // which the decoder learned from its caption dropout, and out = uncond + guidance (cond - uncond) +
  // caption_guidance (cond - e): what the caption's words add beyond the embedding, amplified. For prompts whose
  // colour and shape never appeared together in training the embedding is the unreliable part and the words are
  // not. Costs the decoder 1.5x.
  double caption_guidance = 0.0;
  // DDIM, whose clip_sample clamps each x0 estimate to [-1, 1] as unCLIP's scheduler does. Ancestral "ddpm" with
  // 50 steps, easel-mini's choice, draws cleaner backgrounds and one object where DDIM 25 breaks it into several
  // (MODEL_CARD.md, "Sampling"). The sigma samplers (euler, dpmpp_2m...) start from the cosine schedule's
  // sigma_max (~1e4 at t = 999), where any error of the predicted noise is multiplied by sigma into x0, and leave
  // noise behind.
  std::string sampler = "ddim";
  // > 1: decode this many images for each one asked (sample_decoder returns them all), of which the pipeline keeps
  // the one that CLIP finds closest to what was asked (keep_closest_images below): CLIP reranking, as DALL-E did (Ramesh et al. 2021, sec. 2.5). Costs the decoder
  // `candidates` times as much.
  int candidates = 1;
  // DDIM's eta (Song et al. 2021, eq. 16): 0 deterministic, 1 as stochastic as DDPM; other samplers ignore it
  // (sampling.json refuses it with another sampler).
  double eta = 0.0;
  // true: the decoder's evaluations under bf16 autocast (util/autocast.h: convolutions and matmuls in bfloat16, as
  // the decoder was trained), its outputs taken back to float32 before guidance and the sampler's step, which stay
  // float32. Draws different images from the float32 decoder. sample_decoder's evaluations only: invert_decoder
  // stays float32.
  bool bf16 = false;
};
// Images [K * B, 3, S, S] in [-1, 1], K = settings.candidates (candidate k of item b at row k * B + b; for
// keep_closest_images), from image embeddings [B, D] and the captions' text conditions (uncond: the empty caption,
// batch 1). Guidance runs as one [uncond; cond] batch ([uncond; cond; embedding alone] with caption_guidance).
// x_T (optional, [B, 3, S, S] for the B embeddings, e.g. from invert_decoder): the starting latents instead of
// fresh noise, each item's shared by its K candidates.
torch::Tensor sample_decoder(models::MiniDecoder& decoder, const sampling::NoiseConfig& noise,
                             const torch::Tensor& image_embeds, const TextCondition& cond,
                             const TextCondition& uncond, const DecoderSettings& settings, at::Generator& gen,
                             const StepCallback& on_step = {}, const torch::Tensor& x_T = {});

// The decoder's DDIM inversion (sampling/ddim_inversion.h) of images [B, 3, S, S] in [-1, 1] (any size: resized to
// the decoder's as CLIP resizes) under their image embeddings [B, D] and captions, in `steps` steps: the x_T of
// unCLIP's bipartite latent (z_i, x_T) (Ramesh et al. 2022, sec. 3.1), which DDIM with eta = 0 and the same steps
// decodes back to (about) the image and eta > 0 to variations around it. It runs the conditional prediction alone:
// inverted under classifier-free guidance 3 easel-mini's images came back 69 levels off (mean absolute, 0-255)
// against 1.7 unguided.
torch::Tensor invert_decoder(models::MiniDecoder& decoder, const sampling::NoiseConfig& noise,
                             const torch::Tensor& images, const torch::Tensor& image_embeds,
                             const TextCondition& cond, int steps, int refine = 0,
                             const StepCallback& on_step = {});

// Per item b of B, the row k * B + b of candidates [K * B, ...] with the highest scores[k][b] (scores [K, B]):
// the selection of the prior's and the decoder's candidates.
torch::Tensor pick_candidates(const torch::Tensor& candidates, const torch::Tensor& scores);

// Per target b of targets [B, D] (CLIP embeddings: a caption's text embedding or an image embedding), the one of
// images [K * B, 3, S, S] (candidate k of target b at row k * B + b) whose CLIP image embedding has the highest
// cosine similarity to it: [B, 3, S, S].
torch::Tensor keep_closest_images(models::MiniClip& clip, const torch::Tensor& images, const torch::Tensor& targets);

struct UpsamplerSettings {
  int steps = 10;
  std::string sampler = "ddim";
  // > 0: the model runs on window x window tiles (stride window / 2) whose outputs are averaged at every step, so
  // it sees what it was trained on (64x64 crops, train/upsampler_task.cpp) whatever the image size; run whole on
  // 128x128, a v-prediction upsampler greyed the middle of large flat areas. 0 (the shipped model's setting):
  // the whole image at once.
  int window = 0;
};
// Images [B, 3, scale*h, scale*w] in [-1, 1] from low [B, 3, h, w]; throws easel::Error when window is not a
// multiple of the scale.
torch::Tensor sample_upsampler(models::MiniUpsampler& upsampler, const sampling::NoiseConfig& noise,
                               const torch::Tensor& low, const UpsamplerSettings& settings, at::Generator& gen,
                               const StepCallback& on_step = {});

}  // namespace easel::pipelines
