// Hard negatives for contrastive training (Yuksekgonul et al. 2023, "When and why vision-language models behave
// like bags-of-words", NegCLIP): a caption that differs from a true one in one fact, so that a CLIP can only tell
// them apart by reading that fact in the picture. easel-mini's CLIP, trained on random pairs only, gave "a small
// red circle" and "a large red circle" the same text embedding (cosine 0.994): nothing in a batch of random scenes
// asked it to see sizes, colour-to-shape bindings or relations.
#pragma once
#include <optional>

#include "world/caption.h"
#include "world/rng.h"
#include "world/scene.h"

namespace easel::world {

// The kind of fact a hard negative gets wrong.
enum class Fact { Size, Color, Relation, Shape, Count };
constexpr int kFacts = int(Fact::Count) + 1;  // how many kinds of fact
const char* name(Fact fact);

// Which changes are drawn, and how often. Basic (the seventh try's CLIP): size 3, colour 3, relation turned around
// 2, shape 1, count 1 (of 10). Relations: the same plus 5 of 13 for a relation changed to any other, or added where
// a caption names two objects and no relation (position scenes are only a sixth of the stream).
enum class NegativeMix { Basic, Relations };

struct HardNegative : Caption {
  Fact fact;  // what was changed
};

// A caption of `spec` with one fact changed so that `scene` no longer satisfies it: a size stated wrong (added when
// the caption had none), the colours of two objects swapped (or one colour changed), the relation turned around (or
// with NegativeMix::Relations, any other relation, or one added), a shape or a count changed. Never states a
// held-out combination (splits.h). nullopt when no tried change gives a false caption (rare: e.g. "a shape" in a
// scene of every size).
std::optional<HardNegative> hard_negative(const Scene& scene, const SceneSpec& spec, Rng& rng,
                                          NegativeMix mix = NegativeMix::Basic);

// The colour-swapped twin of a scene and a caption's spec: where the spec names two objects of different shapes in
// two different colours, the same scene with those two colours exchanged (every object of one colour given the
// other) and the spec with them exchanged, true of the twin and false of the scene. Both hold the same colours and
// shapes, bound the other way round: a CLIP that keeps only which colours and which shapes are present cannot tell
// them apart. nullopt when the spec has no such pair or the swapped spec still holds in the scene. The twin may show
// or state a held-out combination (the caller checks, splits.h).
struct SwappedTwin {
  Scene scene;
  SceneSpec spec;
};
std::optional<SwappedTwin> swap_colours(const Scene& scene, const SceneSpec& spec);

// The turned twin: where the spec states a relation between two single objects of a two-object scene, the same
// scene with the two objects' centres exchanged and the spec with the converse relation ("a circle above a square"
// -> "a circle below a square"), true of the twin and false of the scene. The same objects, placed the other way
// round: a CLIP that keeps only what is in the picture and not where cannot tell them apart. nullopt when the spec
// has no relation, the scene has other than two objects, an object would leave the canvas at the other's centre, or
// the turned spec does not hold of the twin or still holds of the scene. The caller checks held-out combinations.
std::optional<SwappedTwin> turn_relation(const Scene& scene, const SceneSpec& spec);

}  // namespace easel::world
