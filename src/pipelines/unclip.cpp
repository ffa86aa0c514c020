#include "pipelines/unclip.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "io/file_hash.h"
#include "models/mini_files.h"
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
  m.hash = io::model_hash(dir);
  return m;
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

TextCondition repeat(const TextCondition& c, int64_t n) {
  return {c.embeds.repeat({n, 1}), c.hidden.repeat({n, 1, 1})};
}

std::vector<io::Image> finish(const torch::Tensor& images, GenerationParams params) {
  std::vector<io::Image> out = io::tensor_to_images(images);
  for (size_t i = 0; i < out.size(); ++i) {
    params.batch_index = int(i);
    out[i].text = params.to_png_text();
  }
  return out;
}

GenerationParams base_params(const UnclipModel& m, const UnclipSettings& s, const std::string& mode,
                             const std::string& prompt, int n, uint64_t seed, int64_t size) {
  GenerationParams p;
  p.mode = mode;
  p.prompt = prompt;
  p.steps = s.decoder.steps;
  p.cfg = s.decoder.guidance;
  p.sampler = s.decoder.sampler;
  p.seed = seed;
  p.width = p.height = int(size);
  p.n = n;
  p.model = "easel-mini";
  p.model_hash = m.hash;
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

}  // namespace

UnclipOutput unclip_generate(UnclipModel& m, const std::string& prompt, int n, uint64_t seed,
                             const UnclipSettings& s, const StepCallback& on_step) {
  check(n >= 1 && n <= 64, "generate: -n must be in 1..64");
  torch::NoGradGuard no_grad;
  UnclipOutput out;
  StageClock clock(out);
  TextCondition cond = repeat(encode_prompts(m.clip, m.tokenizer, {prompt}, &out.unknown_words), n);
  TextCondition uncond = encode_prompts(m.clip, m.tokenizer, {""});
  clock.lap("text");
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const int total = s.prior.steps + s.decoder.steps + (s.upsample ? s.upsampler.steps : 0);
  int done = 0;
  auto stage_cb = [&](int i, int) {
    if (on_step) on_step(done + i, total);
  };
  torch::Tensor embeds = sample_prior(m.prior, m.prior_noise, cond, uncond, s.prior, gen);
  clock.lap("prior");
  done += s.prior.steps;
  if (on_step) on_step(done, total);
  torch::Tensor img = sample_decoder(m.decoder, m.decoder_noise, embeds, cond, uncond, s.decoder, gen, stage_cb);
  clock.lap("decoder");
  done += s.decoder.steps;
  if (s.upsample) {
    img = sample_upsampler(m.upsampler, m.upsampler_noise, img, s.upsampler, gen, stage_cb);
    clock.lap("upsampler");
  }
  out.images = finish(img, base_params(m, s, "txt2img", prompt, n, seed, img.size(-1)));
  clock.lap("png");
  return out;
}

UnclipOutput unclip_vary(UnclipModel& m, const io::Image& image, const std::string& caption, int n, uint64_t seed,
                         const UnclipSettings& s, const StepCallback& on_step) {
  check(n >= 1 && n <= 64, "vary: -n must be in 1..64");
  torch::NoGradGuard no_grad;
  UnclipOutput out;
  StageClock clock(out);
  torch::Tensor embeds = m.clip->encode_image(io::image_to_tensor(image)).repeat({n, 1});
  TextCondition cond = repeat(encode_prompts(m.clip, m.tokenizer, {caption}, &out.unknown_words), n);
  TextCondition uncond = encode_prompts(m.clip, m.tokenizer, {""});
  clock.lap("text");
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const int total = s.decoder.steps + (s.upsample ? s.upsampler.steps : 0);
  int done = 0;
  auto stage_cb = [&](int i, int) {
    if (on_step) on_step(done + i, total);
  };
  torch::Tensor img = sample_decoder(m.decoder, m.decoder_noise, embeds, cond, uncond, s.decoder, gen, stage_cb);
  clock.lap("decoder");
  done += s.decoder.steps;
  if (s.upsample) {
    img = sample_upsampler(m.upsampler, m.upsampler_noise, img, s.upsampler, gen, stage_cb);
    clock.lap("upsampler");
  }
  out.images = finish(img, base_params(m, s, "variation", caption, n, seed, img.size(-1)));
  clock.lap("png");
  return out;
}

}  // namespace easel::pipelines
