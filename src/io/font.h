// Text drawn into images (contact sheets, captioned grids) with FreeType and the DejaVu Sans font of Debian's
// fonts-dejavu-core. Text is UTF-8; characters the font lacks are drawn as its missing-glyph box.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "io/image.h"

namespace easel::io {

using Rgb8 = std::array<uint8_t, 3>;

// The font file to draw with: $EASEL_FONT when set, else DejaVuSans.ttf from the usual Debian, Fedora and Arch
// folders. Throws easel::Error naming the places it looked (and the package to install) when there is none.
std::string find_font();

class Font {
 public:
  // Loads a TrueType/OpenType file at `pixel_size` pixels per em. Throws easel::Error naming the file when
  // FreeType cannot read it.
  Font(const std::string& path, int pixel_size);
  ~Font();
  Font(const Font&) = delete;
  Font& operator=(const Font&) = delete;

  // Distance between baselines of consecutive lines, in pixels.
  int line_height() const;
  // Advance width of `text` in pixels.
  int width(const std::string& text) const;
  // Draws one line of `text` with the top of its line box at (x, y) into an RGB image (channels == 3), blending
  // `color` over the pixels by glyph coverage; whatever falls outside the image is clipped.
  void draw(Image& img, int x, int y, const std::string& text, Rgb8 color) const;
  // Breaks `text` at spaces into lines at most `max_width` pixels wide (a word wider than that alone is cut
  // between characters). At most `max_lines` lines; when text remains, the last line ends in "...".
  std::vector<std::string> wrap(const std::string& text, int max_width, int max_lines) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace easel::io
