#include "world/caption.h"

#include <gtest/gtest.h>

#include <set>

#include "world/parse.h"
#include "world/stream.h"

using namespace easel::world;

namespace {

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += "[" + w + "]";
  return out;
}

ObjectSpec obj(Shape shape, std::optional<Color> color = {}, std::optional<Size> size = {}, int count = 1) {
  return {shape, color, size, count};
}

}  // namespace

TEST(WorldCaption, EveryGrammarCaptionParsesBackToItsSpecAndIsTrue) {
  std::set<std::string> distinct;
  for (uint64_t i = 0; i < 6000; ++i) {
    Example ex = training_example(11, i);
    ParsedCaption p = parse_caption(ex.caption.text);
    EXPECT_EQ(p.spec, ex.caption.spec) << ex.caption.text;
    EXPECT_TRUE(p.unused.empty()) << ex.caption.text << " unused " << join(p.unused);
    EXPECT_TRUE(satisfies(ex.scene, ex.caption.spec)) << ex.caption.text;
    distinct.insert(ex.caption.text);
  }
  EXPECT_GT(distinct.size(), 4000u);  // the grammar varies
}

TEST(WorldCaption, CompleteCaptionsStateEveryColorAndSizeOfTheSameScene) {
  int complete = 0;
  for (uint64_t i = 0; i < 3000; ++i) {
    Example partial = training_example(11, i);
    Example ex = training_example(11, i, Detail::Complete);
    EXPECT_EQ(ex.scene.objects.size(), partial.scene.objects.size());
    EXPECT_EQ(ex.category, partial.category);
    for (size_t k = 0; k < ex.scene.objects.size() && k < partial.scene.objects.size(); ++k) {
      EXPECT_EQ(ex.scene.objects[k].shape, partial.scene.objects[k].shape);
      EXPECT_EQ(ex.scene.objects[k].color, partial.scene.objects[k].color);
    }
    ParsedCaption p = parse_caption(ex.caption.text);
    EXPECT_EQ(p.spec, ex.caption.spec) << ex.caption.text;
    EXPECT_TRUE(satisfies(ex.scene, ex.caption.spec)) << ex.caption.text;
    EXPECT_EQ(ex.caption.spec.background, ex.scene.background) << ex.caption.text;
    bool all = true;
    for (const ObjectSpec& o : ex.caption.spec.objects) {
      all = all && o.color.has_value();
      if (ex.category != Category::Counting) all = all && o.size.has_value();
    }
    EXPECT_TRUE(all) << ex.caption.text;
    complete += all;
  }
  EXPECT_EQ(complete, 3000);
}

TEST(WorldCaption, CanonicalPhrases) {
  EXPECT_EQ(canonical_phrase({{obj(Shape::Circle, Color::Red)}, {}, {}}), "a red circle");
  EXPECT_EQ(canonical_phrase({{obj(Shape::Star, Color::Blue, Size::Small)}, {}, Color::White}),
            "a small blue star on a white background");
  EXPECT_EQ(canonical_phrase({{obj(Shape::Triangle, Color::Green, {}, 2)}, {}, {}}), "two green triangles");
  EXPECT_EQ(canonical_phrase({{obj(Shape::Cross, {}, {}, 3)}, {}, {}}), "three crosses");
  EXPECT_EQ(canonical_phrase({{obj(Shape::Heart, Color::Yellow), obj(Shape::Square, Color::Purple)},
                              RelationSpec{Relation::LeftOf, 0, 1}, {}}),
            "a yellow heart to the left of a purple square");
  EXPECT_EQ(canonical_phrase({{obj(Shape::Hexagon, Color::Orange), obj(Shape::Ring)}, {}, {}}),
            "an orange hexagon and a ring");
}

TEST(WorldCaption, ParsesUnseenButReasonablePhrasings) {
  struct Case {
    std::string text;
    SceneSpec spec;
  };
  const std::vector<Case> cases = {
      {"A RED CIRCLE.", {{obj(Shape::Circle, Color::Red)}, {}, {}}},
      {"a box that is violet", {{obj(Shape::Square, Color::Purple)}, {}, {}}},
      {"a star in blue", {{obj(Shape::Star, Color::Blue)}, {}, {}}},
      {"a blue-colored star", {{obj(Shape::Star, Color::Blue)}, {}, {}}},
      {"a star colored blue", {{obj(Shape::Star, Color::Blue)}, {}, {}}},
      {"2 grey discs", {{obj(Shape::Circle, Color::Gray, {}, 2)}, {}, {}}},
      {"four tiny turquoise moons", {{obj(Shape::Crescent, Color::Cyan, Size::Small, 4)}, {}, {}}},
      {"a huge pink donut on top of a plus", {{obj(Shape::Ring, Color::Pink, Size::Large), obj(Shape::Cross)},
                                              RelationSpec{Relation::Above, 0, 1}, {}}},
      {"the triangle is under the diamond", {{obj(Shape::Triangle), obj(Shape::Diamond)},
                                             RelationSpec{Relation::Below, 0, 1}, {}}},
      {"a hexagon to the right of a heart, background is black",
       {{obj(Shape::Hexagon), obj(Shape::Heart)}, RelationSpec{Relation::RightOf, 0, 1}, Color::Black}},
      {"an image of a white backdrop with a crescent moon",
       {{obj(Shape::Crescent)}, {}, Color::White}},
      {"a pair of medium-sized brown hearts", {{obj(Shape::Heart, Color::Brown, Size::Medium, 2)}, {}, {}}},
  };
  for (const Case& c : cases) {
    ParsedCaption p = parse_caption(c.text);
    EXPECT_EQ(p.spec, c.spec) << c.text;
    EXPECT_TRUE(p.unused.empty()) << c.text << " unused " << join(p.unused);
  }
}

TEST(WorldCaption, ReportsWordsItCannotUse) {
  ParsedCaption p = parse_caption("a shiny red circle next to a wobbly square");
  EXPECT_EQ(p.spec, (SceneSpec{{obj(Shape::Circle, Color::Red), obj(Shape::Square)}, {}, {}}));
  EXPECT_EQ(p.unused, (std::vector<std::string>{"shiny", "next", "to", "wobbly"}));
  // Adjectives without a noun, a dangling relation, a second background, a second color on one object.
  p = parse_caption("a green circle above, red, on a white background on a black background");
  EXPECT_EQ(p.spec, (SceneSpec{{obj(Shape::Circle, Color::Green)}, {}, Color::White}));
  EXPECT_EQ(p.unused, (std::vector<std::string>{"red", "black", "above"}));
  p = parse_caption("");
  EXPECT_TRUE(p.spec.objects.empty());
  EXPECT_TRUE(p.unused.empty());
}
