// `easel vary in.png [-n 4] [--caption "..."] [--eta E | --fresh] [-o out.png]`: variations of an image with the
// built-in model, as DALL-E 2 makes them: the image's CLIP embedding decoded again, from the image's own inverted
// latent with DDIM eta (the paper's bipartite latent) or from fresh noise, as the model's sampling.json says.
#include <iostream>
#include <optional>

#include "apps/easel/builtin_cli.h"
#include "apps/easel/command.h"
#include "apps/easel/sd_cli.h"
#include "io/image.h"
#include "pipelines/unclip.h"
#include "util/error.h"
#include "util/progress.h"

namespace easel::app {
namespace {

struct VaryOptions {
  std::string input, caption, model, out = "variation.png";
  int n = 4;
  uint64_t seed = 42;
  std::optional<int> steps;     // the model's own (its sampling.json) when not given
  std::optional<double> cfg, eta;
  bool small = false, overwrite = false, fresh = false;
};

std::function<int()> setup(CLI::App& sub) {
  auto o = std::make_shared<VaryOptions>();
  sub.add_option("image", o->input, "the image to vary (PNG or JPEG)")->required();
  sub.add_option("-n", o->n, "number of variations, made as one batch")->capture_default_str();
  sub.add_option("--caption", o->caption, "optional caption of the image (conditions the decoder's text tokens)");
  sub.add_option("--seed", o->seed, "random seed")->capture_default_str();
  sub.add_option("--steps", o->steps, "decoder steps (default: the model's, 50 for the shipped one)");
  sub.add_option("--cfg", o->cfg, "decoder guidance scale (default: the model's, for fresh or inverted variations)");
  auto* eta = sub.add_option("--eta", o->eta,
                              "decode the image's DDIM-inverted latent with DDIM eta in 0..1: 0 gives the image back, "
                              "1 the most change (default: the model's)");
  sub.add_flag("--fresh", o->fresh, "decode from fresh noise: only the image's CLIP embedding carries it over")
      ->excludes(eta);
  sub.add_option("--model", o->model, "easel-mini model folder (default: the built-in model)");
  sub.add_flag("--small", o->small, "skip the upsampler: 32x32 images");
  sub.add_option("-o,--out", o->out, "output image, PNG or (.jpg/.jpeg) JPEG (n > 1: NAME-0.png, NAME-1.png...)")->capture_default_str();
  sub.add_flag("--overwrite", o->overwrite, "replace existing output files");
  return [=]() -> int {
    check(o->n >= 1 && o->n <= 64, "vary: -n " + std::to_string(o->n) + " is outside 1..64");
    check(!o->steps || (*o->steps >= 1 && *o->steps <= 1000), "vary: --steps must be in 1..1000");
    check(!o->eta || (*o->eta >= 0 && *o->eta <= 1), "vary: --eta must be in 0..1");
    const auto paths = output_paths(o->out, o->n, o->overwrite);
    io::Image image = io::read_image(o->input);
    pipelines::UnclipModel model = pipelines::load_unclip(mini_model_dir(o->model));
    pipelines::UnclipSettings s = model.settings;
    if (o->steps) s.decoder.steps = *o->steps;
    if (o->cfg) s.decoder.guidance = s.variation.guidance = *o->cfg;
    if (o->eta) s.variation.invert = true, s.variation.eta = *o->eta;
    if (o->fresh) s.variation.invert = false;
    s.upsample = !o->small;
    std::optional<Progress> bar;  // made at the first step: the pipeline knows the total (inversion included)
    auto out = pipelines::unclip_vary(model, image, o->caption, o->n, o->seed, s, [&](int, int total) {
      if (!bar) bar.emplace("vary", total);
      bar->step();
    });
    if (bar) bar->finish();
    for (const auto& w : out.unknown_words) std::cerr << "warning: the model does not know the word '" << w << "'\n";
    for (size_t i = 0; i < paths.size(); ++i) {
      io::write_image(paths[i], out.images[i]);
      std::cout << paths[i] << "\n";
    }
    return 0;
  };
}

}  // namespace

EASEL_COMMAND("vary", "Variations of an image with the built-in model (its CLIP embedding decoded anew).", setup);

}  // namespace easel::app
