#include "world/hard_negative.h"

#include "world/splits.h"

namespace easel::world {
namespace {

// One change of one fact; false when the spec has nothing of that kind to change.
bool change_size(SceneSpec& s, Rng& rng) {
  ObjectSpec& o = s.objects[size_t(rng.below(int(s.objects.size())))];
  const int now = o.size ? int(*o.size) : -1;
  int next = rng.below(kNumSizes);
  if (next == now) next = (next + 1 + rng.below(kNumSizes - 1)) % kNumSizes;
  o.size = Size(next);
  return true;
}

bool change_color(SceneSpec& s, Rng& rng) {
  if (s.objects.size() == 2 && s.objects[0].color && s.objects[1].color && *s.objects[0].color != *s.objects[1].color) {
    std::swap(s.objects[0].color, s.objects[1].color);  // the binding, not the colours, is what changes
    return true;
  }
  ObjectSpec& o = s.objects[size_t(rng.below(int(s.objects.size())))];
  const int now = o.color ? int(*o.color) : -1;
  int next = rng.below(kNumColors);
  if (next == now) next = (next + 1) % kNumColors;
  o.color = Color(next);
  return true;
}

bool change_relation(SceneSpec& s, Rng&) {
  if (!s.relation) return false;
  s.relation->relation = converse(s.relation->relation);
  return true;
}

bool change_shape(SceneSpec& s, Rng& rng) {
  ObjectSpec& o = s.objects[size_t(rng.below(int(s.objects.size())))];
  const int now = o.shape ? int(*o.shape) : 0;
  o.shape = Shape((now + 1 + rng.below(kNumShapes - 1)) % kNumShapes);
  return true;
}

bool change_count(SceneSpec& s, Rng&) {
  ObjectSpec& o = s.objects[0];
  if (o.count < 2) return false;
  o.count = o.count == 2 ? 3 : o.count - 1;
  return true;
}

}  // namespace

std::optional<Caption> hard_negative(const Scene& scene, const SceneSpec& spec, Rng& rng) {
  if (spec.objects.empty()) return std::nullopt;
  // Weights: what the random-pair CLIP missed (sizes, bindings, relations) first.
  using Change = bool (*)(SceneSpec&, Rng&);
  static const Change changes[] = {change_size, change_size, change_size, change_color, change_color,
                                   change_color, change_relation, change_relation, change_shape, change_count};
  constexpr int kChanges = int(sizeof changes / sizeof changes[0]);
  for (int attempt = 0; attempt < 16; ++attempt) {
    SceneSpec changed = spec;
    if (!changes[rng.below(kChanges)](changed, rng)) continue;
    if (changed == spec || satisfies(scene, changed) || states_held_out(changed)) continue;
    return Caption{phrase(changed, rng), changed};
  }
  return std::nullopt;
}

}  // namespace easel::world
