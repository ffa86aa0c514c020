#include "eval/world_model.h"

#include "util/error.h"
#include "world/parse.h"
#include "world/render.h"
#include "world/rng.h"
#include "world/sample.h"

namespace easel::eval {

Generator world_generator(int size) {
  check(size >= 1 && size <= 8192, "world model: image size " + std::to_string(size) + " is outside 1..8192");
  return [size](const std::string& prompt, int n, uint64_t seed) {
    const world::SceneSpec spec = world::parse_caption(prompt).spec;
    std::vector<io::Image> images;
    for (int k = 0; k < n; ++k) {
      world::Rng rng(world::mix_seed(seed, k));
      world::Scene scene;
      try {
        scene = world::realize(spec, rng);
      } catch (const Error& e) {
        throw Error("world model cannot draw \"" + prompt + "\": " + e.what());
      }
      io::Image img;
      img.width = img.height = size, img.channels = 3;
      img.pixels = world::render(scene, size);
      images.push_back(std::move(img));
    }
    return images;
  };
}

}  // namespace easel::eval
