#include "world/hard_negative.h"

#include <gtest/gtest.h>

#include "world/parse.h"
#include "world/splits.h"
#include "world/stream.h"

using namespace easel::world;

// Every negative is a caption of the grammar (it parses back to its spec), false of the scene, one fact away from
// the true caption, never a held-out combination; sizes, colour bindings and relations are among the facts changed.
TEST(WorldHardNegative, OneFactWrongAndFalseOfTheScene) {
  int made = 0, size = 0, color = 0, relation = 0, shape = 0, count = 0;
  const int n = 2000;
  for (uint64_t i = 0; i < uint64_t(n); ++i) {
    const Example ex = training_example(3, i);
    Rng rng(100 + i);
    const std::optional<Caption> neg = hard_negative(ex.scene, ex.caption.spec, rng);
    if (!neg) continue;
    ++made;
    const ParsedCaption p = parse_caption(neg->text);
    EXPECT_EQ(p.spec, neg->spec) << neg->text;
    EXPECT_FALSE(satisfies(ex.scene, neg->spec)) << ex.caption.text << " -> " << neg->text;
    EXPECT_FALSE(states_held_out(neg->spec)) << neg->text;
    ASSERT_EQ(neg->spec.objects.size(), ex.caption.spec.objects.size()) << neg->text;
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
  }
  EXPECT_GT(made, n * 95 / 100);
  EXPECT_GT(size, made / 5);
  EXPECT_GT(color, made / 5);
  EXPECT_GT(relation, made / 40);  // position scenes are a sixth of the stream
  EXPECT_GT(shape, made / 20);
  EXPECT_GT(count, made / 100);
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
