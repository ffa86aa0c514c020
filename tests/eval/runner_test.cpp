// The evaluation runner (issue: shapes world, `easel eval --model M --suite NAME`): the perfect world model must
// score about 1.0 on both suites, a blank model about 0, and the report must hold what issue 4 names.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <mutex>
#include <fstream>

#include "eval/eval_sheet.h"
#include "eval/runner.h"
#include "eval/world_model.h"
#include "test_util.h"
#include "util/error.h"
#include "world/parse.h"
#include "world/splits.h"

namespace {

using namespace easel;

const char* kCategoryKeys[] = {"single_object", "two_objects", "counting", "colors", "position", "color_attribution"};

eval::Generator blank_generator(int size) {
  return [size](const std::string&, int n, uint64_t) {
    io::Image img;
    img.width = img.height = size, img.channels = 3;
    img.pixels.assign(static_cast<size_t>(size) * size * 3, 245);
    return std::vector<io::Image>(n, img);
  };
}

eval::RunOptions options(int per_prompt, uint64_t seed = 1) {
  eval::RunOptions o;
  o.per_prompt = per_prompt, o.seed = seed, o.model = "test", o.suite = "test";
  return o;
}

TEST(Runner, WorldModelScoresAboutOneOnBothSuites) {
  const std::clock_t start = std::clock();  // CPU time: the machine may be shared
  for (const char* suite : {"shapes-heldout", "shapes-seen"}) {
    const auto items = eval::suite_items(suite);
    ASSERT_EQ(items.size(), 6u * world::kSuitePromptsPerCategory);
    eval::EvalReport r = eval::run_eval(items, eval::world_generator(64), options(2));
    EXPECT_GE(r.overall, 0.99) << suite;
    for (int c = 0; c < world::kNumCategories; ++c) {
      EXPECT_EQ(r.categories[c].images, 2 * world::kSuitePromptsPerCategory) << suite << " " << kCategoryKeys[c];
      EXPECT_GE(r.categories[c].fraction(), 0.97) << suite << " " << kCategoryKeys[c];
    }
    EXPECT_EQ(r.custom.images, 0);
    std::printf("%s: world model overall %.3f in %.1f s\n", suite, r.overall, r.seconds);
  }
  EXPECT_LT(static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC, 20.0);
}

TEST(Runner, BlankModelScoresZero) {
  eval::EvalReport r = eval::run_eval(eval::suite_items("shapes-heldout"), blank_generator(64), options(1));
  EXPECT_EQ(r.overall, 0.0);
  for (const auto& p : r.prompts)
    for (const auto& v : p.images) {
      EXPECT_FALSE(v.pass);
      EXPECT_FALSE(v.constraints.empty());
      EXPECT_EQ(v.seen, "background white");
    }
}

TEST(Runner, OverallIsTheMeanOfCategoryScoresNotOfImages) {
  // One single_object prompt the world model passes, three counting prompts a blank model fails.
  std::vector<eval::EvalItem> items = {{world::Category::SingleObject, "a red circle"},
                                       {world::Category::Counting, "two blue squares"},
                                       {world::Category::Counting, "three green stars"},
                                       {world::Category::Counting, "four yellow hearts"}};
  const auto world_model = eval::world_generator(64), blank = blank_generator(64);
  eval::Generator mixed = [&](const std::string& prompt, int n, uint64_t seed) {
    return prompt == "a red circle" ? world_model(prompt, n, seed) : blank(prompt, n, seed);
  };
  eval::EvalReport r = eval::run_eval(items, mixed, options(2));
  EXPECT_EQ(r.categories[0].fraction(), 1.0);
  EXPECT_EQ(r.categories[2].fraction(), 0.0);
  EXPECT_EQ(r.categories[2].images, 6);
  EXPECT_DOUBLE_EQ(r.overall, 0.5);  // (1 + 0) / 2, where the mean over images would be 0.25
}

TEST(Runner, SeedsArePerPromptIndexAndDeterministic) {
  auto items = eval::suite_items("shapes-seen");
  items.resize(3);
  std::vector<uint64_t> seen;
  eval::Generator recorder = [&](const std::string& prompt, int n, uint64_t seed) {
    seen.push_back(seed);
    return eval::world_generator(64)(prompt, n, seed);
  };
  eval::EvalReport a = eval::run_eval(items, recorder, options(1, 7));
  eval::EvalReport b = eval::run_eval(items, recorder, options(1, 7));
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_NE(seen[0], seen[1]);
  EXPECT_EQ(seen[0], seen[3]);
  EXPECT_EQ(eval::report_json(a), eval::report_json(b));
  eval::EvalReport c = eval::run_eval(items, recorder, options(1, 8));
  EXPECT_NE(seen[6], seen[0]);
  EXPECT_EQ(a.prompts[1].seed, seen[1]);
}

TEST(Runner, JsonHasTheKeysIssueFourNames) {
  auto items = eval::suite_items("shapes-heldout");
  eval::EvalReport r = eval::run_eval(items, eval::world_generator(64), options(1));
  const auto j = nlohmann::json::parse(eval::report_json(r));
  ASSERT_TRUE(j.contains("overall"));
  EXPECT_DOUBLE_EQ(j["overall"].get<double>(), r.overall);
  ASSERT_TRUE(j["categories"].is_object());
  EXPECT_EQ(j["categories"].size(), 6u);
  for (int c = 0; c < world::kNumCategories; ++c) {
    const auto& v = j["categories"][kCategoryKeys[c]];
    ASSERT_TRUE(v.is_number()) << kCategoryKeys[c];
    EXPECT_GE(v.get<double>(), 0.0);
    EXPECT_LE(v.get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(v.get<double>(), r.categories[c].fraction());
  }
  ASSERT_EQ(j["prompts"].size(), items.size());
  for (size_t p = 0; p < items.size(); ++p) {
    const auto& jp = j["prompts"][p];
    EXPECT_EQ(jp["prompt"], items[p].prompt);
    EXPECT_EQ(jp["category"], world::name(*items[p].category));
    EXPECT_EQ(jp["seed"].get<uint64_t>(), r.prompts[p].seed);
    ASSERT_EQ(jp["images"].size(), 1u);
    const auto& ji = jp["images"][0];
    EXPECT_EQ(ji["pass"].get<bool>(), r.prompts[p].images[0].pass);
    EXPECT_TRUE(ji["seen"].is_string());
    ASSERT_FALSE(ji["constraints"].empty());
    for (const auto& c : ji["constraints"]) {
      EXPECT_TRUE(c["constraint"].is_string());
      EXPECT_TRUE(c["pass"].is_boolean());
      EXPECT_TRUE(c["detail"].is_string());
    }
    EXPECT_TRUE(jp["unused_words"].is_array());
  }
  EXPECT_EQ(j["model"], "test");
  EXPECT_EQ(j["per_prompt"], 1);
  EXPECT_FALSE(j.contains("measures")) << "no measures were added";
}

// Measures a caller adds (how far variations moved) follow the table and go into the JSON by name.
TEST(Runner, MeasuresGoIntoTheTableAndTheJson) {
  eval::EvalReport r = eval::run_eval({{world::Category::SingleObject, "a red circle"}}, eval::world_generator(64),
                                      options(1));
  r.measures = {{"change_to_source", 8.25}, {"change_other_render", 17.5}};
  const auto j = nlohmann::json::parse(eval::report_json(r));
  EXPECT_EQ(j["measures"]["change_to_source"].get<double>(), 8.25);
  EXPECT_EQ(j["measures"]["change_other_render"].get<double>(), 17.5);
  const std::string table = eval::format_table(r);
  EXPECT_NE(table.find("change_to_source"), std::string::npos) << table;
  EXPECT_NE(table.find("8.25"), std::string::npos) << table;
}

TEST(Runner, JsonMarksEmptyCategoriesNullAndAddsCustom) {
  std::vector<eval::EvalItem> items = {{world::Category::SingleObject, "a red circle"},
                                       {std::nullopt, "a red circle and a blue square and a green star"}};
  eval::EvalReport r = eval::run_eval(items, eval::world_generator(64), options(1));
  const auto j = nlohmann::json::parse(eval::report_json(r));
  EXPECT_EQ(j["categories"].size(), 7u);
  EXPECT_TRUE(j["categories"]["counting"].is_null());
  EXPECT_EQ(j["categories"]["custom"].get<double>(), 1.0);
  EXPECT_EQ(j["prompts"][1]["category"], "custom");
  const std::string table = eval::format_table(r);
  EXPECT_NE(table.find("custom"), std::string::npos) << table;
  EXPECT_NE(table.find("overall"), std::string::npos) << table;
}

TEST(Runner, InferredCategoriesMatchBothSuites) {
  for (bool held_out : {true, false})
    for (const auto& p : world::make_suite(held_out)) {
      auto c = eval::infer_category(world::parse_caption(p.prompt).spec);
      ASSERT_TRUE(c.has_value()) << p.prompt;
      EXPECT_EQ(*c, p.category) << p.prompt;
    }
  EXPECT_FALSE(eval::infer_category(world::parse_caption("a circle and a star and a heart").spec));
}

TEST(Runner, ReadsPromptFiles) {
  test::TempDir tmp;
  const std::string path = (tmp / "prompts.txt").string();
  std::ofstream(path) << "# my prompts\n\na red circle\n  two green stars  \ncolors\ta blue heart\ncustom\ta ring\n"
                         "a circle and a star and a heart\n";
  auto items = eval::read_prompt_file(path);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].prompt, "a red circle");
  EXPECT_EQ(items[0].category, world::Category::SingleObject);
  EXPECT_EQ(items[1].prompt, "two green stars");
  EXPECT_EQ(items[1].category, world::Category::Counting);
  EXPECT_EQ(items[2].category, world::Category::Colors);  // stated, not inferred
  EXPECT_FALSE(items[3].category.has_value());
  EXPECT_FALSE(items[4].category.has_value());

  // The suite files in the repo are prompt files too.
  auto suite = eval::read_prompt_file(std::string(EASEL_SOURCE_DIR) + "/data/suites/shapes-heldout.txt");
  auto made = eval::suite_items("shapes-heldout");
  ASSERT_EQ(suite.size(), made.size());
  for (size_t i = 0; i < suite.size(); ++i) {
    EXPECT_EQ(suite[i].prompt, made[i].prompt);
    EXPECT_EQ(suite[i].category, made[i].category);
  }
}

void expect_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error (expected one mentioning " << needle << ")";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(Runner, BadInputsAreOneLineErrors) {
  test::TempDir tmp;
  expect_error([] { eval::suite_items("shapes-unknown"); }, "shapes-unknown");
  expect_error([&] { eval::read_prompt_file((tmp / "missing.txt").string()); }, "missing.txt");
  expect_error([&] { eval::read_prompt_file(tmp.path.string()); }, "folder");
  const std::string empty = (tmp / "empty.txt").string(), bad_cat = (tmp / "cat.txt").string(),
                    no_object = (tmp / "noobj.txt").string();
  std::ofstream(empty) << "# nothing\n\n";
  std::ofstream(bad_cat) << "a red circle\nshapes\ta red circle\n";
  std::ofstream(no_object) << "a red circle\nhello world\n";
  expect_error([&] { eval::read_prompt_file(empty); }, "holds no prompt");
  expect_error([&] { eval::read_prompt_file(bad_cat); }, "cat.txt:2");
  expect_error([&] { eval::read_prompt_file(no_object); }, "noobj.txt:2");

  const std::vector<eval::EvalItem> items = {{world::Category::SingleObject, "a red circle"}};
  expect_error([&] { eval::run_eval(items, eval::world_generator(64), options(0)); }, "images per prompt 0");
  expect_error([&] { eval::run_eval({}, eval::world_generator(64), options(1)); }, "no prompts");
  expect_error([&] { eval::run_eval({{std::nullopt, "nothing here"}}, eval::world_generator(64), options(1)); },
               "nothing here");
  eval::Generator short_by_one = [](const std::string& p, int n, uint64_t s) {
    return eval::world_generator(64)(p, n - 1, s);
  };
  expect_error([&] { eval::run_eval(items, short_by_one, options(2)); }, "a red circle");
  eval::Generator empty_image = [](const std::string&, int n, uint64_t) { return std::vector<io::Image>(n); };
  expect_error([&] { eval::run_eval(items, empty_image, options(1)); }, "malformed image 0");
  expect_error([&] { eval::world_generator(64)("five red circles", 1, 1); }, "five red circles");
}

// Jobs: prompts generated on several threads give the same report, every prompt once with its own seed; a
// generator's error is rethrown (the first in prompt order) after the threads stop; a count outside 1..64 is refused.
TEST(Runner, JobsGiveTheSameReport) {
  auto items = eval::suite_items("shapes-heldout");
  items.resize(12);
  std::mutex mutex;
  std::vector<uint64_t> seeds;
  eval::Generator recorder = [&](const std::string& prompt, int n, uint64_t seed) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      seeds.push_back(seed);
    }
    return eval::world_generator(64)(prompt, n, seed);
  };
  const eval::EvalReport one = eval::run_eval(items, recorder, options(2, 5));
  const std::vector<uint64_t> in_order = seeds;
  seeds.clear();
  eval::RunOptions three = options(2, 5);
  three.jobs = 3;
  const eval::EvalReport threaded = eval::run_eval(items, recorder, three);
  EXPECT_EQ(eval::report_json(threaded), eval::report_json(one));
  std::sort(seeds.begin(), seeds.end());
  std::vector<uint64_t> sorted = in_order;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(seeds, sorted) << "each prompt generated once, with its own seed";

  eval::Generator fails_on_third = [&](const std::string& prompt, int n, uint64_t seed) {
    if (prompt == items[2].prompt || prompt == items[7].prompt) throw Error("cannot draw \"" + prompt + "\"");
    return eval::world_generator(64)(prompt, n, seed);
  };
  expect_error([&] { eval::run_eval(items, fails_on_third, three); }, items[2].prompt);
  eval::RunOptions none = options(1);
  none.jobs = 0;
  expect_error([&] { eval::run_eval(items, recorder, none); }, "eval jobs 0");
}

TEST(EvalSheet, RowsHoldWholePrompts) {
  EXPECT_EQ(eval::EvalSheet::columns_for(120, 4) % 4, 0);
  EXPECT_EQ(eval::EvalSheet::columns_for(120, 4), 24);
  EXPECT_EQ(eval::EvalSheet::columns_for(1, 4), 4);
  EXPECT_EQ(eval::EvalSheet::columns_for(2, 64), 64);
  EXPECT_EQ(eval::EvalSheet::columns_for(100, 1), 12);
}

TEST(EvalSheet, FramesPassGreenAndFailRed) {
  eval::EvalSheet sheet(1, 2);
  const io::Image img = blank_generator(64)("a red circle", 1, 1)[0];
  sheet.add(0, 0, img, "a red circle", true);
  sheet.add(0, 1, img, "a red circle", false);
  const io::Image& out = sheet.image();
  const int m = io::ContactSheet::kMargin, second = 2 * m + eval::EvalSheet::kTile + 2 * io::ContactSheet::kFrame;
  const uint8_t* pass = &out.pixels[(static_cast<size_t>(m) * out.width + m) * 3];
  const uint8_t* fail = &out.pixels[(static_cast<size_t>(m) * out.width + second) * 3];
  EXPECT_GT(pass[1], pass[0]);
  EXPECT_GT(fail[0], fail[1]);
}

}  // namespace
