#include "pipelines/unclip.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <type_traits>

#include "io/file_hash.h"
#include "models/mini_files.h"
#include "util/blas_kernels.h"
#include "util/error.h"

namespace easel::pipelines {

namespace fs = std::filesystem;

UnclipModel load_unclip(const std::string& dir) {
  UnclipModel m;
  m.dir = dir;
  auto file = [&](const char* name) {
    fs::path p = fs::path(dir) / name;
    check(fs::exists(p), "model folder " + dir + " has no " + name);
    return p.string();
  };
  nlohmann::json prior_s, decoder_s, upsampler_s;
  m.clip = models::load_mini_clip(file("clip.safetensors"), &m.tokenizer);
  m.prior = models::load_mini_prior(file("prior.safetensors"), &prior_s);
  m.decoder = models::load_mini_decoder(file("decoder.safetensors"), &decoder_s);
  m.upsampler = models::load_mini_upsampler(file("upsampler.safetensors"), &upsampler_s);
  m.prior_noise = sampling::NoiseConfig::from_json(prior_s);
  m.decoder_noise = sampling::NoiseConfig::from_json(decoder_s);
  m.upsampler_noise = sampling::NoiseConfig::from_json(upsampler_s);
  if (const fs::path ranker = fs::path(dir) / "ranker.safetensors"; fs::exists(ranker))
    m.ranker = models::load_mini_clip(ranker.string(), &m.ranker_tokenizer);
  m.hash = io::model_hash(dir);
  if (const fs::path sampling = fs::path(dir) / "sampling.json"; fs::exists(sampling))
    m.settings = read_unclip_settings(sampling.string());
  return m;
}

namespace {

// Copies the fields named in j (an object) into `fields`, refusing any other key or a value of another type.
template <typename... Field>
void read_fields(const nlohmann::json& j, const std::string& where, std::pair<const char*, Field*>... fields) {
  check(j.is_object(), where + " is not an object");
  for (const auto& item : j.items()) {
    const std::string key = item.key();
    const nlohmann::json& value = item.value();
    bool known = false;
    auto take = [&](const char* name, auto* field) {
      if (key != name) return;
      known = true;
      try {
        using T = std::remove_pointer_t<decltype(field)>;
        *field = value.template get<T>();
      } catch (const nlohmann::json::exception&) {
        throw Error(where + "." + key + " has the wrong type: " + value.dump());
      }
    };
    (take(fields.first, fields.second), ...);
    check(known, where + " has no setting '" + key + "'");
  }
}

}  // namespace

UnclipSettings read_unclip_settings(const std::string& path) {
  std::ifstream in(path);
  check(bool(in), "cannot read " + path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + " is not valid JSON: " + e.what());
  }
  return unclip_settings_from_json(j, path);
}

UnclipSettings unclip_settings_from_json(const nlohmann::json& j, const std::string& where) {
  UnclipSettings s;
  check(j.is_object(), where + " must hold an object");
  for (const auto& [stage, value] : j.items()) {
    const std::string at = where + ": " + stage;
    if (stage == "prior")
      read_fields(value, at, std::pair{"steps", &s.prior.steps}, std::pair{"guidance", &s.prior.guidance},
                  std::pair{"candidates", &s.prior.candidates}, std::pair{"sampler", &s.prior.sampler});
    else if (stage == "decoder")
      read_fields(value, at, std::pair{"steps", &s.decoder.steps}, std::pair{"guidance", &s.decoder.guidance},
                  std::pair{"guidance_rescale", &s.decoder.guidance_rescale},
                  std::pair{"caption_guidance", &s.decoder.caption_guidance}, std::pair{"sampler", &s.decoder.sampler},
                  std::pair{"candidates", &s.decoder.candidates}, std::pair{"eta", &s.decoder.eta},
                  std::pair{"bf16", &s.decoder.bf16});
    else if (stage == "upsampler")
      read_fields(value, at, std::pair{"steps", &s.upsampler.steps}, std::pair{"sampler", &s.upsampler.sampler},
                  std::pair{"window", &s.upsampler.window});
    else if (stage == "variation")
      read_fields(value, at, std::pair{"invert", &s.variation.invert}, std::pair{"eta", &s.variation.eta},
                  std::pair{"guidance", &s.variation.guidance}, std::pair{"refine", &s.variation.refine});
    else
      throw Error(where + ": unknown stage '" + stage + "' (prior, decoder, upsampler, variation)");
  }
  for (int steps : {s.prior.steps, s.decoder.steps, s.upsampler.steps})
    check(steps >= 1 && steps <= 1000, where + ": steps must be in 1..1000");
  check(s.prior.candidates >= 1, where + ": prior.candidates must be at least 1");
  check(s.decoder.candidates >= 1 && s.decoder.candidates <= 16, where + ": decoder.candidates must be in 1..16");
  check(s.decoder.guidance_rescale >= 0 && s.decoder.guidance_rescale <= 1,
        where + ": decoder.guidance_rescale must be in 0..1");
  check(s.decoder.caption_guidance >= 0 && s.decoder.caption_guidance <= 20,
        where + ": decoder.caption_guidance must be in 0..20");
  check(s.variation.refine >= 0 && s.variation.refine <= 10, where + ": variation.refine must be in 0..10");
  for (double eta : {s.decoder.eta, s.variation.eta})
    check(eta >= 0 && eta <= 1, where + ": eta must be in 0..1");
  check(s.decoder.eta == 0 || s.decoder.sampler == "ddim", where + ": decoder.eta applies to the ddim sampler only");
  check(s.upsampler.window >= 0, where + ": upsampler.window must be 0 (whole image) or a tile size");
  return s;
}

nlohmann::json unclip_settings_to_json(const UnclipSettings& s) {
  return {{"prior",
           {{"steps", s.prior.steps},
            {"guidance", s.prior.guidance},
            {"candidates", s.prior.candidates},
            {"sampler", s.prior.sampler}}},
          {"decoder",
           {{"steps", s.decoder.steps},
            {"guidance", s.decoder.guidance},
            {"guidance_rescale", s.decoder.guidance_rescale},
            {"caption_guidance", s.decoder.caption_guidance},
            {"sampler", s.decoder.sampler},
            {"candidates", s.decoder.candidates},
            {"eta", s.decoder.eta},
            {"bf16", s.decoder.bf16}}},
          {"upsampler",
           {{"steps", s.upsampler.steps}, {"sampler", s.upsampler.sampler}, {"window", s.upsampler.window}}},
          {"variation",
           {{"invert", s.variation.invert},
            {"eta", s.variation.eta},
            {"guidance", s.variation.guidance},
            {"refine", s.variation.refine}}}};
}

std::string builtin_model_dir() {
  if (const char* env = std::getenv("EASEL_MODEL_DIR"); env && *env) return env;
  std::vector<fs::path> tried;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // build/bin/easel -> <source>/models/easel-mini; <prefix>/bin/easel -> <prefix>/share/easel/models/easel-mini.
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      for (fs::path c : {p / "models" / "easel-mini", p / "share" / "easel" / "models" / "easel-mini"}) {
        if (fs::exists(c / "decoder.safetensors")) return c.string();
        tried.push_back(c);
      }
      if (tried.size() >= 8) break;
    }
  }
  std::string where;
  for (const auto& t : tried) where += (where.empty() ? "" : ", ") + t.string();
  throw Error("the built-in model easel-mini was not found (set EASEL_MODEL_DIR or pass --model; looked in " + where +
              ")");
}

namespace {

std::vector<io::Image> finish(const torch::Tensor& images, GenerationParams params) {
  std::vector<io::Image> out = io::tensor_to_images(images);
  for (size_t i = 0; i < out.size(); ++i) {
    params.batch_index = int(i);
    out[i].text = params.to_png_text();
  }
  return out;
}

GenerationParams base_params(const UnclipModel& m, const UnclipSettings& s, const std::string& mode,
                             const std::string& prompt, int n, uint64_t seed) {
  GenerationParams p;
  p.mode = mode;
  p.prompt = prompt;
  p.steps = s.decoder.steps;
  p.cfg = s.decoder.guidance;
  p.sampler = s.decoder.sampler;
  p.seed = seed;
  p.n = n;
  p.model = "easel-mini";
  p.model_hash = m.hash;
  p.stages = unclip_settings_to_json(s).dump();
  return p;
}

// Times the stages of one call into UnclipOutput::stage_seconds.
class StageClock {
 public:
  explicit StageClock(UnclipOutput& out) : out_(out), start_(now()) {}
  void lap(const char* stage) {
    const double t = now();
    out_.stage_seconds.emplace_back(stage, t - start_);
    start_ = t;
  }

 private:
  static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  UnclipOutput& out_;
  double start_;
};

// What the decoder's candidates are ranked against: the embedding of what was asked (a caption's, or a source
// image's for a variation without one), in the ranker's space where the model has a ranker, else in clip's.
struct RankTarget {
  std::string caption;       // ranked against its text embedding, unless...
  torch::Tensor image;       // ...this source image is given: ranked against its image embedding
  torch::Tensor clip_embed;  // the same in clip's space, already computed [1, D]
};

models::MiniClip& ranker_of(UnclipModel& m) { return m.ranker ? m.ranker : m.clip; }

// Targets [n, D] in ranker_of(m)'s space.
torch::Tensor rank_targets(UnclipModel& m, const RankTarget& t, int64_t n) {
  if (!m.ranker) return t.clip_embed.repeat({n, 1});
  const torch::Tensor e = t.image.defined() ? m.ranker->encode_image(t.image)
                                            : encode_prompts(m.ranker, m.ranker_tokenizer, {t.caption}).embeds;
  return e.repeat({n, 1});
}

// The stages after the CLIP image embedding, the same for generate and vary: decoder (its candidates ranked against
// `target`, what was asked), upsampler (when asked), PNGs with `params` (their size filled in). Progress goes on
// from `done` of `total` model evaluations. x_T: the decoder's starting latents, if not fresh noise.
void decode_and_finish(UnclipModel& m, const torch::Tensor& embeds, const TextCondition& cond,
                       const TextCondition& uncond, const RankTarget& target, const UnclipSettings& s,
                       at::Generator& gen, int done, int total, const StepCallback& on_step, GenerationParams params,
                       StageClock& clock, UnclipOutput& out, const torch::Tensor& x_T = {}) {
  auto stage_cb = [&](int i, int) {
    if (on_step) on_step(done + i, total);
  };
  torch::Tensor img = sample_decoder(m.decoder, m.decoder_noise, embeds, cond, uncond, s.decoder, gen, stage_cb, x_T);
  if (img.size(0) > embeds.size(0))  // several candidates an image
    img = keep_closest_images(ranker_of(m), img, rank_targets(m, target, embeds.size(0)));
  clock.lap("decoder");
  done += s.decoder.steps;
  if (s.upsample) {
    img = sample_upsampler(m.upsampler, m.upsampler_noise, img, s.upsampler, gen, stage_cb);
    clock.lap("upsampler");
  }
  params.width = params.height = int(img.size(-1));
  out.images = finish(img, params);
  clock.lap("png");
}

}  // namespace

UnclipOutput unclip_generate(UnclipModel& m, const std::string& prompt, int n, uint64_t seed,
                             const UnclipSettings& s, const StepCallback& on_step) {
  check(n >= 1 && n <= 64, "generate: -n must be in 1..64");
  torch::NoGradGuard no_grad;
  ScopedBlasThreads small_products(1);  // every product here is small (util/blas_kernels.h)
  UnclipOutput out;
  StageClock clock(out);
  TextCondition cond = repeat(encode_prompts(m.clip, m.tokenizer, {prompt}, &out.unknown_words), n);
  TextCondition uncond = encode_prompts(m.clip, m.tokenizer, {""});
  clock.lap("text");
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const int total = s.prior.steps + s.decoder.steps + (s.upsample ? s.upsampler.steps : 0);
  torch::Tensor embeds = sample_prior(m.prior, m.prior_noise, cond, uncond, s.prior, gen);
  clock.lap("prior");
  if (on_step) on_step(s.prior.steps, total);
  const RankTarget target{prompt, {}, cond.embeds.narrow(0, 0, 1)};
  decode_and_finish(m, embeds, cond, uncond, target, s, gen, s.prior.steps, total, on_step,
                    base_params(m, s, "txt2img", prompt, n, seed), clock, out);
  return out;
}

UnclipOutput unclip_vary(UnclipModel& m, const io::Image& image, const std::string& caption, int n, uint64_t seed,
                         const UnclipSettings& s, const StepCallback& on_step) {
  check(n >= 1 && n <= 64, "vary: -n must be in 1..64");
  torch::NoGradGuard no_grad;
  ScopedBlasThreads small_products(1);  // every product here is small (util/blas_kernels.h)
  UnclipOutput out;
  StageClock clock(out);
  const torch::Tensor source = io::image_to_tensor(image);
  const torch::Tensor embed = m.clip->encode_image(source), embeds = embed.repeat({n, 1});
  const TextCondition one = encode_prompts(m.clip, m.tokenizer, {caption}, &out.unknown_words), cond = repeat(one, n);
  TextCondition uncond = encode_prompts(m.clip, m.tokenizer, {""});
  clock.lap("text");
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const int inversion = s.variation.invert ? s.decoder.steps : 0;
  const int total = inversion + s.decoder.steps + (s.upsample ? s.upsampler.steps : 0);
  // Candidates are ranked against the caption when there is one, else against the image's own embedding.
  const RankTarget target = caption.empty() ? RankTarget{"", source, embed} : RankTarget{caption, {}, one.embeds};
  UnclipSettings run = s;
  torch::Tensor x_T;
  if (s.variation.invert) {
    // Inverted once, decoded n times: the variations differ by DDIM's eta noise alone.
    x_T = invert_decoder(m.decoder, m.decoder_noise, source, embed, one, s.decoder.steps, s.variation.refine,
                         [&](int i, int) {
                           if (on_step) on_step(i, total);
                         })
              .repeat({n, 1, 1, 1});
    clock.lap("inversion");
    run.decoder.sampler = "ddim";
    run.decoder.eta = s.variation.eta;
    if (s.variation.eta == 0) run.decoder.candidates = 1;  // nothing drawn: every candidate would be the same
    run.decoder.guidance = s.variation.guidance;
  }
  decode_and_finish(m, embeds, cond, uncond, target, run, gen, inversion, total, on_step,
                    base_params(m, run, "variation", caption, n, seed), clock, out, x_T);
  return out;
}

}  // namespace easel::pipelines
