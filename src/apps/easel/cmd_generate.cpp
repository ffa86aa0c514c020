// `easel generate "prompt" [--model PATH] ...`: text to image, with the built-in model easel-mini when no --model
// is given, else a Stable Diffusion model; `--from image.png` regenerates an easel PNG from its
// stored parameters (flags given on the command line override them).
#include "apps/easel/builtin_cli.h"
#include "apps/easel/command.h"
#include "apps/easel/sd_cli.h"
#include "pipelines/denoise.h"
#include "util/error.h"

namespace easel::app {
namespace {

struct GenerateCli : GenerationCli {
  std::string from;
};

int run_generate(GenerateCli& g) {
  apply_size(g.size, g.params);
  pipelines::GenerationParams params = g.params;
  int keep_index = -1;  // --from a batch image without -n: regenerate the batch, keep that image
  if (!g.from.empty()) {
    const io::Image source = io::read_image(g.from);
    pipelines::GenerationParams base = pipelines::GenerationParams::from_png_text(source.text, g.from);
    check(base.mode == "txt2img", g.from + ": made by easel " + base.mode +
                                      "; easel generate --from reproduces txt2img images only");
    params = g.apply_given(base);
    if (!g.given("n") && base.n > 1) keep_index = base.batch_index;
  } else {
    check(g.given("prompt"), "no prompt: easel generate \"a photo of a cat\" --model PATH");
    if (!g.given("size")) params.width = params.height = 0;  // the model's native size
  }
  if (is_builtin_model(params.model)) {
    const auto paths = output_paths(g.output, keep_index >= 0 ? 1 : params.n, g.overwrite);
    return generate_builtin(g, params, paths, keep_index);
  }
  if (params.width > 0 || params.height > 0) pipelines::check_size(params.width, params.height, "--size");
  const auto paths = output_paths(g.output, keep_index >= 0 ? 1 : params.n, g.overwrite);
  pipelines::SDModel model = load_cli_model(g, params);
  const int calls = denoise_calls(model, params, false);
  return generate_and_write(g, paths, calls, [&](const pipelines::GenerateOptions& options) {
    pipelines::GenerateResult r = pipelines::txt2img(model, params, options);
    if (keep_index >= 0) {
      check(keep_index < static_cast<int>(r.images.size()), g.from + ": batch_index out of range");
      r.images = {r.images[keep_index]};
    }
    return r;
  });
}

}  // namespace

EASEL_COMMAND("generate", "Generate images from a prompt (built-in model, or --model a Stable Diffusion model)",
              [](CLI::App& sub) -> std::function<int()> {
                auto g = std::make_shared<GenerateCli>();
                add_generation_options(sub, *g);
                g->options["from"] = sub.add_option("--from", g->from,
                                                    "regenerate the image an easel PNG records (flags override)");
                sub.footer(
                    "Examples:\n"
                    "  easel generate \"a yellow heart to the left of a purple square\" -n 4 -o heart.png\n"
                    "  easel generate \"a photo of a cat\" --model sd-v1-5/ --steps 20 --seed 7 -o cat.png\n"
                    "  easel generate \"a castle\" --model v1-5.safetensors --config sd-v1-5/ -n 4 --size 768x512\n"
                    "  easel generate --from cat.png --steps 30 -o cat30.png");
                return [g] { return run_generate(*g); };
              });

}  // namespace easel::app
