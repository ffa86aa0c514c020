// Random scenes of the shapes world, deterministic by seed (world/rng.h). Every scene keeps the guarantees of
// scene.h: 1..kMaxObjects objects inside the canvas, circumcircles at least kMinGap apart, no object in the
// background's color, rotations within kMaxRotation.
#pragma once
#include "world/rng.h"
#include "world/scene.h"

namespace easel::world {

// Position scenes (and realized relations) keep the relation clear of the borderline: the offset from one center
// to the other is at least kClearAlong along the relation's axis and at most kClearAcross times that across it.
constexpr float kClearAlong = 0.25f;
constexpr float kClearAcross = 0.5f;

// A random scene of a category (see Category in scene.h):
//   SingleObject, Colors: one object;
//   TwoObjects: two objects of different shapes; ColorAttribution: two of different shapes and colors;
//   Counting: 2-4 objects of one shape and one color; Position: two objects of different shapes with
//   `relation_out` (when given) set to a relation that clearly holds from objects[0] to objects[1].
// The background is white with probability 0.6 (Colors: 0.5), otherwise a uniformly drawn named color (which
// may be white too).
Scene sample_scene(Category category, Rng& rng, Relation* relation_out = nullptr);

// A scene that satisfies `spec` (satisfies() in scene.h) with nothing more: one object per ObjectSpec with count
// 1 and n per ObjectSpec with count n, unstated attributes random, the stated background or white, a stated
// relation clearly holding. Throws easel::Error when the spec asks for more than kMaxObjects objects, relates
// specs that do not exist, or cannot be laid out.
Scene realize(const SceneSpec& spec, Rng& rng);

}  // namespace easel::world
