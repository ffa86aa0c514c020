#include "apps/easel/builtin_cli.h"

#include <nlohmann/json.hpp>

#include <filesystem>

#include "util/error.h"

namespace easel::app {

namespace {
bool is_builtin_name(const std::string& model) { return model.empty() || model == "easel-mini" || model == "builtin"; }
}  // namespace

bool is_builtin_model(const std::string& model) {
  return is_builtin_name(model) || std::filesystem::exists(std::filesystem::path(model) / "decoder.safetensors");
}

std::string mini_model_dir(const std::string& model) {
  return is_builtin_name(model) ? pipelines::builtin_model_dir() : model;
}

pipelines::UnclipSettings builtin_settings(const GenerationCli& g, const pipelines::GenerationParams& p,
                                           pipelines::UnclipSettings s) {
  if (g.given("steps")) s.decoder.steps = p.steps;
  if (g.given("cfg")) s.decoder.guidance = p.cfg;
  if (g.given("sampler")) s.decoder.sampler = p.sampler;
  if (p.width > 0 || p.height > 0) {
    check((p.width == 128 && p.height == 128) || (p.width == 32 && p.height == 32),
          "--size " + std::to_string(p.width) + "x" + std::to_string(p.height) +
              ": the built-in model makes 128x128 images (or 32x32 without its upsampler)");
    s.upsample = p.width == 128;
  }
  check(s.decoder.steps >= 1 && s.decoder.steps <= 1000, "--steps must be in 1..1000");
  return s;
}

int generate_builtin(const GenerationCli& g, const pipelines::GenerationParams& params,
                     const std::vector<std::string>& paths, int keep_index) {
  builtin_settings(g, params, {});  // a bad size or step count is refused before loading
  pipelines::UnclipModel model = pipelines::load_unclip(mini_model_dir(params.model));
  // Parameters read back from a PNG (--from) carry the stage settings it was made with.
  const pipelines::UnclipSettings base =
      params.stages.empty()
          ? model.settings
          : pipelines::unclip_settings_from_json(nlohmann::json::parse(params.stages), "the recorded stages");
  const pipelines::UnclipSettings s = builtin_settings(g, params, base);
  const int calls = s.prior.steps + s.decoder.steps + (s.upsample ? s.upsampler.steps : 0);
  return generate_and_write(g, paths, calls, [&](const pipelines::GenerateOptions& options) {
    pipelines::UnclipOutput out =
        pipelines::unclip_generate(model, params.prompt, params.n, params.seed, s, [&](int done, int total) {
          pipelines::StepInfo info;
          info.index = done;
          info.total = total;
          if (options.on_step) options.on_step(info);
        });
    pipelines::GenerateResult r;
    r.images = std::move(out.images);
    for (const auto& w : out.unknown_words)
      r.warnings.push_back("the built-in model does not know the word '" + w + "'; it was ignored");
    if (auto w = params.model_mismatch_warning(model.dir, model.hash); !w.empty()) r.warnings.push_back(w);
    if (keep_index >= 0) {
      check(keep_index < static_cast<int>(r.images.size()), "batch_index out of range");
      r.images = {r.images[keep_index]};
    }
    return r;
  });
}

}  // namespace easel::app
