// `easel eval --model M --suite NAME | --prompts FILE`: table, JSON report, contact sheet, and one-line errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "eval/eval_sheet.h"
#include "io/contact_sheet.h"
#include "io/image.h"
#include "test_util.h"

namespace {

using easel::test::run_easel;

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(EvalCli, WorldModelOnASuiteWritesTableJsonAndSheet) {
  easel::test::TempDir tmp;
  const std::string json = (tmp / "r.json").string(), sheet = (tmp / "s.png").string();
  auto r = run_easel("eval --model world --suite shapes-seen --per-prompt 1 --size 48 --json " + json + " --sheet " +
                     sheet);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("color_attribution"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("overall"), std::string::npos) << r.out;

  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  EXPECT_GE(j["overall"].get<double>(), 0.99);
  EXPECT_EQ(j["categories"].size(), 6u);
  EXPECT_EQ(j["prompts"].size(), 120u);
  EXPECT_EQ(j["suite"], "shapes-seen");

  // 120 prompts x 1 image: 13 columns (EvalSheet::columns_for), 10 rows, 128-pixel tiles, 4 text lines.
  const easel::io::Image img = easel::io::read_image(sheet);
  const int cols = easel::eval::EvalSheet::columns_for(120, 1), rows = (120 + cols - 1) / cols;
  const int line = easel::io::Font(easel::io::find_font(),
                                   easel::io::ContactSheet::font_size(easel::eval::EvalSheet::kTile)).line_height();
  const int cell = easel::eval::EvalSheet::kTile + 2 * easel::io::ContactSheet::kFrame,
            m = easel::io::ContactSheet::kMargin;
  EXPECT_EQ(cols, 13);
  EXPECT_EQ(img.width, cols * cell + (cols + 1) * m);
  EXPECT_EQ(img.height, rows * (cell + easel::eval::EvalSheet::kTextLines * line) + (rows + 1) * m);
  // The first cell passed: its frame is green.
  const uint8_t* frame = &img.pixels[(static_cast<size_t>(m) * img.width + m) * img.channels];
  EXPECT_GT(frame[1], 150);
  EXPECT_LT(frame[0], 100);
}

TEST(EvalCli, PromptsFileIsJudgedInstead) {
  easel::test::TempDir tmp;
  const std::string prompts = (tmp / "p.txt").string(), json = (tmp / "r.json").string();
  std::ofstream(prompts) << "a red circle\nthree green stars\ncustom\ta circle and a star and a heart\n";
  auto r = run_easel("eval --model world --prompts " + prompts + " --per-prompt 2 --json " + json);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["prompts"].size(), 3u);
  EXPECT_EQ(j["prompts"][1]["category"], "counting");
  EXPECT_EQ(j["prompts"][2]["category"], "custom");
  EXPECT_EQ(j["prompts"][0]["images"].size(), 2u);
  EXPECT_TRUE(j["categories"]["position"].is_null());
  EXPECT_EQ(j["categories"]["custom"].get<double>(), 1.0);
}

TEST(EvalCli, ErrorsAreOneLineWithNonZeroExit) {
  easel::test::TempDir tmp;
  auto expect_one_line = [](const std::string& args, const std::string& needle) {
    auto r = run_easel(args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.out;
    EXPECT_EQ(lines(r.out), 1) << args << ": " << r.out;
    EXPECT_NE(r.out.find(needle), std::string::npos) << args << ": " << r.out;
  };
  expect_one_line("eval --model world --suite shapes-nope", "unknown suite \"shapes-nope\"");
  expect_one_line("eval --model dalle --suite shapes-heldout", "unknown model \"dalle\"");
  // The built-in model's folder, pointed somewhere empty: the error names what is missing.
  setenv("EASEL_MODEL_DIR", tmp.path.string().c_str(), 1);
  expect_one_line("eval --model builtin --suite shapes-heldout", "has no clip.safetensors");
  unsetenv("EASEL_MODEL_DIR");
  expect_one_line("eval --model " + tmp.path.string() + " --suite shapes-heldout", "not supported yet");
  expect_one_line("eval --model world --prompts " + (tmp / "none.txt").string(), "none.txt");
  expect_one_line("eval --model world --suite shapes-seen --variations", "--variations needs an easel-mini model");
  expect_one_line("eval --model world --suite shapes-seen --decoder-only", "--decoder-only needs an easel-mini model");
  // Usage errors: --suite without --model, --suite with --prompts, nothing to do.
  EXPECT_EQ(run_easel("eval --suite shapes-heldout").exit_code, 2);
  EXPECT_EQ(run_easel("eval --model world --suite shapes-seen --prompts x.txt").exit_code, 2);
  EXPECT_EQ(run_easel("eval --model world").exit_code, 2);
  EXPECT_EQ(run_easel("eval --model builtin --suite shapes-seen --variations --decoder-only").exit_code, 2);
  EXPECT_EQ(run_easel("eval").exit_code, 2);
}

TEST(EvalCli, SelfCheckStillWorks) {
  auto r = run_easel("eval --self-check --size 32");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("mismatched prompt"), std::string::npos) << r.out;
}

}  // namespace
