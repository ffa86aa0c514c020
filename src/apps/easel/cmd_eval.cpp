// easel eval: prompt-adherence evaluation on the shapes world.
//   easel eval --model M --suite shapes-heldout|shapes-seen [--per-prompt 4] [--seed S] [--size 64]
//              [--json report.json] [--sheet sheet.png]
//   easel eval --model M --prompts FILE ...
//   easel eval --model builtin --suite S --variations   (variations of world renders, judged by their prompt)
//   easel eval --model builtin --suite S --decoder-only (the decoder from each render's embedding and prompt)
//   easel eval --self-check [--size 64] [--per-prompt 1] [--seed S]
#include <cstdio>
#include <filesystem>
#include <optional>

#include "apps/easel/builtin_cli.h"
#include "apps/easel/command.h"
#include "eval/eval_sheet.h"
#include "eval/runner.h"
#include "eval/self_check.h"
#include "eval/unclip_model.h"
#include "eval/world_model.h"
#include "pipelines/unclip.h"
#include "util/blas_kernels.h"
#include "util/error.h"

namespace {

using namespace easel;

enum class Mode { Generate, Variations, DecoderOnly };

// The one place a --model name becomes a generator of size x size images; for easel-mini also of its variations
// of each prompt's world render, or of its decoder alone (eval/unclip_model.h).
eval::Generator make_eval_generator(const std::string& name, int size, Mode mode,
                                    std::shared_ptr<eval::VariationChange> change) {
  const bool mini = !name.empty() && app::is_builtin_model(name);
  if (mode != Mode::Generate && !mini)
    throw Error(std::string(mode == Mode::Variations ? "--variations" : "--decoder-only") +
                " needs an easel-mini model (builtin or a model folder)");
  if (name == "world") return eval::world_generator(size);
  if (mini) {
    // easel-mini (pipelines/unclip.h) with its own settings; its images are 128x128 (the decoder's 32x32 with
    // --decoder-only) whatever --size says.
    auto model = std::make_shared<pipelines::UnclipModel>(pipelines::load_unclip(app::mini_model_dir(name)));
    return mode == Mode::Variations    ? eval::unclip_variation_generator(model, change)
           : mode == Mode::DecoderOnly ? eval::unclip_decoder_generator(model)
                                       : eval::unclip_generator(model);
  }
  if (std::filesystem::exists(name))
    throw Error("model " + name + ": Stable Diffusion checkpoints and diffusers folders are not supported yet");
  throw Error("unknown model \"" + name + "\" (expected world, builtin, or an easel-mini model folder)");
}

struct Opts {
  bool self_check = false, variations = false, decoder_only = false;
  std::string model, suite, prompts, json, sheet;
  int size = 64;
  int per_prompt = 4;
  int jobs = 1;
  uint64_t seed = 1;
};

int run_self_check(const Opts& o, int per_prompt) {
  auto r = eval::self_check(o.size, per_prompt, o.seed);
  std::printf("judge self-check: %d renders at %dx%d (both suites)\n", r.images, o.size, o.size);
  std::printf("  %-22s %6.3f   (must be >= 0.99)\n", "clean", r.clean);
  std::printf("  %-22s %6.3f   (must be >= 0.95)\n", "degraded (all)", r.degraded);
  for (int d = 0; d < eval::kNumDegradations; ++d)
    std::printf("    %-20s %6.3f\n", eval::name(eval::Degradation(d)), r.by_degradation[d]);
  std::printf("  %-22s %6.3f   (must be <= 0.05)\n", "mismatched prompt", r.mismatched);
  bool ok = r.clean >= 0.99 && r.degraded >= 0.95 && r.mismatched <= 0.05;
  return ok ? 0 : 1;
}

int run_model(const Opts& o) {
  const Mode mode = o.variations ? Mode::Variations : o.decoder_only ? Mode::DecoderOnly : Mode::Generate;
  auto change = std::make_shared<eval::VariationChange>();
  const eval::Generator generate = make_eval_generator(o.model, o.size, mode, change);
  const std::vector<eval::EvalItem> items =
      o.prompts.empty() ? eval::suite_items(o.suite) : eval::read_prompt_file(o.prompts);
  eval::RunOptions run;
  run.per_prompt = o.per_prompt, run.seed = o.seed, run.model = o.model, run.jobs = o.jobs;
  std::optional<ScopedBlasThreads> one_blas_thread;  // each job's products on its own thread, not OpenBLAS's workers
  if (o.jobs > 1) one_blas_thread.emplace(1);
  run.suite = o.prompts.empty() ? o.suite : o.prompts;
  std::unique_ptr<eval::EvalSheet> sheet;
  if (!o.sheet.empty()) sheet = std::make_unique<eval::EvalSheet>(static_cast<int>(items.size()), o.per_prompt);
  eval::ImageObserver observe;
  if (sheet)
    observe = [&](size_t p, int k, const io::Image& img, const eval::ImageVerdict& v) {
      sheet->add(p, k, img, items[p].prompt, v.pass);
    };
  eval::EvalReport report = eval::run_eval(items, generate, run, observe);
  report.measures = change->measures();
  std::printf("easel eval: model %s%s, %s: %zu prompts x %d images, seed %llu, %.1f s\n", o.model.c_str(),
              mode == Mode::Variations    ? " (variations of world renders)"
              : mode == Mode::DecoderOnly ? " (decoder alone, from world renders' embeddings and the prompts)"
                                          : "",
              run.suite.c_str(), items.size(), o.per_prompt,
              static_cast<unsigned long long>(o.seed), report.seconds);
  std::fputs(eval::format_table(report).c_str(), stdout);
  if (!o.json.empty()) {
    eval::write_report_json(o.json, report);
    std::fprintf(stderr, "wrote %s\n", o.json.c_str());
  }
  if (sheet) {
    io::write_image(o.sheet, sheet->image());
    std::fprintf(stderr, "wrote %s (%dx%d)\n", o.sheet.c_str(), sheet->image().width, sheet->image().height);
  }
  return 0;
}

std::function<int()> setup(CLI::App& sub) {
  auto o = std::make_shared<Opts>();
  auto* self = sub.add_flag("--self-check", o->self_check,
                            "Prove the judge: score clean renders of both suites' prompts, degraded renders (blur, "
                            "JPEG-like noise, shifts, 32x32), and images judged against a different prompt");
  auto* model = sub.add_option("--model", o->model,
                               "Model to evaluate: world (the shapes world itself, a perfect baseline), builtin, or "
                               "a diffusers folder / SD checkpoint path");
  auto* suite = sub.add_option("--suite", o->suite, "Prompt suite: shapes-heldout or shapes-seen");
  auto* prompts = sub.add_option("--prompts", o->prompts,
                                 "Prompt file instead of a suite: one prompt per line, or category<TAB>prompt");
  auto* variations = sub.add_flag("--variations", o->variations,
                                  "Judge the model's variations of each prompt's world render (easel-mini only) "
                                  "instead of its generations: does a variation keep the scene? Also reports how far "
                                  "variations move, in levels: change_to_source, change_between_variations, and "
                                  "change_other_render (the source against another render of its prompt)")
                         ->needs(model);
  sub.add_flag("--decoder-only", o->decoder_only,
               "Judge easel-mini's decoder alone: its 32x32 images from each prompt's world render's CLIP image "
               "embedding and the prompt as caption (no prior, no upsampler)")
      ->needs(model)
      ->excludes(variations);
  sub.add_option("--json", o->json, "Write the JSON report here")->needs(model);
  sub.add_option("--sheet", o->sheet, "Write a contact sheet here (image, PASS/FAIL, prompt): PNG, or JPEG for a .jpg/.jpeg name")->needs(model);
  sub.add_option("--size", o->size, "Image size (generated, or rendered for --self-check)")
      ->check(CLI::Range(16, 1024))
      ->capture_default_str();
  auto* per_prompt = sub.add_option("--per-prompt", o->per_prompt, "Images per prompt (default 4; 1 for --self-check)")
                         ->check(CLI::Range(1, 64));
  sub.add_option("--seed", o->seed, "Base seed (prompt i gets a seed derived from it and i)")->capture_default_str();
  auto* jobs = sub.add_option("--jobs", o->jobs,
                              "Prompts generated at a time, one thread each (default 1; 2 keeps both cores of a "
                              "2-core machine busy); the report is the same")
                   ->check(CLI::Range(1, 64));
  self->excludes(model);
  self->excludes(jobs);
  suite->excludes(prompts)->needs(model);
  prompts->needs(model);
  sub.footer(
      "Examples:\n  easel eval --model world --suite shapes-heldout --json report.json --sheet sheet.png\n"
      "  easel eval --model builtin --suite shapes-seen --variations --per-prompt 1\n"
      "  easel eval --self-check --per-prompt 2");
  return [o, per_prompt, &sub]() {
    if (o->self_check) return run_self_check(*o, per_prompt->count() ? o->per_prompt : 1);
    if (o->model.empty() || (o->suite.empty() && o->prompts.empty())) {
      std::fputs("easel eval: give --self-check, or --model with --suite or --prompts (see easel eval --help)\n",
                 stderr);
      return 2;
    }
    return run_model(*o);
  };
}

EASEL_COMMAND("eval", "Evaluate prompt adherence on the shapes world: a model on a suite, or the judge itself", setup);

}  // namespace
