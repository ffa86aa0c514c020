// The training stream of the shapes world: captioned scenes made on the fly, deterministic by (seed, index), that
// never render a held-out combination (splits.h).
#pragma once
#include <cstdint>

#include "world/caption.h"
#include "world/scene.h"

namespace easel::world {

struct Example {
  Category category;
  Scene scene;
  Caption caption;  // caption.spec is true of scene
};

// Item `index` of the stream seeded `seed`: a category drawn uniformly, a scene of it drawn again until
// renders_held_out() is false, and a caption from the grammar. Any item can be made without the ones before it.
// Detail::Complete: the same scene, its caption stating every color, size and background (caption.h).
Example training_example(uint64_t seed, uint64_t index, Detail detail = Detail::Partial);

}  // namespace easel::world
