#include "world/sample.h"

#include <cmath>

#include "util/error.h"

namespace easel::world {
namespace {

constexpr float kEdge = 0.02f;  // free space between an object's circumcircle and the canvas border

Color random_background(Rng& rng, float white_chance) {
  return rng.chance(white_chance) ? kDefaultBackground : Color(rng.below(kNumColors));
}

// A color other than the background and other than `avoid` (when given).
Color random_color(Rng& rng, Color background, std::optional<Color> avoid = {}) {
  for (;;) {
    Color c = Color(rng.below(kNumColors));
    if (c != background && c != avoid) return c;
  }
}

Shape random_shape(Rng& rng, std::optional<Shape> avoid = {}) {
  for (;;) {
    Shape s = Shape(rng.below(kNumShapes));
    if (s != avoid) return s;
  }
}

// A size for one of `n` objects: large only when the scene has at most two objects and none is large yet.
Size random_size(Rng& rng, int n, bool large_taken) {
  bool large_ok = n <= 2 && !large_taken;
  return Size(rng.below(large_ok ? 3 : 2));
}

bool clearly_related(Relation rel, const Object& a, const Object& b) {
  float dx = b.cx - a.cx, dy = b.cy - a.cy;
  bool horizontal = rel == Relation::LeftOf || rel == Relation::RightOf;
  float along = horizontal ? dx : dy, across = horizontal ? dy : dx;
  if (rel == Relation::RightOf || rel == Relation::Below) along = -along;
  return along >= kClearAlong && std::fabs(across) <= kClearAcross * along && relation_holds(rel, a, b);
}

// Gives every object a radius within its size class, a rotation and a center such that the objects fit the
// canvas with kMinGap between them and, when `rel` is given, objects[rel.a] clearly stands in rel.relation to
// objects[rel.b]. Returns false when no layout was found in a bounded number of tries.
bool lay_out(std::vector<Object>& objs, Rng& rng, const std::optional<RelationSpec>& rel) {
  for (Object& o : objs) {
    RadiusRange r = radius_range(o.size);
    o.radius = rng.uniform(r.min, r.max);
    o.rotation = rng.uniform(-kMaxRotation, kMaxRotation);
  }
  for (int attempt = 0; attempt < 400; ++attempt) {
    bool ok = true;
    for (size_t i = 0; i < objs.size() && ok; ++i) {
      Object& o = objs[i];
      ok = false;
      for (int t = 0; t < 50 && !ok; ++t) {
        float lo = o.radius + kEdge, hi = 1.0f - o.radius - kEdge;
        o.cx = rng.uniform(lo, hi);
        o.cy = rng.uniform(lo, hi);
        ok = true;
        for (size_t j = 0; j < i && ok; ++j)
          ok = std::hypot(o.cx - objs[j].cx, o.cy - objs[j].cy) >= o.radius + objs[j].radius + kMinGap;
      }
    }
    if (ok && rel) ok = clearly_related(rel->relation, objs[rel->a], objs[rel->b]);
    if (ok) return true;
  }
  return false;
}

}  // namespace

Scene sample_scene(Category category, Rng& rng, Relation* relation_out) {
  for (;;) {
    Scene scene;
    scene.background = random_background(rng, category == Category::Colors ? 0.5f : 0.6f);
    std::optional<RelationSpec> rel;
    auto add = [&](Shape shape, Color color, int n) {
      bool large_taken = false;
      for (const Object& o : scene.objects) large_taken |= o.size == Size::Large;
      Object o;
      o.shape = shape;
      o.color = color;
      o.size = random_size(rng, n, large_taken);
      scene.objects.push_back(o);
    };
    switch (category) {
      case Category::SingleObject:
      case Category::Colors:
        add(random_shape(rng), random_color(rng, scene.background), 1);
        break;
      case Category::TwoObjects:
      case Category::Position: {
        Shape first = random_shape(rng);
        add(first, random_color(rng, scene.background), 2);
        add(random_shape(rng, first), random_color(rng, scene.background), 2);
        if (category == Category::Position) rel = RelationSpec{Relation(rng.below(kNumRelations)), 0, 1};
        break;
      }
      case Category::ColorAttribution: {
        Shape first = random_shape(rng);
        Color first_color = random_color(rng, scene.background);
        add(first, first_color, 2);
        add(random_shape(rng, first), random_color(rng, scene.background, first_color), 2);
        break;
      }
      case Category::Counting: {
        int n = rng.between(2, kMaxObjects);
        Shape shape = random_shape(rng);
        Color color = random_color(rng, scene.background);
        for (int i = 0; i < n; ++i) add(shape, color, n);
        break;
      }
    }
    if (!lay_out(scene.objects, rng, rel)) continue;  // rare: draw the whole scene again
    if (relation_out && rel) *relation_out = rel->relation;
    return scene;
  }
}

Scene realize(const SceneSpec& spec, Rng& rng) {
  int total = 0;
  for (const ObjectSpec& o : spec.objects) {
    check(o.count >= 1, "realize: an object is asked for " + std::to_string(o.count) + " times");
    total += o.count;
  }
  check(total >= 1 && total <= kMaxObjects,
        "realize: the spec asks for " + std::to_string(total) + " objects (1.." + std::to_string(kMaxObjects) + ")");
  if (spec.relation) {
    int n = static_cast<int>(spec.objects.size());
    const RelationSpec& r = *spec.relation;
    check(r.a >= 0 && r.a < n && r.b >= 0 && r.b < n && r.a != r.b,
          "realize: the relation refers to objects that the spec does not have");
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    Scene scene;
    scene.background = spec.background.value_or(kDefaultBackground);
    std::vector<int> first_of_spec;  // index of the first object made for each ObjectSpec
    int large = 0;
    for (const ObjectSpec& o : spec.objects) large += o.size == Size::Large ? o.count : 0;
    for (const ObjectSpec& os : spec.objects) {
      first_of_spec.push_back(static_cast<int>(scene.objects.size()));
      for (int k = 0; k < os.count; ++k) {
        Object o;
        o.shape = os.shape ? *os.shape : random_shape(rng);
        o.color = os.color ? *os.color : random_color(rng, scene.background);
        if (os.size) {
          o.size = *os.size;
        } else {
          o.size = random_size(rng, total, large > 0);
          large += o.size == Size::Large;
        }
        scene.objects.push_back(o);
      }
    }
    std::optional<RelationSpec> rel;
    if (spec.relation)
      rel = RelationSpec{spec.relation->relation, first_of_spec[spec.relation->a], first_of_spec[spec.relation->b]};
    // Random unstated attributes can break a spec (an unstated shape that adds to a counted one): draw again.
    if (lay_out(scene.objects, rng, rel) && satisfies(scene, spec)) return scene;
  }
  throw Error("realize: no layout found for a spec of " + std::to_string(total) + " objects");
}

}  // namespace easel::world
