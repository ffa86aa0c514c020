// `easel world`: look at the shapes world's training stream, and regenerate its evaluation suite files.
//   easel world sample --n 16 [--size 64] [--seed S] -o grid.png
//   easel world suites --out data/suites
#include <algorithm>
#include <cmath>
#include <iostream>

#include "apps/easel/command.h"
#include "io/contact_sheet.h"
#include "io/image.h"
#include "util/error.h"
#include "world/render.h"
#include "world/splits.h"
#include "world/stream.h"

namespace easel::app {
namespace {

struct SampleOptions {
  int n = 16;
  int size = 64;
  uint64_t seed = 0;
  std::string out;
};

// Grid cells show tiles at least this large (smaller renders are enlarged) so that their captions are legible.
constexpr int kMinCell = 128, kCaptionLines = 3;

int run_sample(const SampleOptions& o) {
  check(o.n >= 1 && o.n <= 1024, "world sample: --n " + std::to_string(o.n) + " is outside 1..1024");
  check(o.size >= 8 && o.size <= 1024, "world sample: --size " + std::to_string(o.size) + " is outside 8..1024");
  const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(o.n))));
  io::ContactSheet sheet(o.n, columns, std::max(o.size, kMinCell), kCaptionLines);
  std::vector<std::pair<std::string, std::string>> text;
  for (int i = 0; i < o.n; ++i) {
    world::Example ex = world::training_example(o.seed, static_cast<uint64_t>(i));
    io::Image tile;
    tile.width = tile.height = o.size, tile.channels = 3;
    tile.pixels = world::render(ex.scene, o.size);
    sheet.place(i, tile, {96, 96, 96}, {{ex.caption.text, {225, 225, 225}}});
    std::cout << i << "\t" << world::name(ex.category) << "\t" << ex.caption.text << "\n";
    text.emplace_back("caption " + std::to_string(i), ex.caption.text);
  }
  io::Image img = sheet.image();
  img.text = std::move(text);
  io::write_image(o.out, img);
  std::cerr << "wrote " << o.out << " (" << img.width << "x" << img.height << ", " << o.n << " scenes)\n";
  return 0;
}

std::function<int()> setup(CLI::App& sub) {
  sub.require_subcommand(1);
  auto sample_opts = std::make_shared<SampleOptions>();
  CLI::App* sample = sub.add_subcommand(
      "sample",
      "Render the first N items of the training stream as a grid PNG with each caption drawn under its scene "
      "(scenes smaller than 128 pixels are enlarged on the grid). Captions are also printed to stdout, one line "
      "per tile in row-major order (index, category, caption), and stored in the PNG as text chunks "
      "\"caption INDEX\".");
  sample->add_option("--n", sample_opts->n, "number of scenes (1..1024)")->capture_default_str();
  sample->add_option("--size", sample_opts->size, "tile size in pixels (8..1024)")->capture_default_str();
  sample->add_option("--seed", sample_opts->seed, "training-stream seed")->capture_default_str();
  sample->add_option("-o,--out", sample_opts->out, "output image (PNG, or JPEG for a .jpg/.jpeg name)")->required();

  auto suites_dir = std::make_shared<std::string>("data/suites");
  CLI::App* suites = sub.add_subcommand(
      "suites", "Write the evaluation suites shapes-heldout.txt and shapes-seen.txt (category<TAB>prompt lines).");
  suites->add_option("--out", *suites_dir, "output folder")->capture_default_str();

  return [=]() -> int {
    if (sample->parsed()) return run_sample(*sample_opts);
    world::write_suites(*suites_dir);
    std::cerr << "wrote " << *suites_dir << "/shapes-heldout.txt and shapes-seen.txt\n";
    return 0;
  };
}

}  // namespace

EASEL_COMMAND("world", "The procedural shapes world: sample training scenes, write evaluation suites.", setup);

}  // namespace easel::app
