// The vocabulary of the easel shapes world: shapes, named colors, sizes, objects, scenes, spatial relations, and
// the constraints a caption states about a scene (SceneSpec). Everything downstream speaks these types: the
// renderer (render.h) draws a Scene, the sampler (sample.h) makes Scenes, the caption grammar (caption.h) turns a
// Scene into text plus the SceneSpec that text states, the parser (parse.h) turns text back into a SceneSpec, the
// splits (splits.h) hold some combinations out of training, and the analyzer (eval/) judges an image against a
// SceneSpec.
//
// Coordinates: an object's center is normalized to the canvas, (0,0) the top-left corner, (1,1) the bottom-right,
// x to the right and y DOWN (image convention). Canvases are square.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace easel::world {

// ---- Shapes ----------------------------------------------------------------------------------------------------
// Each shape is drawn upright inside a circle of the object's radius (its circumradius: the farthest point of the
// shape from the object center lies on that circle). Exact outlines are in render.cpp.
enum class Shape : uint8_t {
  Circle,    // disk filling the circle
  Square,    // axis-aligned square inscribed in the circle (half-side radius/sqrt(2))
  Triangle,  // equilateral, pointing up, inscribed in the circle
  Star,      // five points, pointing up, inner radius 0.45 of outer
  Heart,     // two lobes up, point down
  Diamond,   // rhombus, half-width 0.62 of its half-height: taller than wide, so no rotation of a square
  Hexagon,   // regular, two vertices on the horizontal axis
  Cross,     // plus sign, arm thickness 0.6 of the radius
  Ring,      // annulus, inner radius half the outer
  Crescent,  // disk minus an offset disk, horns to the right
};
constexpr int kNumShapes = 10;

// ---- Colors ----------------------------------------------------------------------------------------------------
// Twelve named colors, picked in sRGB so that every pair is at least 41 apart in CIELAB (Delta E 1976, D65): the
// closest pairs are brown/gray (41.4), blue/purple (42.7), white/gray (43.0), red/orange (43.3), purple/pink (43.4).
// A typical blur or JPEG noise moves a color by well under half of that, so the nearest named color survives it.
enum class Color : uint8_t { Red, Orange, Yellow, Green, Blue, Purple, Pink, Brown, Black, White, Gray, Cyan };
constexpr int kNumColors = 12;

struct Rgb {
  uint8_t r, g, b;
};
// The sRGB value drawn for each color:
//   red (220,30,30)   orange (245,135,20)  yellow (245,220,40)  green (40,160,60)   blue (30,90,230)
//   purple (150,40,160) pink (245,130,190) brown (120,70,30)    black (20,20,20)    white (245,245,245)
//   gray (128,128,128) cyan (40,200,220)
Rgb rgb(Color c);

struct Lab {
  float L, a, b;
};
// CIELAB (D65 white) of an sRGB triple given as 0..255 floats: the perceptual space colors are compared in.
Lab to_lab(float r, float g, float b);
Lab to_lab(Color c);
// Euclidean distance in CIELAB (Delta E 1976).
float delta_e(const Lab& x, const Lab& y);
// The named color nearest to an sRGB triple (0..255) in CIELAB.
Color nearest_color(float r, float g, float b);

// A background is any named color; the default is white. Objects never take their background's color, so every
// object stands at least 41 Delta E from its background.
constexpr Color kDefaultBackground = Color::White;

// ---- Sizes -----------------------------------------------------------------------------------------------------
// Three size classes with disjoint ranges of radius, as a fraction of the canvas side. The gaps between ranges
// (0.10..0.125, 0.16..0.19) keep the classes apart when measured on a blurred or downscaled image.
enum class Size : uint8_t { Small, Medium, Large };
constexpr int kNumSizes = 3;
struct RadiusRange {
  float min, max;
};
// small [0.075, 0.10], medium [0.125, 0.16], large [0.19, 0.23]
RadiusRange radius_range(Size s);
// The size class whose range holds (or, between ranges, is nearest to) a radius.
Size size_of_radius(float radius);

// ---- Objects and scenes ----------------------------------------------------------------------------------------
// Rotations stay within +-kMaxRotation radians (15 degrees): enough to vary the pictures, too little to turn one
// shape into another (a square turned 45 degrees would be a diamond-like shape, a cross an X).
constexpr float kMaxRotation = 0.2618f;

struct Object {
  Shape shape = Shape::Circle;
  Color color = Color::Red;
  Size size = Size::Medium;
  float cx = 0.5f, cy = 0.5f;  // center, normalized to the canvas (y down)
  float radius = 0.14f;        // circumradius, fraction of the canvas side; inside radius_range(size)
  float rotation = 0.0f;       // radians, counter-clockwise as seen on screen, |rotation| <= kMaxRotation
};

// The sampler guarantees: 1..kMaxObjects objects, each fully inside the canvas, and the circumcircles of any two
// objects at least kMinGap apart (so no object hides or touches another).
constexpr int kMaxObjects = 4;
constexpr float kMinGap = 0.03f;
struct Scene {
  Color background = kDefaultBackground;
  std::vector<Object> objects;
};

// ---- Relations -------------------------------------------------------------------------------------------------
// "A left of B" holds when B's center is to the right of A's by at least kRelationMargin AND that horizontal offset
// exceeds the absolute vertical offset (the offset points mostly sideways). Right/Above/Below are the same with
// the axes and signs changed; "above" means a smaller y (higher on screen). So at most one relation holds for an
// ordered pair, and A left of B  <=>  B right of A, A above B  <=>  B below A.
enum class Relation : uint8_t { LeftOf, RightOf, Above, Below };
constexpr int kNumRelations = 4;
constexpr float kRelationMargin = 0.1f;
// Whether `rel` holds from a center (ax, ay) to a center (bx, by) (normalized, y down).
bool relation_holds(Relation rel, float ax, float ay, float bx, float by);
bool relation_holds(Relation rel, const Object& a, const Object& b);
// The relation with a and b exchanged: LeftOf <-> RightOf, Above <-> Below.
Relation converse(Relation rel);

// ---- What a caption states -------------------------------------------------------------------------------------
// One noun phrase of a caption: "a red circle" {Circle, Red, -, 1}, "two green triangles" {Triangle, Green, -, 2},
// "a small star" {Star, -, Small, 1}. Unstated attributes are empty.
struct ObjectSpec {
  std::optional<Shape> shape;
  std::optional<Color> color;
  std::optional<Size> size;
  int count = 1;  // 1: at least one such object; >= 2: exactly that many such objects
  bool operator==(const ObjectSpec& o) const {
    return shape == o.shape && color == o.color && size == o.size && count == o.count;
  }
  bool operator!=(const ObjectSpec& o) const { return !(*this == o); }
};

// "objects[a] <relation> objects[b]", e.g. "a yellow heart to the left of a purple square" is {LeftOf, 0, 1}.
struct RelationSpec {
  Relation relation = Relation::LeftOf;
  int a = 0, b = 1;
  bool operator==(const RelationSpec& o) const { return relation == o.relation && a == o.a && b == o.b; }
  bool operator!=(const RelationSpec& o) const { return !(*this == o); }
};

// Every constraint a caption (or an evaluation prompt) states, in the order it states them. Two specs are equal
// when they state the same things in the same order.
struct SceneSpec {
  std::vector<ObjectSpec> objects;
  std::optional<RelationSpec> relation;
  std::optional<Color> background;
  bool operator==(const SceneSpec& o) const {
    return objects == o.objects && relation == o.relation && background == o.background;
  }
  bool operator!=(const SceneSpec& o) const { return !(*this == o); }
};

// Whether an object has every attribute the spec states (count aside).
bool matches(const ObjectSpec& spec, const Object& obj);
// Whether a scene satisfies a spec: there is a way to give each ObjectSpec its own object that matches it (no
// object serves two specs) such that the relation, if stated, holds between the objects given to specs a and b;
// an ObjectSpec with count n >= 2 also needs exactly n matching objects in the scene; a stated background must be
// the scene's. This is the ground truth the analyzer approximates from pixels.
bool satisfies(const Scene& scene, const SceneSpec& spec);

// ---- Categories -------------------------------------------------------------------------------------------------
// The kinds of scene and prompt, after GenEval (Ghosh et al. 2023):
//   SingleObject      one object                         "a purple heart"
//   TwoObjects        two objects of different shapes    "a purple heart and a star"
//   Counting          2-4 objects of one shape and color "three green stars"
//   Colors            one object, its color and the background's  "a small purple heart on a yellow background"
//   Position          two objects in a stated relation   "a circle to the left of a star"
//   ColorAttribution  two objects, each with its color   "a purple heart and a green star"
enum class Category : uint8_t { SingleObject, TwoObjects, Counting, Colors, Position, ColorAttribution };
constexpr int kNumCategories = 6;

// ---- Names -----------------------------------------------------------------------------------------------------
// Canonical English words: "circle", "red", "small", "left of" (lexicon.h has the synonyms and plurals).
const char* name(Shape s);
const char* name(Color c);
const char* name(Size s);
const char* name(Relation r);
// Category keys as in reports and suite files: "single_object", "two_objects", "counting", "colors", "position",
// "color_attribution".
const char* name(Category c);
// The category with that key; throws easel::Error naming the key when there is none.
Category category_from_name(const std::string& key);

}  // namespace easel::world
