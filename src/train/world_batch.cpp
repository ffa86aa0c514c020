#include "train/world_batch.h"

#include <ATen/CPUGeneratorImpl.h>

#include <set>

#include "text/word_tokenizer.h"
#include "world/lexicon.h"
#include "world/render.h"
#include "world/rng.h"
#include "world/stream.h"

namespace easel::train {

WorldBatch world_batch(uint64_t seed, uint64_t first, int64_t count, int size) {
  WorldBatch b;
  b.scenes.reserve(size_t(count));
  for (int64_t i = 0; i < count; ++i) {
    world::Example ex = world::training_example(seed, first + uint64_t(i));
    b.captions.push_back(ex.caption.text);
    b.specs.push_back(std::move(ex.caption.spec));
    b.scenes.push_back(std::move(ex.scene));
  }
  b.images = world::render_batch(b.scenes, size);
  return b;
}

std::vector<std::string> world_vocabulary(uint64_t seed, int samples) {
  std::set<std::string> words;
  auto add = [&](const std::string& phrase) {
    for (auto& w : text::WordTokenizer::split(phrase)) words.insert(w);
  };
  for (int i = 0; i < samples; ++i) add(world::training_example(seed, uint64_t(i)).caption.text);
  for (int s = 0; s < world::kNumShapes; ++s)
    for (const auto& w : world::words_for(world::Shape(s))) add(w + " " + world::plural_of(w));
  for (int c = 0; c < world::kNumColors; ++c)
    for (const auto& w : world::words_for(world::Color(c))) add(w);
  for (int z = 0; z < world::kNumSizes; ++z)
    for (const auto& w : world::words_for(world::Size(z))) add(w);
  for (int r = 0; r < world::kNumRelations; ++r)
    for (const auto& w : world::words_for(world::Relation(r))) add(w);
  for (int n = 1; n <= 10; ++n) add(world::number_word(n));
  return {words.begin(), words.end()};
}

at::Generator item_generator(uint64_t seed, uint64_t stream, uint64_t index) {
  return at::detail::createCPUGenerator(world::mix_seed(world::mix_seed(seed, stream), index));
}

}  // namespace easel::train
