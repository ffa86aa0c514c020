#include "world/splits.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "test_util.h"
#include "util/error.h"
#include "world/caption.h"
#include "world/parse.h"
#include "world/sample.h"
#include "world/stream.h"

using namespace easel::world;

namespace {

// Held-out combinations in a scene, checked straight from the lists (not through renders_held_out).
int held_out_combinations(const Scene& s) {
  int found = 0;
  std::map<Shape, int> per_shape;
  for (const Object& o : s.objects) {
    ++per_shape[o.shape];
    for (const ColorShape& p : held_out_pairs()) found += p.color == o.color && p.shape == o.shape;
  }
  for (const ShapeCount& c : held_out_counts()) found += per_shape[c.shape] == c.count;
  for (size_t i = 0; i < s.objects.size(); ++i)
    for (size_t j = 0; j < s.objects.size(); ++j)
      for (const ShapeRelation& r : held_out_relations())
        found += i != j && s.objects[i].shape == r.a && s.objects[j].shape == r.b &&
                 relation_holds(r.relation, s.objects[i], s.objects[j]);
  return found;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(WorldSplits, TrainingStreamNeverRendersAHeldOutCombination) {
  const int n = 200000;
  int held_out = 0;
  std::map<std::pair<Color, Shape>, int> pairs;  // to show the seen counterparts do appear
  for (int i = 0; i < n; ++i) {
    Example ex = training_example(2024, i);
    held_out += held_out_combinations(ex.scene);
    for (const Object& o : ex.scene.objects) ++pairs[{o.color, o.shape}];
  }
  EXPECT_EQ(held_out, 0);
  EXPECT_GT((pairs[{Color::Green, Shape::Heart}]), 0);
  EXPECT_GT((pairs[{Color::Purple, Shape::Star}]), 0);
  EXPECT_EQ((pairs[{Color::Purple, Shape::Heart}]), 0);
}

TEST(WorldSplits, UnfilteredSamplerWouldRenderThem) {
  // Guards the test above against passing vacuously: without the filter, held-out scenes are common.
  Rng rng(3);
  int rejected = 0;
  for (int i = 0; i < 5000; ++i) {
    Relation rel;
    Scene s = sample_scene(Category(i % kNumCategories), rng, &rel);
    EXPECT_EQ(renders_held_out(s), held_out_combinations(s) > 0);
    rejected += renders_held_out(s);
  }
  EXPECT_GT(rejected, 100);
}

TEST(WorldSplits, SuitesHaveTheRightShape) {
  auto heldout = make_suite(true), seen = make_suite(false);
  ASSERT_EQ(heldout.size(), seen.size());
  ASSERT_EQ(heldout.size(), static_cast<size_t>(kSuitePromptsPerCategory * kNumCategories));
  Rng rng(9);
  for (size_t i = 0; i < heldout.size(); ++i) {
    EXPECT_EQ(heldout[i].category, seen[i].category);
    for (const SuitePrompt* p : {&heldout[i], &seen[i]}) {
      bool is_heldout = p == &heldout[i];
      ParsedCaption parsed = parse_caption(p->prompt);
      EXPECT_TRUE(parsed.unused.empty()) << p->prompt;
      EXPECT_EQ(canonical_phrase(parsed.spec), p->prompt);
      EXPECT_EQ(states_held_out(parsed.spec), is_heldout) << p->prompt;
      Scene s = realize(parsed.spec, rng);
      EXPECT_TRUE(satisfies(s, parsed.spec)) << p->prompt;
    }
  }
}

TEST(WorldSplits, CommittedSuiteFilesAreWhatTheGeneratorWrites) {
  const std::string dir = std::string(EASEL_SOURCE_DIR) + "/data/suites/";
  EXPECT_EQ(read_file(dir + "shapes-heldout.txt"), format_suite(make_suite(true)))
      << "regenerate with: easel world suites --out data/suites";
  EXPECT_EQ(read_file(dir + "shapes-seen.txt"), format_suite(make_suite(false)))
      << "regenerate with: easel world suites --out data/suites";
  auto read_back = read_suite(dir + "shapes-heldout.txt");
  ASSERT_EQ(read_back.size(), make_suite(true).size());
  EXPECT_EQ(read_back[0].prompt, make_suite(true)[0].prompt);
}

TEST(WorldSplits, ReadSuiteNamesTheBadLine) {
  easel::test::TempDir tmp;
  std::string path = (tmp / "bad.txt").string();
  std::ofstream(path) << "colors\ta red circle\nshapes a star\n";
  try {
    read_suite(path);
    FAIL() << "expected an error";
  } catch (const easel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt:2"), std::string::npos) << e.what();
  }
  std::ofstream(path) << "sizes\ta red circle\n";
  EXPECT_THROW(read_suite(path), easel::Error);
}
