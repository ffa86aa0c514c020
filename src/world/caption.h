// The caption grammar: what to say about a scene (a SceneSpec) and how to say it (text). Captions read like
// "a red circle", "a small blue star on a white background", "two green triangles", "three pink hexagons that are
// blue", "a picture of a yellow heart to the left of a purple square", "a square that is red", "a grey background
// with a disk". Every caption states only what is true of its scene, and parse_caption() (parse.h) reads back
// exactly the SceneSpec it was made from.
#pragma once
#include <optional>
#include <string>

#include "world/rng.h"
#include "world/scene.h"

namespace easel::world {

struct Caption {
  std::string text;
  SceneSpec spec;  // exactly what `text` states; the scene satisfies it
};

// How much a caption says. Partial: the grammar's chances (choose_spec). Complete: every color and size the category
// states at all (all but a count's size), and the background: the complete captions that Kempf et al. 2025 ("Common
// data properties limit object-attribute binding in CLIP") find teach CLIP which attribute goes with which object.
enum class Detail { Partial, Complete };

// Chooses which true constraints to state about `scene`, a scene sampled for `category`. Shapes are always stated;
// colors always for Colors and ColorAttribution (and the count for Counting, the relation for Position), and
// otherwise by chance; sizes and background by chance (Detail::Complete: always). For Position, `relation` is the
// relation that holds from objects[0] to objects[1] (sample_scene's relation_out) and is required. Objects may be
// stated in either order. Both details make the same draws.
SceneSpec choose_spec(const Scene& scene, Category category, std::optional<Relation> relation, Rng& rng,
                      Detail detail = Detail::Partial);

// Says `spec` in a phrasing drawn by `rng`: synonyms, word order of attributes, an optional lead-in ("a picture
// of", "there is"), and the background before or after the objects. The spec must name a shape for each object.
std::string phrase(const SceneSpec& spec, Rng& rng);

// Says `spec` in the one canonical phrasing used for evaluation prompts: canonical words, attributes before the
// noun (size, color, shape), number words, "and" between objects, "on a COLOR background" at the end. E.g.
// "a small purple heart on a yellow background", "three green stars", "a circle to the left of a star".
std::string canonical_phrase(const SceneSpec& spec);

// choose_spec then phrase.
Caption caption_scene(const Scene& scene, Category category, std::optional<Relation> relation, Rng& rng,
                      Detail detail = Detail::Partial);

}  // namespace easel::world
