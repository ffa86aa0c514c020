#include <gtest/gtest.h>

#include "io/image.h"
#include "test_util.h"
#include "world/splits.h"

using easel::test::run_easel;

TEST(WorldCli, SuitesCommandRewritesTheSuiteFiles) {
  easel::test::TempDir tmp;
  auto r = run_easel("world suites --out " + (tmp / "suites").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  using namespace easel::world;
  EXPECT_EQ(format_suite(read_suite((tmp / "suites/shapes-heldout.txt").string())), format_suite(make_suite(true)));
  EXPECT_EQ(format_suite(read_suite((tmp / "suites/shapes-seen.txt").string())), format_suite(make_suite(false)));
}

TEST(WorldCli, SampleWritesAGridAndPrintsCaptions) {
  easel::test::TempDir tmp;
  std::string png = (tmp / "grid.png").string();
  auto r = run_easel("world sample --n 5 --size 32 --seed 3 -o " + png);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  easel::io::Image img = easel::io::read_image(png);
  EXPECT_EQ(img.width, 3 * 32 + 4 * 2);  // 3 columns, 2 rows, 2-pixel gutters
  EXPECT_EQ(img.height, 2 * 32 + 3 * 2);
  ASSERT_EQ(img.text.size(), 5u);
  EXPECT_EQ(img.text[0].first, "caption 0");
  EXPECT_NE(r.out.find("0\t"), std::string::npos);
  EXPECT_NE(r.out.find(img.text[4].second), std::string::npos) << r.out;
}

TEST(WorldCli, SampleRejectsBadOptions) {
  easel::test::TempDir tmp;
  auto r = run_easel("world sample --n 0 -o " + (tmp / "g.png").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--n 0"), std::string::npos) << r.out;
  EXPECT_EQ(run_easel("world sample --n 2").exit_code, 2);  // -o is required
}
