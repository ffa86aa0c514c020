// `easel edit --image in.png --mask m.png "prompt"` (inpainting: white = repaint) and
// `easel edit --image in.png --extend l,t,r,b "prompt"` (outpainting onto a larger canvas).
#include <regex>

#include "apps/easel/command.h"
#include "apps/easel/sd_cli.h"
#include "pipelines/denoise.h"
#include "util/error.h"

namespace easel::app {
namespace {

struct EditCli : GenerationCli {
  std::string image, mask, extend;
};

pipelines::Extend parse_extend(const std::string& s) {
  std::smatch m;
  check(std::regex_match(s, m, std::regex(R"((\d{1,5}),(\d{1,5}),(\d{1,5}),(\d{1,5}))")),
        "--extend '" + s + "': expected LEFT,TOP,RIGHT,BOTTOM in pixels, e.g. 0,0,128,0");
  return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4])};
}

int run_edit(EditCli& g) {
  pipelines::GenerationParams params = g.params;
  const io::Image image = io::read_image(g.image);
  pipelines::check_size(image.width, image.height, g.image);
  check(!g.mask.empty() || !g.extend.empty(), "pass --mask MASK (inpaint) or --extend L,T,R,B (outpaint)");
  io::Image mask;
  pipelines::Extend extend;
  if (!g.mask.empty()) {
    mask = io::read_image(g.mask);
    check(mask.width == image.width && mask.height == image.height,
          g.mask + ": mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) + " but " +
              g.image + " is " + std::to_string(image.width) + "x" + std::to_string(image.height));
  } else {
    extend = parse_extend(g.extend);
    pipelines::outpaint_canvas(image, extend);  // validates the margins before the model loads
  }
  if (params.model.empty()) no_builtin_model();
  const auto paths = output_paths(g.output, params.n, g.overwrite);
  pipelines::SDModel model = load_cli_model(g, params);
  const int calls = denoise_calls(model, params, true);
  return generate_and_write(g, paths, calls, [&](const pipelines::GenerateOptions& options) {
    return g.mask.empty() ? pipelines::outpaint(model, image, extend, params, options)
                          : pipelines::inpaint(model, image, mask, params, options);
  });
}

}  // namespace

EASEL_COMMAND("edit", "Repaint the white part of a mask, or extend an image's canvas (inpaint / outpaint)",
              [](CLI::App& sub) -> std::function<int()> {
                auto g = std::make_shared<EditCli>();
                add_generation_options(sub, *g, 1.0);
                sub.add_option("--image", g->image, "input image (PNG or JPEG; sides multiples of 8)")->required();
                auto* mask = sub.add_option("--mask", g->mask, "mask image of the same size: white = repaint");
                auto* extend = sub.add_option("--extend", g->extend,
                                              "outpaint: LEFT,TOP,RIGHT,BOTTOM pixels to add (multiples of 8)");
                mask->excludes(extend);
                sub.footer("Examples:\n"
                           "  easel edit --image room.png --mask m.png \"a red sofa\" --model sd-inpainting/\n"
                           "  easel edit --image room.png --extend 0,0,128,0 \"a wide room\" --model sd-v1-5/");
                return [g] { return run_edit(*g); };
              });

}  // namespace easel::app
