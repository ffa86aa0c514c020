#include "io/contact_sheet.h"

#include <algorithm>

#include "util/error.h"

namespace easel::io {
namespace {

const Rgb8 kSheetBackground = {40, 40, 40};

// Copies `src` scaled to fit side x side, centered, into the RGB `dst` at (x0, y0). Each destination pixel is the
// mean of the source pixels its footprint covers (at least the one under its top-left corner), which is a box
// filter when shrinking and nearest-neighbour when enlarging.
void blit_fit(const Image& src, Image& dst, int x0, int y0, int side) {
  const double scale = static_cast<double>(side) / std::max(src.width, src.height);
  const int w = std::max(1, static_cast<int>(src.width * scale)), h = std::max(1, static_cast<int>(src.height * scale));
  x0 += (side - w) / 2, y0 += (side - h) / 2;
  const int color_channels = src.channels >= 3 ? 3 : 1;
  for (int y = 0; y < h; ++y) {
    const int sy0 = static_cast<int>(y / scale), sy1 = std::max(sy0 + 1, std::min(src.height, static_cast<int>((y + 1) / scale)));
    for (int x = 0; x < w; ++x) {
      const int sx0 = static_cast<int>(x / scale), sx1 = std::max(sx0 + 1, std::min(src.width, static_cast<int>((x + 1) / scale)));
      int sum[3] = {0, 0, 0};
      for (int sy = sy0; sy < sy1; ++sy)
        for (int sx = sx0; sx < sx1; ++sx) {
          const uint8_t* p = &src.pixels[(static_cast<size_t>(sy) * src.width + sx) * src.channels];
          for (int c = 0; c < 3; ++c) sum[c] += p[color_channels == 3 ? c : 0];
        }
      const int n = (sy1 - sy0) * (sx1 - sx0);
      uint8_t* q = &dst.pixels[(static_cast<size_t>(y0 + y) * dst.width + x0 + x) * 3];
      for (int c = 0; c < 3; ++c) q[c] = static_cast<uint8_t>((sum[c] + n / 2) / n);
    }
  }
}

void fill(Image& img, int x0, int y0, int w, int h, Rgb8 color) {
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) std::copy_n(color.begin(), 3, &img.pixels[(static_cast<size_t>(y) * img.width + x) * 3]);
}

}  // namespace

int ContactSheet::font_size(int tile) { return std::clamp(tile / 10, 9, 24); }

ContactSheet::ContactSheet(int count, int columns, int tile, int text_lines)
    : count_(count), columns_(columns), tile_(tile), text_lines_(text_lines) {
  check(count >= 1 && count <= 100000, "contact sheet: " + std::to_string(count) + " cells is outside 1..100000");
  check(columns >= 1, "contact sheet: " + std::to_string(columns) + " columns (need at least 1)");
  check(tile >= 16 && tile <= 1024, "contact sheet: tile " + std::to_string(tile) + " is outside 16..1024");
  check(text_lines >= 0 && text_lines <= 16, "contact sheet: " + std::to_string(text_lines) + " text lines is outside 0..16");
  font_ = std::make_unique<Font>(find_font(), font_size(tile));
  columns_ = std::min(columns, count);
  const int rows = (count + columns_ - 1) / columns_;
  cell_w_ = tile + 2 * kFrame;
  cell_h_ = cell_w_ + text_lines * font_->line_height();
  sheet_.width = columns_ * cell_w_ + (columns_ + 1) * kMargin;
  sheet_.height = rows * cell_h_ + (rows + 1) * kMargin;
  sheet_.channels = 3;
  check(static_cast<size_t>(sheet_.width) * sheet_.height <= kMaxImagePixels,
        "contact sheet: " + std::to_string(sheet_.width) + "x" + std::to_string(sheet_.height) + " pixels is too large");
  sheet_.pixels.resize(static_cast<size_t>(sheet_.width) * sheet_.height * 3);
  fill(sheet_, 0, 0, sheet_.width, sheet_.height, kSheetBackground);
}

void ContactSheet::place(int index, const Image& image, Rgb8 frame, const std::vector<SheetText>& texts) {
  check(index >= 0 && index < count_, "contact sheet: cell " + std::to_string(index) + " is outside 0.." + std::to_string(count_ - 1));
  check(image.width >= 1 && image.height >= 1 && image.channels >= 1 && image.channels <= 4 &&
            image.pixels.size() == static_cast<size_t>(image.width) * image.height * image.channels,
        "contact sheet: cell " + std::to_string(index) + " has an empty or malformed image");
  const int x0 = kMargin + (index % columns_) * (cell_w_ + kMargin);
  const int y0 = kMargin + (index / columns_) * (cell_h_ + kMargin);
  fill(sheet_, x0, y0, cell_w_, cell_w_, frame);
  fill(sheet_, x0 + kFrame, y0 + kFrame, tile_, tile_, kSheetBackground);
  blit_fit(image, sheet_, x0 + kFrame, y0 + kFrame, tile_);
  int line = 0;
  for (const auto& t : texts) {
    if (line >= text_lines_) break;
    for (const auto& l : font_->wrap(t.text, cell_w_, text_lines_ - line))
      font_->draw(sheet_, x0, y0 + cell_w_ + (line++) * font_->line_height(), l, t.color);
  }
}

}  // namespace easel::io
