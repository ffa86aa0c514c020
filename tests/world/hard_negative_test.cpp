#include "world/hard_negative.h"

#include <gtest/gtest.h>

#include "world/parse.h"
#include "world/splits.h"
#include "world/stream.h"

using namespace easel::world;

// Every negative is a caption of the grammar (it parses back to its spec), false of the scene, one fact away from
// the true caption, never a held-out combination; sizes, colour bindings and relations are among the facts changed.
struct FactCounts {
  int made = 0, size = 0, color = 0, relation = 0, added_relation = 0, shape = 0, count = 0;
};

FactCounts check_negatives(NegativeMix mix, int n) {
  FactCounts c;
  int &made = c.made, &size = c.size, &color = c.color, &relation = c.relation, &shape = c.shape, &count = c.count;
  for (uint64_t i = 0; i < uint64_t(n); ++i) {
    const Example ex = training_example(3, i);
    Rng rng(100 + i);
    const std::optional<HardNegative> neg = hard_negative(ex.scene, ex.caption.spec, rng, mix);
    if (!neg) continue;
    ++made;
    const ParsedCaption p = parse_caption(neg->text);
    EXPECT_EQ(p.spec, neg->spec) << neg->text;
    EXPECT_FALSE(satisfies(ex.scene, neg->spec)) << ex.caption.text << " -> " << neg->text;
    EXPECT_FALSE(states_held_out(neg->spec)) << neg->text;
    EXPECT_EQ(neg->spec.objects.size(), ex.caption.spec.objects.size()) << neg->text;
    if (neg->spec.objects.size() != ex.caption.spec.objects.size()) continue;
    int changed = 0;
    bool sz = false, col = false, sh = false, cnt = false;
    for (size_t k = 0; k < neg->spec.objects.size(); ++k) {
      const ObjectSpec &a = ex.caption.spec.objects[k], &b = neg->spec.objects[k];
      sz |= a.size != b.size, col |= a.color != b.color, sh |= a.shape != b.shape, cnt |= a.count != b.count;
    }
    const bool rel = ex.caption.spec.relation != neg->spec.relation;
    changed = int(sz) + int(col) + int(rel) + int(sh) + int(cnt);
    EXPECT_EQ(changed, 1) << ex.caption.text << " -> " << neg->text;
    EXPECT_EQ(neg->spec.background, ex.caption.spec.background) << neg->text;
    size += sz, color += col, relation += rel, shape += sh, count += cnt;
    c.added_relation += rel && !ex.caption.spec.relation;
    const Fact fact = sz ? Fact::Size : col ? Fact::Color : rel ? Fact::Relation : sh ? Fact::Shape : Fact::Count;
    EXPECT_EQ(name(neg->fact), std::string(name(fact))) << ex.caption.text << " -> " << neg->text;
  }
  return c;
}

TEST(WorldHardNegative, OneFactWrongAndFalseOfTheScene) {
  const int n = 2000;
  const FactCounts c = check_negatives(NegativeMix::Basic, n);
  const int made = c.made, size = c.size, color = c.color, relation = c.relation, shape = c.shape, count = c.count;
  EXPECT_EQ(c.added_relation, 0);  // the basic mix only turns a stated relation around
  EXPECT_GT(made, n * 95 / 100);
  EXPECT_GT(size, made / 5);
  EXPECT_GT(color, made / 5);
  EXPECT_GT(relation, made / 40);  // position scenes are a sixth of the stream
  EXPECT_GT(shape, made / 20);
  EXPECT_GT(count, made / 100);
}

// The relations mix: the same guarantees, and far more relation negatives, most of them added to captions that
// name two objects and no relation.
TEST(WorldHardNegative, RelationsMixGetsRelationsWrongOften) {
  const int n = 2000;
  const FactCounts basic = check_negatives(NegativeMix::Basic, n);
  const FactCounts c = check_negatives(NegativeMix::Relations, n);
  EXPECT_GT(c.made, n * 95 / 100);
  EXPECT_GT(c.relation, 3 * basic.relation);
  EXPECT_GT(c.added_relation, c.relation / 3);
  EXPECT_GT(c.size, c.made / 6);
  EXPECT_GT(c.color, c.made / 6);
}

TEST(WorldHardNegative, SameDrawsSameNegativeAndNothingToChangeGivesNone) {
  const Example ex = training_example(3, 7);
  Rng a(5), b(5);
  const auto na = hard_negative(ex.scene, ex.caption.spec, a);
  const auto nb = hard_negative(ex.scene, ex.caption.spec, b);
  ASSERT_TRUE(na && nb);
  EXPECT_EQ(na->text, nb->text);
  Rng r(1);
  EXPECT_FALSE(hard_negative(ex.scene, SceneSpec{}, r).has_value());
}

// The colour-swapped twin: the same shapes and colours bound the other way round, its spec true of it and false of
// the original scene; none where there is no pair of two colours on two shapes.
TEST(WorldSwappedTwin, SwapsTheBindingAndStaysTrue) {
  Scene scene;
  scene.background = Color::White;
  Object a, b;
  a.shape = Shape::Circle, a.color = Color::Red, a.cx = 0.3f;
  b.shape = Shape::Square, b.color = Color::Blue, b.cx = 0.7f;
  scene.objects = {a, b};
  SceneSpec spec;
  spec.objects = {ObjectSpec{Shape::Circle, Color::Red, std::nullopt, 1},
                  ObjectSpec{Shape::Square, Color::Blue, std::nullopt, 1}};
  const std::optional<SwappedTwin> t = swap_colours(scene, spec);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->scene.objects[0].color, Color::Blue);
  EXPECT_EQ(t->scene.objects[1].color, Color::Red);
  EXPECT_EQ(t->scene.objects[0].shape, Shape::Circle);
  EXPECT_EQ(t->scene.objects[0].cx, 0.3f);
  EXPECT_EQ(t->spec.objects[0].color, Color::Blue);
  EXPECT_EQ(t->spec.objects[1].color, Color::Red);
  EXPECT_TRUE(satisfies(t->scene, t->spec));
  EXPECT_FALSE(satisfies(scene, t->spec));

  SceneSpec one = spec;
  one.objects.pop_back();
  EXPECT_FALSE(swap_colours(scene, one).has_value());  // one object
  SceneSpec uncoloured = spec;
  uncoloured.objects[1].color.reset();
  EXPECT_FALSE(swap_colours(scene, uncoloured).has_value());  // one colour stated
  Scene two_circles = scene;
  two_circles.objects[1].shape = Shape::Circle;
  SceneSpec same_shape = spec;
  same_shape.objects[1].shape = Shape::Circle;
  EXPECT_FALSE(swap_colours(two_circles, same_shape).has_value());  // the swap would say the same
}

// Both kinds of twin over the training stream: each twin's spec is true of it and false of the scene it came from, it
// has as many objects, and a fair share of the stream has one (a few percent: colour swaps; most position scenes,
// a sixth of the stream: turned relations).
TEST(WorldTwins, TrainingCaptionsTwinsAreTrueOfTheTwinAndFalseOfTheScene) {
  using Maker = std::optional<SwappedTwin> (*)(const Scene&, const SceneSpec&);
  for (Maker make : {Maker(swap_colours), Maker(turn_relation)}) {
    int twins = 0;
    for (uint64_t i = 0; i < 3000; ++i) {
      const Example ex = training_example(5, i);
      const std::optional<SwappedTwin> t = make(ex.scene, ex.caption.spec);
      if (!t) continue;
      ++twins;
      EXPECT_TRUE(satisfies(t->scene, t->spec)) << ex.caption.text;
      EXPECT_FALSE(satisfies(ex.scene, t->spec)) << ex.caption.text;
      EXPECT_EQ(t->scene.objects.size(), ex.scene.objects.size());
    }
    EXPECT_GT(twins, 100);
  }
}

// The turned twin: the two objects' places exchanged and the relation turned, true of the twin and false of the
// scene; none without a relation or where the scene has other than two objects.
TEST(WorldTurnedTwin, ExchangesThePlacesAndTurnsTheRelation) {
  Scene scene;
  Object a, b;
  a.shape = Shape::Circle, a.cx = 0.5f, a.cy = 0.25f, a.radius = 0.14f;
  b.shape = Shape::Square, b.cx = 0.5f, b.cy = 0.75f, b.radius = 0.14f;
  scene.objects = {a, b};
  SceneSpec spec;
  spec.objects = {ObjectSpec{Shape::Circle, std::nullopt, std::nullopt, 1},
                  ObjectSpec{Shape::Square, std::nullopt, std::nullopt, 1}};
  spec.relation = RelationSpec{Relation::Above, 0, 1};
  ASSERT_TRUE(satisfies(scene, spec));
  const std::optional<SwappedTwin> t = turn_relation(scene, spec);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->spec.relation->relation, Relation::Below);
  EXPECT_EQ(t->scene.objects[0].shape, Shape::Circle);
  EXPECT_EQ(t->scene.objects[0].cy, 0.75f);
  EXPECT_EQ(t->scene.objects[1].cy, 0.25f);
  EXPECT_TRUE(satisfies(t->scene, t->spec));
  EXPECT_FALSE(satisfies(scene, t->spec));

  SceneSpec unrelated = spec;
  unrelated.relation.reset();
  EXPECT_FALSE(turn_relation(scene, unrelated).has_value());  // nothing to turn
  Scene three = scene;
  three.objects.push_back(a);
  EXPECT_FALSE(turn_relation(three, spec).has_value());  // which two to exchange is not clear
  Scene big = scene;  // a large object near the top edge would leave the canvas at the small one's place
  big.objects[0].cy = 0.08f, big.objects[0].radius = 0.05f;
  big.objects[1].cy = 0.75f, big.objects[1].radius = 0.22f;
  EXPECT_FALSE(turn_relation(big, spec).has_value());
}
