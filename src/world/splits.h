// Held-out combinations of the shapes world, which the training stream never renders, and the two fixed evaluation
// suites drawn from them (shapes-heldout) and from combinations training does render (shapes-seen).
//
// Held out (fixed; changing them changes the suites and invalidates trained models):
//   color-shape pairs (an object of that shape in that color), one per shape, no color twice:
//     brown circle, pink square, cyan triangle, green star, purple heart, orange diamond, red hexagon,
//     blue cross, yellow ring, gray crescent
//   shape pairs in a relation (geometrically, relation_holds in scene.h, whatever the caption says; the converse
//   phrasing is the same fact: "a square below a triangle" is held out with "a triangle above a square"):
//     triangle above square, circle left of star, heart above cross, ring left of diamond,
//     crescent above hexagon, square left of heart, star above ring, hexagon left of triangle,
//     diamond above crescent, cross left of circle
//   counts of a shape (exactly that many objects of that shape, any colors):
//     3 stars, 4 hearts, 2 hexagons, 3 crescents, 4 triangles, 2 rings
//
// Suites: kSuitePromptsPerCategory prompts for each of the six categories, each prompt a canonical_phrase
// (caption.h) of a spec:
//   single_object      a held-out pair, sometimes with a size:      "a purple heart", "a large green star"
//   colors             a held-out pair on a stated background:      "a small brown circle on a gray background"
//   two_objects        a held-out pair and a second shape:          "a star and a red hexagon"
//   counting           a held-out count, sometimes with a color:    "three stars", "two blue hexagons"
//   position           a held-out relation, sometimes with colors:  "a blue square below a triangle"
//   color_attribution  two held-out pairs whose swapped bindings are seen: "a purple heart and a green star"
// The seen suite has the same forms with combinations that are not held out. Suite files (data/suites/NAME.txt)
// hold one prompt per line: category<TAB>prompt.
#pragma once
#include <string>
#include <vector>

#include "world/scene.h"

namespace easel::world {

struct ColorShape {
  Color color;
  Shape shape;
};
struct ShapeRelation {
  Shape a;
  Relation relation;
  Shape b;
};
struct ShapeCount {
  int count;
  Shape shape;
};

const std::vector<ColorShape>& held_out_pairs();
const std::vector<ShapeRelation>& held_out_relations();
const std::vector<ShapeCount>& held_out_counts();

bool is_held_out(Color color, Shape shape);
// True for a held-out triple and for its converse (b, converse(relation), a).
bool is_held_out(Shape a, Relation relation, Shape b);
bool is_held_out_count(int count, Shape shape);

// Whether a scene shows any held-out combination. The training stream draws again whenever this is true.
bool renders_held_out(const Scene& scene);
// Whether a spec states any held-out combination: an object with a held-out shape and color, a count n >= 2 of a
// shape held out at n, or a relation between shapes held out.
bool states_held_out(const SceneSpec& spec);

// ---- Suites ----------------------------------------------------------------------------------------------------
constexpr int kSuitePromptsPerCategory = 20;

struct SuitePrompt {
  Category category;
  std::string prompt;
};

// The suite "shapes-heldout" (held_out true) or "shapes-seen" (false), the same on every run and machine:
// categories in Category order, kSuitePromptsPerCategory distinct prompts each.
std::vector<SuitePrompt> make_suite(bool held_out);

// Suite file text: one "category<TAB>prompt\n" line per prompt.
std::string format_suite(const std::vector<SuitePrompt>& prompts);
// Reads a suite file. Throws easel::Error naming the file and line when a line is not category<TAB>prompt or
// names an unknown category.
std::vector<SuitePrompt> read_suite(const std::string& path);
// Writes data/suites/shapes-heldout.txt and shapes-seen.txt (as make_suite makes them) into `dir`, creating it.
void write_suites(const std::string& dir);

}  // namespace easel::world
