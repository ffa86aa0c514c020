#include "world/scene.h"

#include <cmath>

#include "util/error.h"

namespace easel::world {

Rgb rgb(Color c) {
  static const Rgb table[kNumColors] = {
      {220, 30, 30},   {245, 135, 20}, {245, 220, 40}, {40, 160, 60},    {30, 90, 230},    {150, 40, 160},
      {245, 130, 190}, {120, 70, 30},  {20, 20, 20},   {245, 245, 245}, {128, 128, 128}, {40, 200, 220}};
  return table[static_cast<int>(c)];
}

// sRGB -> linear -> XYZ (D65) -> CIELAB, following the sRGB standard (IEC 61966-2-1) and CIE 15.
static float srgb_to_linear(float v) {
  v /= 255.0f;
  return v <= 0.04045f ? v / 12.92f : std::pow((v + 0.055f) / 1.055f, 2.4f);
}
static float lab_f(float t) {
  constexpr float eps = 216.0f / 24389.0f, kappa = 24389.0f / 27.0f;
  return t > eps ? std::cbrt(t) : (kappa * t + 16.0f) / 116.0f;
}

Lab to_lab(float r, float g, float b) {
  float lr = srgb_to_linear(r), lg = srgb_to_linear(g), lb = srgb_to_linear(b);
  float x = (0.4124f * lr + 0.3576f * lg + 0.1805f * lb) / 0.95047f;
  float y = 0.2126f * lr + 0.7152f * lg + 0.0722f * lb;
  float z = (0.0193f * lr + 0.1192f * lg + 0.9505f * lb) / 1.08883f;
  float fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
  return {116.0f * fy - 16.0f, 500.0f * (fx - fy), 200.0f * (fy - fz)};
}

Lab to_lab(Color c) {
  Rgb v = rgb(c);
  return to_lab(v.r, v.g, v.b);
}

float delta_e(const Lab& x, const Lab& y) {
  float dl = x.L - y.L, da = x.a - y.a, db = x.b - y.b;
  return std::sqrt(dl * dl + da * da + db * db);
}

Color nearest_color(float r, float g, float b) {
  static const auto palette = [] {
    std::vector<Lab> labs;
    for (int i = 0; i < kNumColors; ++i) labs.push_back(to_lab(static_cast<Color>(i)));
    return labs;
  }();
  Lab q = to_lab(r, g, b);
  int best = 0;
  float best_d = delta_e(q, palette[0]);
  for (int i = 1; i < kNumColors; ++i) {
    float d = delta_e(q, palette[i]);
    if (d < best_d) best = i, best_d = d;
  }
  return static_cast<Color>(best);
}

RadiusRange radius_range(Size s) {
  switch (s) {
    case Size::Small: return {0.075f, 0.10f};
    case Size::Medium: return {0.125f, 0.16f};
    case Size::Large: return {0.19f, 0.23f};
  }
  return {0.125f, 0.16f};
}

Size size_of_radius(float radius) {
  // Split each gap between ranges at its middle.
  float small_medium = 0.5f * (radius_range(Size::Small).max + radius_range(Size::Medium).min);
  float medium_large = 0.5f * (radius_range(Size::Medium).max + radius_range(Size::Large).min);
  if (radius < small_medium) return Size::Small;
  return radius < medium_large ? Size::Medium : Size::Large;
}

bool relation_holds(Relation rel, float ax, float ay, float bx, float by) {
  float dx = bx - ax, dy = by - ay;  // offset from A to B
  switch (rel) {
    case Relation::LeftOf: return dx >= kRelationMargin && dx > std::fabs(dy);
    case Relation::RightOf: return -dx >= kRelationMargin && -dx > std::fabs(dy);
    case Relation::Above: return dy >= kRelationMargin && dy > std::fabs(dx);
    case Relation::Below: return -dy >= kRelationMargin && -dy > std::fabs(dx);
  }
  return false;
}

bool relation_holds(Relation rel, const Object& a, const Object& b) {
  return relation_holds(rel, a.cx, a.cy, b.cx, b.cy);
}

Relation converse(Relation rel) {
  switch (rel) {
    case Relation::LeftOf: return Relation::RightOf;
    case Relation::RightOf: return Relation::LeftOf;
    case Relation::Above: return Relation::Below;
    case Relation::Below: return Relation::Above;
  }
  return rel;
}

bool matches(const ObjectSpec& spec, const Object& obj) {
  return (!spec.shape || *spec.shape == obj.shape) && (!spec.color || *spec.color == obj.color) &&
         (!spec.size || *spec.size == obj.size);
}

// Tries every injective assignment of specs [k..] to unused objects (at most 4 objects: cheap).
static bool assign(const Scene& scene, const SceneSpec& spec, size_t k, std::vector<int>& chosen,
                   std::vector<bool>& used) {
  if (k == spec.objects.size()) {
    if (!spec.relation) return true;
    const RelationSpec& r = *spec.relation;
    return relation_holds(r.relation, scene.objects[chosen[r.a]], scene.objects[chosen[r.b]]);
  }
  for (size_t i = 0; i < scene.objects.size(); ++i) {
    if (used[i] || !matches(spec.objects[k], scene.objects[i])) continue;
    used[i] = true;
    chosen[k] = static_cast<int>(i);
    if (assign(scene, spec, k + 1, chosen, used)) return true;
    used[i] = false;
  }
  return false;
}

bool satisfies(const Scene& scene, const SceneSpec& spec) {
  if (spec.background && *spec.background != scene.background) return false;
  for (const ObjectSpec& o : spec.objects) {
    if (o.count < 2) continue;
    int n = 0;
    for (const Object& obj : scene.objects) n += matches(o, obj);
    if (n != o.count) return false;
  }
  if (spec.relation) {
    int n = static_cast<int>(spec.objects.size());
    const RelationSpec& r = *spec.relation;
    if (r.a < 0 || r.a >= n || r.b < 0 || r.b >= n || r.a == r.b) return false;
  }
  std::vector<int> chosen(spec.objects.size(), -1);
  std::vector<bool> used(scene.objects.size(), false);
  return assign(scene, spec, 0, chosen, used);
}

const char* name(Shape s) {
  static const char* names[kNumShapes] = {"circle",  "square",  "triangle", "star", "heart",
                                          "diamond", "hexagon", "cross",    "ring", "crescent"};
  return names[static_cast<int>(s)];
}

const char* name(Color c) {
  static const char* names[kNumColors] = {"red",   "orange", "yellow", "green", "blue", "purple",
                                          "pink",  "brown",  "black",  "white", "gray", "cyan"};
  return names[static_cast<int>(c)];
}

const char* name(Size s) {
  static const char* names[kNumSizes] = {"small", "medium", "large"};
  return names[static_cast<int>(s)];
}

const char* name(Relation r) {
  static const char* names[kNumRelations] = {"left of", "right of", "above", "below"};
  return names[static_cast<int>(r)];
}

const char* name(Category c) {
  static const char* names[kNumCategories] = {"single_object", "two_objects", "counting",
                                              "colors",        "position",    "color_attribution"};
  return names[static_cast<int>(c)];
}

Category category_from_name(const std::string& key) {
  for (int i = 0; i < kNumCategories; ++i)
    if (key == name(Category(i))) return Category(i);
  throw Error("unknown shapes-world category '" + key +
              "' (expected single_object, two_objects, counting, colors, position or color_attribution)");
}

}  // namespace easel::world
