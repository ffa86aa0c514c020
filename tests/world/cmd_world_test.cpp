#include <gtest/gtest.h>

#include "io/contact_sheet.h"
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
  // 3 columns, 2 rows of contact-sheet cells: 32-pixel scenes enlarged to 128, three caption lines under each.
  using easel::io::ContactSheet;
  const int cell = 128 + 2 * ContactSheet::kFrame, m = ContactSheet::kMargin;
  const int line = easel::io::Font(easel::io::find_font(), ContactSheet::font_size(128)).line_height();
  EXPECT_EQ(img.width, 3 * cell + 4 * m);
  EXPECT_EQ(img.height, 2 * (cell + 3 * line) + 3 * m);
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
