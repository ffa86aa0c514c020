#include "world/stream.h"

#include "world/sample.h"
#include "world/splits.h"

namespace easel::world {

Example training_example(uint64_t seed, uint64_t index, Detail detail) {
  Rng rng(mix_seed(seed, index));
  Example ex;
  ex.category = Category(rng.below(kNumCategories));
  Relation relation = Relation::LeftOf;
  do ex.scene = sample_scene(ex.category, rng, &relation);
  while (renders_held_out(ex.scene));
  std::optional<Relation> stated;
  if (ex.category == Category::Position) stated = relation;
  ex.caption = caption_scene(ex.scene, ex.category, stated, rng, detail);
  return ex;
}

}  // namespace easel::world
