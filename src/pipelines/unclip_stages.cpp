#include "pipelines/unclip_stages.h"

#include <torch/torch.h>

#include "sampling/ddim_inversion.h"
#include "sampling/guidance.h"
#include "sampling/sampler.h"
#include "util/autocast.h"
#include "util/error.h"
#include "util/tiles.h"

namespace easel::pipelines {

TextCondition repeat(const TextCondition& c, int64_t n) {
  return {c.embeds.repeat({n, 1}), c.hidden.repeat({n, 1, 1}),
          c.words.defined() ? c.words.repeat({n, 1, 1}) : torch::Tensor()};
}

TextCondition encode_prompts(models::MiniClip& clip, const text::WordTokenizer& tokenizer,
                             const std::vector<std::string>& prompts, std::vector<std::string>* unknown) {
  torch::NoGradGuard no_grad;
  models::MiniTextEncoding e = clip->encode_text(tokenizer.encode_batch(prompts, unknown));
  return {e.embeds, e.hidden, e.words};
}

torch::Tensor diffusion_loop(const std::string& sampler_name, const sampling::NoiseConfig& noise, int steps,
                             c10::IntArrayRef shape,
                             const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& model,
                             at::Generator& gen, const StepCallback& on_step, const sampling::SamplerOptions& options,
                             const torch::Tensor& start) {
  torch::NoGradGuard no_grad;
  auto sampler = sampling::make_sampler(sampler_name, noise, options);
  sampler->set_timesteps(steps);
  if (start.defined()) check(start.sizes() == shape, "diffusion loop: the starting latent has the wrong shape");
  torch::Tensor x = start.defined() ? start : torch::randn(shape, gen) * sampler->init_noise_sigma();
  const int64_t n = sampler->timesteps().size(0);
  for (int64_t i = 0; i < n; ++i) {
    torch::Tensor t = sampler->timesteps()[i];
    torch::Tensor out = model(sampler->scale_model_input(x, int(i)), t);
    x = sampler->step(out, int(i), x, gen);
    if (on_step) on_step(int(i + 1), int(n));
  }
  return x;
}

// The empty caption's condition (batch 1) repeated for a batch of B.
static torch::Tensor repeat_to(const torch::Tensor& x, int64_t B) {
  if (x.size(0) == B) return x;
  std::vector<int64_t> shape = x.sizes().vec();
  shape[0] = B;
  return x.expand(shape);
}

torch::Tensor pick_candidates(const torch::Tensor& candidates, const torch::Tensor& scores) {
  const int64_t B = scores.size(1);
  check(candidates.size(0) == scores.numel(), "pick_candidates: one score per candidate");
  torch::Tensor rows = scores.argmax(0) * B + torch::arange(B, torch::kInt64);
  return candidates.index_select(0, rows);
}

torch::Tensor keep_closest_images(models::MiniClip& clip, const torch::Tensor& images, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  const int64_t B = targets.size(0);
  check(B > 0 && images.size(0) % B == 0, "keep_closest_images: a whole number of candidates per target");
  const int64_t K = images.size(0) / B;
  if (K == 1) return images;
  torch::Tensor sims = torch::cosine_similarity(clip->encode_image(images), targets.repeat({K, 1}), 1);
  return pick_candidates(images, sims.reshape({K, B}));
}

torch::Tensor sample_prior(models::MiniPrior& prior, const sampling::NoiseConfig& noise, const TextCondition& cond,
                           const TextCondition& uncond, const PriorSettings& s, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  check(s.candidates >= 1, "prior: candidates must be >= 1");
  const int64_t B = cond.embeds.size(0), D = cond.embeds.size(1), K = s.candidates;
  // All candidates of all prompts in one batch: candidate k of prompt b at row k * B + b.
  const TextCondition rows = repeat(cond, K);
  const int64_t N = K * B;
  torch::Tensor both_emb = torch::cat({repeat_to(uncond.embeds, N), rows.embeds});
  torch::Tensor both_hid = torch::cat({repeat_to(uncond.hidden, N), rows.hidden});
  auto model = [&](const torch::Tensor& x, const torch::Tensor& t) {
    torch::Tensor out = prior(torch::cat({x, x}), t, both_emb, both_hid);
    return sampling::guide_batch(out, s.guidance);
  };
  torch::Tensor samples = diffusion_loop(s.sampler, noise, s.steps, {N, D}, model, gen);
  // Keep, per prompt, the candidate with the highest cosine similarity to its text embedding.
  torch::Tensor chosen = pick_candidates(samples, torch::cosine_similarity(samples, rows.embeds, 1).reshape({K, B}));
  // Back onto the CLIP sphere the decoder was trained on.
  return torch::nn::functional::normalize(chosen, torch::nn::functional::NormalizeFuncOptions().dim(1)) *
         std::sqrt(double(D));
}

namespace {

// The decoder's guided prediction for B images, as one [uncond; cond] batch ([uncond; cond; embedding alone] with
// caption guidance), for sample_decoder (the inversion runs the conditional row alone, in float32).
std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)> guided_decoder(
    models::MiniDecoder& decoder, const torch::Tensor& embeds, const TextCondition& rows, const TextCondition& uncond,
    const DecoderSettings& s) {
  const int64_t B = embeds.size(0);
  // Rows: [null embedding, empty caption; embedding, caption] and, for caption guidance, [embedding, empty caption].
  const int64_t n = s.caption_guidance != 0 ? 3 : 2;
  const torch::Tensor null_embeds = decoder->null_image_embed.expand({B, -1});
  // One field of the conditions in row order; undefined where either lacks it (words, for a decoder without word
  // layers).
  auto in_rows = [&](const torch::Tensor& empty, const torch::Tensor& given) {
    if (!empty.defined() || !given.defined()) return torch::Tensor();
    return torch::cat({repeat_to(empty, B), given, repeat_to(empty, B)}).slice(0, 0, n * B);
  };
  const torch::Tensor img = torch::cat({null_embeds, embeds, embeds}).slice(0, 0, n * B),
                      emb = in_rows(uncond.embeds, rows.embeds), hid = in_rows(uncond.hidden, rows.hidden),
                      words = in_rows(uncond.words, rows.words);
  return [decoder, img, emb, hid, words, n, s](const torch::Tensor& x, const torch::Tensor& t) mutable {
    // Float32 whether or not sample_decoder runs this under bf16 autocast.
    const auto out = decoder(x.repeat({n, 1, 1, 1}), t, img, emb, hid, words).to(torch::kFloat32).chunk(n);
    torch::Tensor guided = sampling::classifier_free_guidance(out[0], out[1], s.guidance);
    if (n == 3) guided = guided + s.caption_guidance * (out[1] - out[2]);
    return sampling::rescale_guidance(guided, out[1], s.guidance_rescale);
  };
}

}  // namespace

torch::Tensor sample_decoder(models::MiniDecoder& decoder, const sampling::NoiseConfig& noise,
                             const torch::Tensor& image_embeds, const TextCondition& cond,
                             const TextCondition& uncond, const DecoderSettings& s, at::Generator& gen,
                             const StepCallback& on_step, const torch::Tensor& x_T) {
  torch::NoGradGuard no_grad;
  check(s.candidates >= 1, "decoder: candidates must be >= 1");
  const int64_t K = s.candidates, B = K * image_embeds.size(0), S = decoder->config.image_size;
  if (x_T.defined())
    check(x_T.dim() == 4 && x_T.size(0) == image_embeds.size(0) && x_T.size(1) == 3 && x_T.size(2) == S &&
              x_T.size(3) == S,
          "decoder: the starting latents must be [B, 3, " + std::to_string(S) + ", " + std::to_string(S) + "]");
  auto model = guided_decoder(decoder, image_embeds.repeat({K, 1}), repeat(cond, K), uncond, s);
  sampling::SamplerOptions options;
  options.eta = s.eta;
  // One scope for the whole loop, so that each weight is cast to bfloat16 once, not at every evaluation. Autocast
  // changes only matrix products and convolutions: the sampler's steps and guidance stay float32.
  Bf16Autocast autocast(s.bf16);
  return diffusion_loop(s.sampler, noise, s.steps, {B, 3, S, S}, model, gen, on_step, options,
                        x_T.defined() ? x_T.repeat({K, 1, 1, 1}) : torch::Tensor())
      .clamp(-1, 1);
}

torch::Tensor invert_decoder(models::MiniDecoder& decoder, const sampling::NoiseConfig& noise,
                             const torch::Tensor& images, const torch::Tensor& image_embeds,
                             const TextCondition& cond, int steps, int refine, const StepCallback& on_step) {
  torch::NoGradGuard no_grad;
  check(images.dim() == 4 && images.size(1) == 3 && images.size(0) == image_embeds.size(0) &&
            cond.embeds.size(0) == image_embeds.size(0),
        "decoder inversion: one [3, H, W] image and one caption per image embedding");
  auto model = [&](const torch::Tensor& x, const torch::Tensor& t) {
    return decoder(x, t, image_embeds, cond.embeds, cond.hidden, cond.words);
  };
  return sampling::ddim_invert(noise, steps, models::resize_images(images, decoder->config.image_size), model, refine,
                               on_step);
}

torch::Tensor sample_upsampler(models::MiniUpsampler& upsampler, const sampling::NoiseConfig& noise,
                               const torch::Tensor& low, const UpsamplerSettings& s, at::Generator& gen,
                               const StepCallback& on_step) {
  torch::NoGradGuard no_grad;
  const int64_t k = upsampler->config.scale, B = low.size(0), H = low.size(2) * k, W = low.size(3) * k;
  check(s.window == 0 || (s.window > 0 && s.window % (2 * k) == 0),
        "upsampler: window must be 0 or a multiple of " + std::to_string(2 * k));
  const bool tiled = s.window > 0 && H >= s.window && W >= s.window && (H > s.window || W > s.window);
  const std::vector<int64_t> ys = tiled ? tile_starts(H, s.window, s.window / 2) : std::vector<int64_t>{},
                             xs = tiled ? tile_starts(W, s.window, s.window / 2) : std::vector<int64_t>{};
  // Every tile of every image in one batch: tile i of image b at row i * B + b.
  torch::Tensor low_tiles;
  if (tiled) {
    std::vector<torch::Tensor> parts;
    for (int64_t y : ys)
      for (int64_t x : xs) parts.push_back(low.slice(2, y / k, (y + s.window) / k).slice(3, x / k, (x + s.window) / k));
    low_tiles = torch::cat(parts);
  }
  auto model = [&](const torch::Tensor& x, const torch::Tensor& t) {
    if (!tiled) return upsampler(x, t, low);
    std::vector<torch::Tensor> parts;
    for (int64_t y : ys)
      for (int64_t xo : xs) parts.push_back(x.slice(2, y, y + s.window).slice(3, xo, xo + s.window));
    torch::Tensor out_tiles = upsampler(torch::cat(parts), t, low_tiles);
    torch::Tensor sum = torch::zeros_like(x), count = torch::zeros({1, 1, H, W}, x.options());
    int64_t i = 0;
    for (int64_t y : ys)
      for (int64_t xo : xs) {
        sum.slice(2, y, y + s.window).slice(3, xo, xo + s.window) += out_tiles.slice(0, i * B, (i + 1) * B);
        count.slice(2, y, y + s.window).slice(3, xo, xo + s.window) += 1;
        ++i;
      }
    return sum / count;
  };
  return diffusion_loop(s.sampler, noise, s.steps, {B, 3, H, W}, model, gen, on_step).clamp(-1, 1);
}

}  // namespace easel::pipelines
