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

// Any other relation, or one added where two objects are named with none ("a red circle and a blue square" ->
// "a red circle above a blue square"): the relation negatives a CLIP needs to see where things are.
bool change_or_add_relation(SceneSpec& s, Rng& rng) {
  if (s.relation) {
    const int now = int(s.relation->relation);
    s.relation->relation = Relation((now + 1 + rng.below(kNumRelations - 1)) % kNumRelations);
    return true;
  }
  if (s.objects.size() != 2 || s.objects[0].count != 1 || s.objects[1].count != 1) return false;
  s.relation = RelationSpec{Relation(rng.below(kNumRelations)), 0, 1};
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

std::optional<HardNegative> hard_negative(const Scene& scene, const SceneSpec& spec, Rng& rng, NegativeMix mix) {
  if (spec.objects.empty()) return std::nullopt;
  // Weights: what the random-pair CLIP missed (sizes, bindings, relations) first. One table, a weight per mix; a
  // draw walks it in order, so the basic mix draws exactly as the seventh try's CLIP was trained.
  using Change = bool (*)(SceneSpec&, Rng&);
  struct Entry {
    Change change;
    Fact fact;
    int basic, relations;  // weight in each mix
  };
  static const Entry table[] = {{change_size, Fact::Size, 3, 3},
                                {change_color, Fact::Color, 3, 3},
                                {change_relation, Fact::Relation, 2, 0},
                                {change_or_add_relation, Fact::Relation, 0, 5},
                                {change_shape, Fact::Shape, 1, 1},
                                {change_count, Fact::Count, 1, 1}};
  auto weight = [mix](const Entry& e) { return mix == NegativeMix::Basic ? e.basic : e.relations; };
  int total = 0;
  for (const Entry& e : table) total += weight(e);
  auto pick = [&](int r) -> const Entry& {
    for (const Entry& e : table)
      if ((r -= weight(e)) < 0) return e;
    return table[0];
  };
  for (int attempt = 0; attempt < 16; ++attempt) {
    SceneSpec changed = spec;
    const Entry& e = pick(rng.below(total));
    if (!e.change(changed, rng)) continue;
    if (changed == spec || satisfies(scene, changed) || states_held_out(changed)) continue;
    return HardNegative{{phrase(changed, rng), changed}, e.fact};
  }
  return std::nullopt;
}

std::optional<SwappedTwin> swap_colours(const Scene& scene, const SceneSpec& spec) {
  if (spec.objects.size() != 2 || !spec.objects[0].color || !spec.objects[1].color) return std::nullopt;
  const Color x = *spec.objects[0].color, y = *spec.objects[1].color;
  if (x == y || spec.objects[0].shape == spec.objects[1].shape) return std::nullopt;
  SwappedTwin twin{scene, spec};
  std::swap(twin.spec.objects[0].color, twin.spec.objects[1].color);
  if (satisfies(scene, twin.spec)) return std::nullopt;
  for (Object& o : twin.scene.objects) o.color = o.color == x ? y : o.color == y ? x : o.color;
  return twin;
}

std::optional<SwappedTwin> turn_relation(const Scene& scene, const SceneSpec& spec) {
  if (!spec.relation || scene.objects.size() != 2) return std::nullopt;
  SwappedTwin twin{scene, spec};
  Object& a = twin.scene.objects[0];
  Object& b = twin.scene.objects[1];
  std::swap(a.cx, b.cx);
  std::swap(a.cy, b.cy);
  for (const Object& o : twin.scene.objects)  // the circumcircle stays on the canvas, as the sampler keeps it
    if (o.cx - o.radius < 0 || o.cx + o.radius > 1 || o.cy - o.radius < 0 || o.cy + o.radius > 1) return std::nullopt;
  twin.spec.relation->relation = converse(spec.relation->relation);
  if (!satisfies(twin.scene, twin.spec) || satisfies(scene, twin.spec)) return std::nullopt;
  return twin;
}

const char* name(Fact fact) {
  switch (fact) {
    case Fact::Size: return "size";
    case Fact::Color: return "colour";
    case Fact::Relation: return "relation";
    case Fact::Shape: return "shape";
    case Fact::Count: return "count";
  }
  return "?";
}

}  // namespace easel::world
