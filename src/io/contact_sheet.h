// A contact sheet: images in a grid, each in a colored frame with lines of text under it, for a person to look at
// (evaluation results, training samples with their captions).
//
// Geometry, all in pixels: every cell is a tile x tile image area inside a kFrame-wide frame, with text_lines
// lines of text (Font::line_height() each, font size font_size(tile)) under it; cells are kMargin apart and from
// the edges. So width = columns * (tile + 2*kFrame) + (columns + 1) * kMargin and
// height = rows * (tile + 2*kFrame + text_lines * line_height) + (rows + 1) * kMargin, rows = ceil(count / columns).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/font.h"
#include "io/image.h"

namespace easel::io {

struct SheetText {
  std::string text;
  Rgb8 color;
};

class ContactSheet {
 public:
  static constexpr int kFrame = 3, kMargin = 4;
  // Font size for a tile: tile / 10, within 9..24 pixels.
  static int font_size(int tile);

  // An empty sheet of `count` cells in rows of `columns`, drawn with find_font(). Throws easel::Error when a
  // number is out of range (count 1..100000, columns >= 1, tile 16..1024, text_lines 0..16) or no font is found.
  ContactSheet(int count, int columns, int tile, int text_lines);

  // Draws cell `index` (row-major): `image` (any size, 1-4 channels, alpha ignored) scaled to fit the tile
  // (box-averaged down, nearest-neighbour up) and centered, a frame of color `frame`, and under it the texts in
  // order, each wrapped at spaces over the lines still free (the last text to fit ends in "..." when cut).
  void place(int index, const Image& image, Rgb8 frame, const std::vector<SheetText>& texts);

  const Image& image() const { return sheet_; }
  int columns() const { return columns_; }

 private:
  std::unique_ptr<Font> font_;
  Image sheet_;
  int count_, columns_, tile_, text_lines_, cell_w_, cell_h_;
};

}  // namespace easel::io
