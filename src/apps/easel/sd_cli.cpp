#include "apps/easel/sd_cli.h"

#include <filesystem>
#include <iostream>
#include <regex>

#include "pipelines/denoise.h"
#include "util/error.h"
#include "util/progress.h"

namespace easel::app {

namespace fs = std::filesystem;
using pipelines::GenerationParams;

bool GenerationCli::given(const std::string& name) const {
  auto it = options.find(name);
  return it != options.end() && it->second->count() > 0;
}

GenerationParams GenerationCli::apply_given(GenerationParams base) const {
  const GenerationParams& p = params;
  if (given("prompt")) base.prompt = p.prompt;
  if (given("negative")) base.negative = p.negative;
  if (given("n")) base.n = p.n;
  if (given("steps")) base.steps = p.steps;
  if (given("cfg")) base.cfg = p.cfg;
  if (given("sampler")) base.sampler = p.sampler;
  if (given("schedule")) base.schedule = p.schedule;
  if (given("eta")) base.eta = p.eta;
  if (given("seed")) base.seed = p.seed;
  if (given("size")) base.width = p.width, base.height = p.height;
  if (given("clip-skip")) base.clip_skip = p.clip_skip;
  if (given("guidance-rescale")) base.guidance_rescale = p.guidance_rescale;
  if (given("long-prompt")) base.long_prompt = p.long_prompt;
  if (given("dtype")) base.dtype = p.dtype;
  if (given("strength")) base.strength = p.strength;
  if (given("model")) base.model = p.model;
  return base;
}

void add_generation_options(CLI::App& sub, GenerationCli& g, double default_strength) {
  auto& p = g.params;
  auto& o = g.options;
  o["prompt"] = sub.add_option("prompt", p.prompt, "what to draw");
  o["model"] = sub.add_option("--model", p.model, "diffusers folder or single .safetensors/.ckpt file");
  o["config"] = sub.add_option("--config", g.config,
                               "diffusers folder giving the configs (and tokenizers) of a single-file --model");
  o["negative"] = sub.add_option("--negative", p.negative, "negative prompt");
  o["n"] = sub.add_option("-n", p.n, "images, generated as one batch")->check(CLI::Range(1, 64));
  o["steps"] = sub.add_option("--steps", p.steps, "denoising steps")->default_val(20)->check(CLI::Range(1, 1000));
  o["cfg"] = sub.add_option("--cfg", p.cfg, "classifier-free guidance scale (<= 1: no guidance)")->default_val(7.5);
  o["sampler"] = sub.add_option("--sampler", p.sampler, "ddim ddpm pndm euler euler_a heun lms dpmpp_2m "
                                                        "dpmpp_2m_sde dpmpp_2s kdpm2 kdpm2_a unipc deis lcm")
                     ->default_val("euler_a");
  o["schedule"] = sub.add_option("--schedule", p.schedule, "sigma schedule: discrete, karras, exponential")
                      ->default_val("discrete");
  o["eta"] = sub.add_option("--eta", p.eta, "DDIM eta (0 = deterministic)")->default_val(0.0);
  o["seed"] = sub.add_option("--seed", p.seed, "random seed (same seed, same image)")->default_val(42);
  o["size"] = sub.add_option("--size", g.size, "WIDTHxHEIGHT in pixels, multiples of 8 (default: the model's own)");
  o["clip-skip"] = sub.add_option("--clip-skip", p.clip_skip, "1 = all text encoder layers, 2 = skip the last")
                       ->default_val(1);
  o["guidance-rescale"] =
      sub.add_option("--guidance-rescale", p.guidance_rescale, "CFG rescale (Lin et al. 2023), 0..1")->default_val(0.0);
  o["long-prompt"] = sub.add_option("--long-prompt", p.long_prompt,
                                    "truncate (cut at 77 tokens, as diffusers) or chunk (77-token windows)")
                         ->check(CLI::IsMember({"truncate", "chunk"}))
                         ->default_val("truncate");
  o["dtype"] = sub.add_option("--dtype", p.dtype, "fp32 or bf16 (UNet and text encoders)")
                   ->check(CLI::IsMember({"fp32", "bf16"}))
                   ->default_val("fp32");
  if (default_strength > 0)
    o["strength"] = sub.add_option("--strength", p.strength, "how much to change the image, (0, 1]")
                        ->check(CLI::Range(0.0, 1.0))
                        ->default_val(default_strength);
  sub.add_option("-o,--output", g.output, "output image, PNG or (.jpg/.jpeg) JPEG; with -n > 1: OUT-0.png, OUT-1.png, ...")->default_val("out.png");
  sub.add_flag("--overwrite", g.overwrite, "replace existing output files");
  sub.add_flag("-q,--quiet", g.quiet, "no progress bar");
}

void no_builtin_model() { throw Error("the built-in model easel-mini only does txt2img and variations; pass --model"); }

void apply_size(const std::string& size, GenerationParams& params) {
  if (size.empty()) return;
  std::smatch m;
  check(std::regex_match(size, m, std::regex(R"((\d{1,6})[xX](\d{1,6}))")),
        "--size '" + size + "': expected WIDTHxHEIGHT, e.g. 768x512");
  params.width = std::stoi(m[1]);
  params.height = std::stoi(m[2]);
}

std::vector<std::string> output_paths(const std::string& output, int n, bool overwrite) {
  std::vector<std::string> paths;
  if (n == 1) {
    paths.push_back(output);
  } else {
    const fs::path p(output);
    for (int i = 0; i < n; ++i)
      paths.push_back((p.parent_path() / (p.stem().string() + "-" + std::to_string(i) + p.extension().string()))
                          .string());
  }
  for (const auto& path : paths)
    check(overwrite || !fs::exists(path), path + ": output exists; pass --overwrite to replace it");
  return paths;
}

pipelines::SDModel load_cli_model(const GenerationCli& g, GenerationParams& params) {
  pipelines::SDLoadOptions options;
  options.config_dir = g.config;
  options.dtype = params.dtype == "bf16" ? torch::kBFloat16 : torch::kFloat;
  pipelines::SDModel model = pipelines::load_sd_model(params.model, options);
  if (params.width <= 0 || params.height <= 0) {
    const int native = static_cast<int>(model.unet->config.sample_size * model.vae->downscale_factor());
    params.width = params.height = native;
  }
  return model;
}

int denoise_calls(const pipelines::SDModel& model, const GenerationParams& params, bool uses_strength) {
  auto sampler = pipelines::make_pipeline_sampler(model, params);
  const int calls = static_cast<int>(sampler->timesteps().size(0));
  return uses_strength ? calls - pipelines::first_step_for_strength(*sampler, params) : calls;
}

int generate_and_write(const GenerationCli& g, const std::vector<std::string>& paths, int calls,
                       const std::function<pipelines::GenerateResult(const pipelines::GenerateOptions&)>& generate) {
  pipelines::GenerateOptions options;
  options.negative_omitted = !g.given("negative");
  options.free_networks_after_use = true;  // one run per process
  Progress progress("denoise", calls, !g.quiet);
  options.on_step = [&](const pipelines::StepInfo&) { progress.step(); };
  pipelines::GenerateResult r = generate(options);
  progress.finish();
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  for (size_t i = 0; i < r.images.size() && i < paths.size(); ++i) {
    io::write_image(paths[i], r.images[i]);
    std::cout << paths[i] << "\n";
  }
  return 0;
}

}  // namespace easel::app
