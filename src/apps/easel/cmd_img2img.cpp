// `easel img2img --image in.png "prompt" --model PATH [--strength 0.6]`: redraw an image guided by a prompt.
#include "apps/easel/command.h"
#include "apps/easel/sd_cli.h"
#include "pipelines/denoise.h"

namespace easel::app {
namespace {

struct Img2ImgCli : GenerationCli {
  std::string image;
};

int run_img2img(Img2ImgCli& g) {
  pipelines::GenerationParams params = g.params;
  const io::Image image = io::read_image(g.image);
  pipelines::check_size(image.width, image.height, g.image);
  if (params.model.empty()) no_builtin_model();
  const auto paths = output_paths(g.output, params.n, g.overwrite);
  pipelines::SDModel model = load_cli_model(g, params);
  const int calls = denoise_calls(model, params, true);
  return generate_and_write(g, paths, calls, [&](const pipelines::GenerateOptions& options) {
    return pipelines::img2img(model, image, params, options);
  });
}

}  // namespace

EASEL_COMMAND("img2img", "Redraw an image guided by a prompt (Stable Diffusion img2img)",
              [](CLI::App& sub) -> std::function<int()> {
                auto g = std::make_shared<Img2ImgCli>();
                add_generation_options(sub, *g, 0.6);
                sub.add_option("--image", g->image, "input image (PNG or JPEG; sides multiples of 8)")->required();
                sub.footer("Example:\n  easel img2img --image in.png --strength 0.6 \"an oil painting\" --model sd-v1-5/");
                return [g] { return run_img2img(*g); };
              });

}  // namespace easel::app
