// Text drawing (FreeType, DejaVu Sans) and contact-sheet geometry.
#include <gtest/gtest.h>

#include "io/contact_sheet.h"
#include "io/font.h"
#include "util/error.h"

namespace {

using namespace easel::io;

Image solid(int w, int h, int channels, uint8_t value) {
  Image img;
  img.width = w, img.height = h, img.channels = channels;
  img.pixels.assign(static_cast<size_t>(w) * h * channels, value);
  return img;
}

const uint8_t* pixel(const Image& img, int x, int y) {
  return &img.pixels[(static_cast<size_t>(y) * img.width + x) * img.channels];
}

TEST(Font, FindsDejaVuAndMeasuresText) {
  Font font(find_font(), 12);
  EXPECT_GE(font.line_height(), 12);
  EXPECT_LE(font.line_height(), 18);
  EXPECT_EQ(font.width(""), 0);
  EXPECT_GT(font.width("WWW"), font.width("iii"));
  EXPECT_EQ(font.width("ab") + font.width("cd"), font.width("abcd"));  // no kerning: advances add up
}

TEST(Font, DrawsInkInsideTheLineBoxAndClips) {
  Font font(find_font(), 12);
  Image img = solid(60, 20, 3, 0);
  font.draw(img, 2, 2, "PASS", {255, 255, 255});
  int lit = 0, lit_outside = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const bool on = pixel(img, x, y)[0] > 0;
      lit += on;
      lit_outside += on && (y < 2 || y >= 2 + font.line_height() || x < 2 || x >= 2 + font.width("PASS") + 1);
    }
  EXPECT_GT(lit, 40);
  EXPECT_EQ(lit_outside, 0);
  font.draw(img, -30, -5, "a red circle far off the edge", {255, 0, 0});  // clipped, no crash
  Image gray = solid(4, 4, 1, 0);
  EXPECT_THROW(font.draw(gray, 0, 0, "x", {0, 0, 0}), easel::Error);
}

TEST(Font, WrapsAtSpacesCutsLongWordsAndEllipsizes) {
  Font font(find_font(), 12);
  const int max = font.width("a small brown");
  auto lines = font.wrap("a small brown circle on a gray background", max, 10);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "a small brown");
  std::string joined;
  for (const auto& l : lines) {
    EXPECT_LE(font.width(l), max) << l;
    joined += (joined.empty() ? "" : " ") + l;
  }
  EXPECT_EQ(joined, "a small brown circle on a gray background");

  auto cut = font.wrap("supercalifragilistic", font.width("super"), 10);
  ASSERT_GE(cut.size(), 2u);
  EXPECT_EQ(cut[0], "super");

  auto two = font.wrap("a small brown circle on a gray background", max, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].substr(two[1].size() - 3), "...");
  EXPECT_LE(font.width(two[1]), max);

  auto utf8 = font.wrap("un cercle rouge \xC3\xA0 c\xC3\xB4t\xC3\xA9 \xff bad byte", 1000, 1);  // no throw on bad UTF-8
  ASSERT_EQ(utf8.size(), 1u);
}

TEST(Font, MissingFontFileIsAnErrorNamingIt) {
  try {
    Font font("/nonexistent/font.ttf", 12);
    FAIL();
  } catch (const easel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/font.ttf"), std::string::npos);
  }
}

TEST(ContactSheet, GeometryFollowsTheDocumentedFormula) {
  ContactSheet sheet(5, 3, 32, 2);
  Font font(find_font(), ContactSheet::font_size(32));
  const int cell = 32 + 2 * ContactSheet::kFrame, m = ContactSheet::kMargin;
  EXPECT_EQ(sheet.image().width, 3 * cell + 4 * m);
  EXPECT_EQ(sheet.image().height, 2 * (cell + 2 * font.line_height()) + 3 * m);
  EXPECT_EQ(sheet.image().channels, 3);
  EXPECT_EQ(ContactSheet(2, 5, 32, 0).columns(), 2);  // never more columns than cells
}

TEST(ContactSheet, PlacesFramedScaledImagesOfAnyChannelCount) {
  ContactSheet sheet(4, 2, 32, 1);
  const int m = ContactSheet::kMargin, f = ContactSheet::kFrame, cell = 32 + 2 * f;
  sheet.place(0, solid(64, 64, 3, 200), {0, 255, 0}, {{"PASS", {0, 255, 0}}});  // shrunk
  sheet.place(1, solid(8, 8, 1, 100), {255, 0, 0}, {});                         // gray, enlarged
  sheet.place(3, solid(16, 8, 4, 50), {0, 0, 255}, {{"wide", {255, 255, 255}}});  // RGBA, not square
  const Image& img = sheet.image();
  EXPECT_EQ(pixel(img, m, m)[1], 255);                    // frame of cell 0
  EXPECT_EQ(pixel(img, m + f + 16, m + f + 16)[0], 200);  // image of cell 0
  EXPECT_EQ(pixel(img, 2 * m + cell, m)[0], 255);         // frame of cell 1
  EXPECT_EQ(pixel(img, 2 * m + cell + f + 16, m + f + 16)[2], 100);
  const int cell_h = cell + Font(find_font(), ContactSheet::font_size(32)).line_height();
  EXPECT_EQ(pixel(img, 2 * m + cell, 2 * m + cell_h)[2], 255);           // frame of cell 3
  EXPECT_EQ(pixel(img, 2 * m + cell + f + 16, 2 * m + cell_h + f + 16)[0], 50);  // its image, centered
  EXPECT_EQ(pixel(img, 2 * m + cell + f + 16, 2 * m + cell_h + f + 2)[0], 40);    // letterbox above a 2:1 image
  EXPECT_THROW(sheet.place(4, solid(8, 8, 3, 0), {0, 0, 0}, {}), easel::Error);
  EXPECT_THROW(sheet.place(2, Image{}, {0, 0, 0}, {}), easel::Error);
}

TEST(ContactSheet, RejectsAbsurdLayouts) {
  EXPECT_THROW(ContactSheet(0, 1, 32, 1), easel::Error);
  EXPECT_THROW(ContactSheet(4, 0, 32, 1), easel::Error);
  EXPECT_THROW(ContactSheet(4, 2, 4, 1), easel::Error);
}

}  // namespace
