// Training data of easel-mini: items of the shapes-world training stream (world/stream.h, which never renders a
// held-out combination), rendered on the fly. Item g of a run is the same whatever the batch size, process count
// or resume point, so runs are reproducible by seed.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "world/scene.h"

namespace easel::train {

struct WorldBatch {
  std::vector<std::string> captions;
  torch::Tensor images;  // [count, 3, size, size] in [-1, 1]
  std::vector<world::Scene> scenes;     // what was rendered
  std::vector<world::SceneSpec> specs;  // what each caption states
};

// Items [first, first + count) of the stream `seed`, rendered at size x size.
WorldBatch world_batch(uint64_t seed, uint64_t first, int64_t count, int size);

// Every word the caption grammar uses (from `samples` stream captions) plus the lexicon's words (synonyms,
// plurals, numbers), sorted: the vocabulary of easel-mini's tokenizer.
std::vector<std::string> world_vocabulary(uint64_t seed, int samples);

// The random draws of training item `index` (its diffusion timestep, noise, condition dropout...), independent
// of every other item: PyTorch's CPU generator seeded from (seed, stream, index).
at::Generator item_generator(uint64_t seed, uint64_t stream, uint64_t index);

}  // namespace easel::train
