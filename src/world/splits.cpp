#include "world/splits.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "util/error.h"
#include "world/caption.h"
#include "world/rng.h"

namespace easel::world {

const std::vector<ColorShape>& held_out_pairs() {
  static const std::vector<ColorShape> pairs = {
      {Color::Brown, Shape::Circle}, {Color::Pink, Shape::Square},    {Color::Cyan, Shape::Triangle},
      {Color::Green, Shape::Star},   {Color::Purple, Shape::Heart},   {Color::Orange, Shape::Diamond},
      {Color::Red, Shape::Hexagon},  {Color::Blue, Shape::Cross},     {Color::Yellow, Shape::Ring},
      {Color::Gray, Shape::Crescent}};
  return pairs;
}

const std::vector<ShapeRelation>& held_out_relations() {
  static const std::vector<ShapeRelation> relations = {
      {Shape::Triangle, Relation::Above, Shape::Square},   {Shape::Circle, Relation::LeftOf, Shape::Star},
      {Shape::Heart, Relation::Above, Shape::Cross},       {Shape::Ring, Relation::LeftOf, Shape::Diamond},
      {Shape::Crescent, Relation::Above, Shape::Hexagon},  {Shape::Square, Relation::LeftOf, Shape::Heart},
      {Shape::Star, Relation::Above, Shape::Ring},         {Shape::Hexagon, Relation::LeftOf, Shape::Triangle},
      {Shape::Diamond, Relation::Above, Shape::Crescent},  {Shape::Cross, Relation::LeftOf, Shape::Circle}};
  return relations;
}

const std::vector<ShapeCount>& held_out_counts() {
  static const std::vector<ShapeCount> counts = {{3, Shape::Star},     {4, Shape::Heart}, {2, Shape::Hexagon},
                                                 {3, Shape::Crescent}, {4, Shape::Triangle}, {2, Shape::Ring}};
  return counts;
}

bool is_held_out(Color color, Shape shape) {
  for (const ColorShape& p : held_out_pairs())
    if (p.color == color && p.shape == shape) return true;
  return false;
}

bool is_held_out(Shape a, Relation relation, Shape b) {
  for (const ShapeRelation& r : held_out_relations()) {
    if (r.a == a && r.relation == relation && r.b == b) return true;
    if (r.a == b && r.relation == converse(relation) && r.b == a) return true;
  }
  return false;
}

bool is_held_out_count(int count, Shape shape) {
  for (const ShapeCount& c : held_out_counts())
    if (c.count == count && c.shape == shape) return true;
  return false;
}

bool renders_held_out(const Scene& scene) {
  int per_shape[kNumShapes] = {};
  for (const Object& o : scene.objects) {
    if (is_held_out(o.color, o.shape)) return true;
    ++per_shape[static_cast<int>(o.shape)];
  }
  for (int s = 0; s < kNumShapes; ++s)
    if (is_held_out_count(per_shape[s], Shape(s))) return true;
  for (const Object& a : scene.objects)
    for (const Object& b : scene.objects)
      for (int r = 0; r < kNumRelations && &a != &b; ++r)
        if (relation_holds(Relation(r), a, b) && is_held_out(a.shape, Relation(r), b.shape)) return true;
  return false;
}

bool states_held_out(const SceneSpec& spec) {
  for (const ObjectSpec& o : spec.objects) {
    if (o.shape && o.color && is_held_out(*o.color, *o.shape)) return true;
    if (o.shape && o.count >= 2 && is_held_out_count(o.count, *o.shape)) return true;
  }
  if (spec.relation) {
    const ObjectSpec& a = spec.objects.at(spec.relation->a);
    const ObjectSpec& b = spec.objects.at(spec.relation->b);
    if (a.shape && b.shape && is_held_out(*a.shape, spec.relation->relation, *b.shape)) return true;
  }
  return false;
}

namespace {

ObjectSpec object(Shape shape, std::optional<Color> color = {}, std::optional<Size> size = {}, int count = 1) {
  return {shape, color, size, count};
}

// A color-shape pair of the wanted kind: held out, or seen (and not white: the default background).
ColorShape pick_pair(Rng& rng, bool held_out, std::optional<Shape> other_than = {}) {
  for (;;) {
    ColorShape p = held_out ? rng.pick(held_out_pairs())
                            : ColorShape{Color(rng.below(kNumColors)), Shape(rng.below(kNumShapes))};
    if (p.shape == other_than || p.color == kDefaultBackground) continue;
    if (held_out || !is_held_out(p.color, p.shape)) return p;
  }
}

// A color that, on `shape`, makes a seen pair (never white).
Color seen_color(Rng& rng, Shape shape) {
  for (;;) {
    Color c = Color(rng.below(kNumColors));
    if (c != kDefaultBackground && !is_held_out(c, shape)) return c;
  }
}

// One candidate spec of a category; held_out says which combinations it is built around.
SceneSpec suite_spec(Category category, bool held_out, Rng& rng) {
  SceneSpec spec;
  switch (category) {
    case Category::SingleObject: {
      ColorShape p = pick_pair(rng, held_out);
      std::optional<Size> size;
      if (rng.chance(0.5f)) size = Size(rng.below(kNumSizes));
      spec.objects = {object(p.shape, p.color, size)};
      break;
    }
    case Category::Colors: {
      ColorShape p = pick_pair(rng, held_out);
      std::optional<Size> size;
      if (rng.chance(0.3f)) size = Size(rng.below(kNumSizes));
      spec.objects = {object(p.shape, p.color, size)};
      Color bg;
      do bg = Color(rng.below(kNumColors)); while (bg == p.color);
      spec.background = bg;
      break;
    }
    case Category::TwoObjects: {
      ColorShape p = pick_pair(rng, held_out);
      Shape other;
      do other = Shape(rng.below(kNumShapes)); while (other == p.shape);
      spec.objects = {object(p.shape, p.color), object(other)};
      if (rng.chance(0.5f)) std::swap(spec.objects[0], spec.objects[1]);
      break;
    }
    case Category::Counting: {
      ShapeCount c{};
      do c = held_out ? rng.pick(held_out_counts()) : ShapeCount{rng.between(2, 4), Shape(rng.below(kNumShapes))};
      while (!held_out && is_held_out_count(c.count, c.shape));
      std::optional<Color> color;
      if (rng.chance(0.5f)) color = seen_color(rng, c.shape);
      spec.objects = {object(c.shape, color, {}, c.count)};
      break;
    }
    case Category::Position: {
      ShapeRelation r{};
      do {
        r = held_out ? rng.pick(held_out_relations())
                     : ShapeRelation{Shape(rng.below(kNumShapes)), Relation(rng.below(kNumRelations)),
                                     Shape(rng.below(kNumShapes))};
      } while (!held_out && (r.a == r.b || is_held_out(r.a, r.relation, r.b)));
      if (rng.chance(0.5f)) r = {r.b, converse(r.relation), r.a};
      std::optional<Color> ca, cb;
      if (rng.chance(0.5f)) ca = seen_color(rng, r.a), cb = seen_color(rng, r.b);
      spec.objects = {object(r.a, ca), object(r.b, cb)};
      spec.relation = RelationSpec{r.relation, 0, 1};
      break;
    }
    case Category::ColorAttribution: {
      ColorShape p = pick_pair(rng, held_out), q{};
      do q = pick_pair(rng, held_out, p.shape); while (q.color == p.color);
      spec.objects = {object(p.shape, p.color), object(q.shape, q.color)};
      break;
    }
  }
  return spec;
}

}  // namespace

std::vector<SuitePrompt> make_suite(bool held_out) {
  std::vector<SuitePrompt> suite;
  for (int c = 0; c < kNumCategories; ++c) {
    Rng rng(mix_seed(held_out ? 0x4E1D0u : 0x5EE40u, static_cast<uint64_t>(c)));
    std::set<std::string> taken;
    while (static_cast<int>(taken.size()) < kSuitePromptsPerCategory) {
      std::string prompt = canonical_phrase(suite_spec(Category(c), held_out, rng));
      if (taken.insert(prompt).second) suite.push_back({Category(c), prompt});
    }
  }
  return suite;
}

std::string format_suite(const std::vector<SuitePrompt>& prompts) {
  std::string out;
  for (const SuitePrompt& p : prompts) out += std::string(name(p.category)) + "\t" + p.prompt + "\n";
  return out;
}

std::vector<SuitePrompt> read_suite(const std::string& path) {
  std::ifstream in(path);
  check(in.good(), "cannot read suite file " + path);
  std::vector<SuitePrompt> prompts;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    size_t tab = line.find('\t');
    check(tab != std::string::npos && tab + 1 < line.size(),
          path + ":" + std::to_string(number) + ": expected category<TAB>prompt");
    Category category;
    try {
      category = category_from_name(line.substr(0, tab));
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(number) + ": " + e.what());
    }
    prompts.push_back({category, line.substr(tab + 1)});
  }
  return prompts;
}

void write_suites(const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (bool held_out : {true, false}) {
    std::string path = (std::filesystem::path(dir) / (held_out ? "shapes-heldout.txt" : "shapes-seen.txt")).string();
    std::ofstream out(path, std::ios::binary);
    out << format_suite(make_suite(held_out));
    check(out.good(), "cannot write suite file " + path);
  }
}

}  // namespace easel::world
