#include "world/scene.h"

#include <gtest/gtest.h>

using namespace easel::world;

TEST(WorldScene, PaletteColorsAreFarApartInLab) {
  float closest = 1e9f;
  for (int i = 0; i < kNumColors; ++i)
    for (int j = i + 1; j < kNumColors; ++j)
      closest = std::min(closest, delta_e(to_lab(Color(i)), to_lab(Color(j))));
  EXPECT_GT(closest, 41.0f);  // the figure scene.h documents
}

TEST(WorldScene, NearestColorRecoversEachPaletteColorUnderNoise) {
  for (int i = 0; i < kNumColors; ++i) {
    Rgb v = rgb(Color(i));
    EXPECT_EQ(nearest_color(v.r, v.g, v.b), Color(i)) << name(Color(i));
    // A shift of 12 levels in every channel (a strong JPEG-like error) keeps the name.
    for (float d : {-12.f, 12.f})
      EXPECT_EQ(nearest_color(std::clamp(v.r + d, 0.f, 255.f), std::clamp(v.g + d, 0.f, 255.f),
                              std::clamp(v.b + d, 0.f, 255.f)),
                Color(i))
          << name(Color(i)) << " shifted by " << d;
  }
}

TEST(WorldScene, SizeClassesRoundTripThroughRadius) {
  for (int s = 0; s < kNumSizes; ++s) {
    RadiusRange r = radius_range(Size(s));
    EXPECT_EQ(size_of_radius(r.min), Size(s));
    EXPECT_EQ(size_of_radius(r.max), Size(s));
    if (s > 0) {
      EXPECT_LT(radius_range(Size(s - 1)).max, r.min);
    }
  }
}

TEST(WorldScene, RelationsAreExclusiveAndConverse) {
  // A grid of offsets: at most one relation holds, and each holds exactly when its converse holds reversed.
  for (float dx = -0.5f; dx <= 0.5f; dx += 0.05f)
    for (float dy = -0.5f; dy <= 0.5f; dy += 0.05f) {
      int holding = 0;
      for (int r = 0; r < kNumRelations; ++r) {
        bool h = relation_holds(Relation(r), 0.5f, 0.5f, 0.5f + dx, 0.5f + dy);
        holding += h;
        EXPECT_EQ(h, relation_holds(converse(Relation(r)), 0.5f + dx, 0.5f + dy, 0.5f, 0.5f));
      }
      EXPECT_LE(holding, 1) << dx << "," << dy;
    }
  EXPECT_TRUE(relation_holds(Relation::LeftOf, 0.2f, 0.5f, 0.6f, 0.6f));
  EXPECT_TRUE(relation_holds(Relation::Above, 0.5f, 0.1f, 0.5f, 0.8f));  // smaller y is higher on screen
  EXPECT_FALSE(relation_holds(Relation::LeftOf, 0.5f, 0.5f, 0.55f, 0.5f));  // within the margin
}

TEST(WorldScene, SatisfiesChecksCountsBindingAndRelation) {
  Scene s;
  s.objects = {{Shape::Heart, Color::Yellow, Size::Small, 0.2f, 0.5f, 0.09f, 0.f},
               {Shape::Square, Color::Purple, Size::Large, 0.7f, 0.5f, 0.2f, 0.f}};
  SceneSpec heart_left{{{Shape::Heart, Color::Yellow, {}, 1}, {Shape::Square, Color::Purple, {}, 1}},
                       RelationSpec{Relation::LeftOf, 0, 1}, {}};
  EXPECT_TRUE(satisfies(s, heart_left));
  SceneSpec heart_right = heart_left;
  heart_right.relation->relation = Relation::RightOf;
  EXPECT_FALSE(satisfies(s, heart_right));
  SceneSpec swapped{{{Shape::Heart, Color::Purple, {}, 1}, {Shape::Square, Color::Yellow, {}, 1}}, {}, {}};
  EXPECT_FALSE(satisfies(s, swapped));  // attribute binding matters
  SceneSpec two_hearts{{{Shape::Heart, {}, {}, 2}}, {}, {}};
  EXPECT_FALSE(satisfies(s, two_hearts));
  s.objects.push_back({Shape::Heart, Color::Red, Size::Small, 0.5f, 0.2f, 0.09f, 0.f});
  EXPECT_TRUE(satisfies(s, two_hearts));
  SceneSpec black_bg{{{Shape::Square, {}, Size::Large, 1}}, {}, Color::Black};
  EXPECT_FALSE(satisfies(s, black_bg));
  s.background = Color::Black;
  EXPECT_TRUE(satisfies(s, black_bg));
  // One object cannot serve two specs.
  SceneSpec two_squares_as_ones{{{Shape::Square, {}, {}, 1}, {Shape::Square, {}, {}, 1}}, {}, {}};
  EXPECT_FALSE(satisfies(s, two_squares_as_ones));
}
