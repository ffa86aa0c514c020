#include "io/font.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>

#include "util/error.h"

namespace easel::io {
namespace {

// UTF-8 to code points; a malformed byte becomes U+FFFD so that any prompt can be drawn.
std::u32string decode_utf8(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int extra = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
    char32_t cp = extra == 0 ? b : extra == 1 ? (b & 0x1F) : extra == 2 ? (b & 0x0F) : (b & 0x07);
    bool ok = extra >= 0;
    for (int k = 1; ok && k <= extra; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    if (!ok) {
      out.push_back(U'\uFFFD');
      ++i;
      continue;
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

std::string encode_utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

struct Glyph {
  int left = 0, top = 0, width = 0, rows = 0, advance = 0;
  std::vector<uint8_t> coverage;  // rows x width, 0..255
};

// FreeType's 26.6 fixed point to whole pixels, rounded.
int pixels_26_6(long v) { return static_cast<int>((v + 32) >> 6); }

}  // namespace

std::string find_font() {
  if (const char* env = std::getenv("EASEL_FONT")) {
    check(std::filesystem::is_regular_file(env), std::string("EASEL_FONT names ") + env + ", which is not a file");
    return env;
  }
  static const char* places[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                 "/usr/share/fonts/dejavu/DejaVuSans.ttf",
                                 "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
                                 "/usr/share/fonts/TTF/DejaVuSans.ttf"};
  for (const char* p : places)
    if (std::filesystem::is_regular_file(p)) return p;
  throw Error("no font for drawing text: DejaVuSans.ttf is not in /usr/share/fonts/{truetype/dejavu,dejavu,"
              "dejavu-sans-fonts,TTF} (install fonts-dejavu-core, or set EASEL_FONT to a .ttf file)");
}

struct Font::Impl {
  FT_Library library = nullptr;
  FT_Face face = nullptr;
  int ascender = 0, line_height = 0;
  mutable std::unordered_map<char32_t, Glyph> cache;

  const Glyph& glyph(char32_t c) const {
    auto it = cache.find(c);
    if (it != cache.end()) return it->second;
    Glyph g;
    if (FT_Load_Char(face, c, FT_LOAD_RENDER) == 0) {
      const FT_GlyphSlot slot = face->glyph;
      const FT_Bitmap& bm = slot->bitmap;
      g.left = slot->bitmap_left, g.top = slot->bitmap_top, g.advance = pixels_26_6(slot->advance.x);
      if (bm.pixel_mode == FT_PIXEL_MODE_GRAY) {
        g.width = static_cast<int>(bm.width), g.rows = static_cast<int>(bm.rows);
        g.coverage.resize(static_cast<size_t>(g.width) * g.rows);
        for (int y = 0; y < g.rows; ++y)
          std::copy_n(bm.buffer + static_cast<ptrdiff_t>(y) * bm.pitch, g.width, g.coverage.begin() + y * g.width);
      }
    }
    return cache.emplace(c, std::move(g)).first->second;
  }

  int width(const std::u32string& s) const {
    int w = 0;
    for (char32_t c : s) w += glyph(c).advance;
    return w;
  }
};

Font::Font(const std::string& path, int pixel_size) : impl_(std::make_unique<Impl>()) {
  check(pixel_size >= 4 && pixel_size <= 512, "font size " + std::to_string(pixel_size) + " is outside 4..512");
  check(FT_Init_FreeType(&impl_->library) == 0, "FreeType could not start (loading font " + path + ")");
  if (FT_New_Face(impl_->library, path.c_str(), 0, &impl_->face) != 0 ||
      FT_Set_Pixel_Sizes(impl_->face, 0, static_cast<FT_UInt>(pixel_size)) != 0) {
    FT_Done_FreeType(impl_->library);
    throw Error("cannot read font file " + path + " (not a TrueType/OpenType font FreeType can scale)");
  }
  impl_->ascender = pixels_26_6(impl_->face->size->metrics.ascender);
  impl_->line_height = pixels_26_6(impl_->face->size->metrics.height);
}

Font::~Font() {
  FT_Done_Face(impl_->face);
  FT_Done_FreeType(impl_->library);
}

int Font::line_height() const { return impl_->line_height; }

int Font::width(const std::string& text) const { return impl_->width(decode_utf8(text)); }

void Font::draw(Image& img, int x, int y, const std::string& text, Rgb8 color) const {
  check(img.channels == 3, "Font::draw needs an RGB image, got " + std::to_string(img.channels) + " channels");
  const int baseline = y + impl_->ascender;
  for (char32_t c : decode_utf8(text)) {
    const Glyph& g = impl_->glyph(c);
    for (int gy = 0; gy < g.rows; ++gy) {
      const int py = baseline - g.top + gy;
      if (py < 0 || py >= img.height) continue;
      for (int gx = 0; gx < g.width; ++gx) {
        const int px = x + g.left + gx;
        const int a = g.coverage[static_cast<size_t>(gy) * g.width + gx];
        if (px < 0 || px >= img.width || a == 0) continue;
        uint8_t* p = &img.pixels[(static_cast<size_t>(py) * img.width + px) * 3];
        for (int ch = 0; ch < 3; ++ch) p[ch] = static_cast<uint8_t>((color[ch] * a + p[ch] * (255 - a) + 127) / 255);
      }
    }
    x += g.advance;
  }
}

std::vector<std::string> Font::wrap(const std::string& text, int max_width, int max_lines) const {
  std::vector<std::u32string> lines;
  std::u32string line;
  const std::u32string all = decode_utf8(text);
  size_t i = 0;
  while (i < all.size()) {
    if (all[i] == U' ') {
      ++i;
      continue;
    }
    size_t end = all.find(U' ', i);
    if (end == std::u32string::npos) end = all.size();
    std::u32string word = all.substr(i, end - i);
    i = end;
    std::u32string joined = line.empty() ? word : line + U' ' + word;
    if (impl_->width(joined) <= max_width) {
      line = std::move(joined);
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    // A word wider than the line alone: cut it after the most characters that fit (at least one).
    while (impl_->width(word) > max_width && word.size() > 1) {
      size_t n = 1;
      while (n + 1 < word.size() && impl_->width(word.substr(0, n + 1)) <= max_width) ++n;
      lines.push_back(word.substr(0, n));
      word.erase(0, n);
    }
    line = std::move(word);
  }
  if (!line.empty()) lines.push_back(std::move(line));
  if (max_lines >= 1 && static_cast<int>(lines.size()) > max_lines) {
    lines.resize(max_lines);
    std::u32string& last = lines.back();
    while (!last.empty() && impl_->width(last + U"...") > max_width) last.pop_back();
    last += U"...";
  }
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(encode_utf8(l));
  return out;
}

}  // namespace easel::io
