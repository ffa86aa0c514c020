// PNG decode/encode with libpng 1.6.
//
// Error handling: libpng reports a fatal error by calling our on_error, which records the message and longjmps to
// the setjmp in one of the small C-style phase functions below (read_header, read_rows, write_all). Those functions
// and the callbacks hold no objects with destructors, so the jump skips only libpng's C frames. Everything that
// allocates or throws in C++ (vectors, easel::Error) happens between phases, in ordinary C++ code.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "io/atomic_write.h"
#include "io/image_codecs.h"
#include "util/error.h"

namespace easel::io {
namespace {

// State shared with the libpng callbacks (plain data: it lives across longjmps).
struct PngIo {
  const uint8_t* in = nullptr;  // reading: the whole file
  size_t in_size = 0, in_pos = 0;
  uint8_t* out = nullptr;  // writing: malloc'd buffer, grown by on_write
  size_t out_size = 0, out_capacity = 0;
  char message[256] = "";
};

void on_error(png_structp png, png_const_charp msg) {
  auto* io = static_cast<PngIo*>(png_get_error_ptr(png));
  std::snprintf(io->message, sizeof io->message, "%s", msg);
  png_longjmp(png, 1);
}

// Warnings (e.g. "iCCP: known incorrect sRGB profile", bad CRC in an ancillary chunk that libpng then skips)
// do not affect the pixels; stay quiet like PIL.
void on_warning(png_structp, png_const_charp) {}

void on_read(png_structp png, png_bytep dst, size_t n) {
  auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
  if (n > io->in_size - io->in_pos) png_error(png, "file is truncated");
  std::memcpy(dst, io->in + io->in_pos, n);
  io->in_pos += n;
}

void on_write(png_structp png, png_bytep src, size_t n) {
  auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
  if (n > io->out_capacity - io->out_size) {
    size_t capacity = io->out_capacity * 2 > io->out_size + n ? io->out_capacity * 2 : io->out_size + n + 4096;
    void* grown = std::realloc(io->out, capacity);
    if (!grown) png_error(png, "out of memory");
    io->out = static_cast<uint8_t*>(grown);
    io->out_capacity = capacity;
  }
  std::memcpy(io->out + io->out_size, src, n);
  io->out_size += n;
}

void on_flush(png_structp) {}

struct PngHeader {
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, file_channels = 0;  // as stored
  int channels = 0;                      // after the expansions: 1..4 samples of 8 bits
  size_t rowbytes = 0;
};

// Reads the chunks before the image data and sets up the expansion to 8-bit gray/GA/RGB/RGBA.
// Returns false after a libpng error (message in PngIo).
bool read_header(png_structp png, png_infop info, PngHeader* h) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  h->width = png_get_image_width(png, info);
  h->height = png_get_image_height(png, info);
  h->bit_depth = png_get_bit_depth(png, info);
  h->file_channels = png_get_channels(png, info);
  int color_type = png_get_color_type(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && h->bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (h->bit_depth == 16) png_set_scale_16(png);  // rounds: v8 = (v16 * 255 + 32895) >> 16
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  h->channels = png_get_channels(png, info);
  h->rowbytes = png_get_rowbytes(png, info);
  return true;
}

// Decodes every row, then the chunks after the image data (text chunks may follow IDAT).
bool read_rows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);
  return true;
}

std::string latin1_to_utf8(const char* s, size_t n) {
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// tEXt and zTXt hold Latin-1; iTXt holds UTF-8.
std::vector<std::pair<std::string, std::string>> read_text(png_structp png, png_infop info) {
  png_textp chunks = nullptr;
  int n = png_get_text(png, info, &chunks, nullptr);
  std::vector<std::pair<std::string, std::string>> text;
  for (int i = 0; i < n; ++i) {
    const png_text& t = chunks[i];
    std::string key = latin1_to_utf8(t.key, std::strlen(t.key));
    bool itxt = t.compression == PNG_ITXT_COMPRESSION_NONE || t.compression == PNG_ITXT_COMPRESSION_zTXt;
    if (!t.text)
      text.emplace_back(key, "");
    else if (itxt)
      text.emplace_back(key, std::string(t.text, t.itxt_length));
    else
      text.emplace_back(key, latin1_to_utf8(t.text, t.text_length));
  }
  return text;
}

// Walks the chunk headers up to IEND: each chunk must fit in the file. libpng allocates and clears a buffer of the
// declared length before reading some chunks (even ones it then skips as too large), so a 100-byte file claiming
// a 1 GB chunk would otherwise cost a 1 GB allocation. Chunk contents and CRCs are left to libpng.
void check_chunk_lengths(const uint8_t* data, size_t size, const std::string& name) {
  size_t pos = 8;  // after the signature
  while (true) {
    check(size - pos >= 8, name + ": truncated PNG: the file ends before IEND");
    const uint8_t* h = data + pos;
    size_t length = size_t(h[0]) << 24 | size_t(h[1]) << 16 | size_t(h[2]) << 8 | h[3];
    std::string type(reinterpret_cast<const char*>(h + 4), 4);
    check(length <= PNG_UINT_31_MAX && length + 12 <= size - pos,
          name + ": truncated PNG: a " + std::to_string(length) + "-byte chunk runs past the end of the file");
    if (type == "IEND") return;
    pos += length + 12;
  }
}

struct ReadStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadStructs() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

// PNG keywords: 1-79 Latin-1 characters, no leading, trailing or consecutive spaces (PNG spec 11.3.4.2); we
// accept the printable ASCII subset so that keys need no encoding decision.
// Writes the whole PNG (header, iTXt chunks, rows, IEND) into the PngIo buffer.
bool write_all(png_structp png, png_infop info, const Image* img, int color_type, png_bytepp rows,
               png_textp texts, int n_texts) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, img->width, img->height, 8, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (n_texts > 0) png_set_text(png, info, texts, n_texts);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

std::vector<uint8_t> encode(const Image& img, const std::string& name) {
  check(img.channels >= 1 && img.channels <= 4,
        name + ": cannot write a PNG with " + std::to_string(img.channels) + " channels (need 1-4)");
  codecs::check_dimensions(img.width < 0 ? 0 : img.width, img.height < 0 ? 0 : img.height, name, kMaxImagePixels);
  size_t stride = size_t(img.width) * img.channels;
  check(img.pixels.size() == stride * img.height,
        name + ": image holds " + std::to_string(img.pixels.size()) + " bytes, expected " +
            std::to_string(img.width) + "x" + std::to_string(img.height) + "x" + std::to_string(img.channels));
  std::vector<png_text> texts(img.text.size());
  for (size_t i = 0; i < img.text.size(); ++i) {
    const auto& [key, value] = img.text[i];
    codecs::check_text_key(key, "PNG", name);
    // libpng measures iTXt values with strlen.
    check(value.find('\0') == std::string::npos, name + ": PNG text \"" + key + "\" contains a NUL byte");
    texts[i] = png_text{};
    texts[i].compression = PNG_ITXT_COMPRESSION_NONE;
    texts[i].key = const_cast<char*>(key.c_str());
    texts[i].text = const_cast<char*>(value.c_str());
  }
  std::vector<png_bytep> rows(img.height);
  for (int y = 0; y < img.height; ++y) rows[y] = const_cast<png_bytep>(img.pixels.data() + y * stride);
  static constexpr int kColorTypes[] = {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                        PNG_COLOR_TYPE_RGB_ALPHA};

  PngIo io;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  bool ok = info != nullptr;
  if (ok) {
    png_set_write_fn(png, &io, on_write, on_flush);
    ok = write_all(png, info, &img, kColorTypes[img.channels - 1], rows.data(), texts.data(),
                   static_cast<int>(texts.size()));
  }
  png_destroy_write_struct(png ? &png : nullptr, info ? &info : nullptr);
  std::vector<uint8_t> bytes;
  if (ok) bytes.assign(io.out, io.out + io.out_size);
  std::free(io.out);
  check(ok, name + ": PNG encoding failed: " + (io.message[0] ? io.message : "out of memory"));
  return bytes;
}

}  // namespace

Image codecs::decode_png(const uint8_t* data, size_t size, const std::string& name, size_t max_pixels) {
  check_chunk_lengths(data, size, name);
  PngIo io;
  io.in = data;
  io.in_size = size;
  ReadStructs s;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
  if (s.png) s.info = png_create_info_struct(s.png);
  check(s.info != nullptr, name + ": out of memory creating the PNG decoder");
  png_set_read_fn(s.png, &io, on_read);
  png_uint_32 side_limit = max_pixels < PNG_UINT_31_MAX ? png_uint_32(max_pixels) : PNG_UINT_31_MAX;
  png_set_user_limits(s.png, side_limit, side_limit);

  PngHeader h;
  check(read_header(s.png, s.info, &h), name + ": corrupt or truncated PNG: " + io.message);
  check_dimensions(h.width, h.height, name, max_pixels);
  // Deflate expands at most 1032:1, so the stored samples cannot outnumber 1032 bytes per input byte: rejecting
  // such headers up front keeps a tiny hostile file from making us allocate a huge buffer.
  size_t stored = size_t(h.height) * ((size_t(h.width) * h.bit_depth * h.file_channels + 7) / 8);
  check(stored / 1032 <= size, name + ": truncated PNG: " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                                   " image in a " + std::to_string(size) + "-byte file");

  Image img;
  img.width = int(h.width);
  img.height = int(h.height);
  img.channels = h.channels;
  check(h.channels >= 1 && h.channels <= 4 && h.rowbytes == size_t(h.width) * h.channels,
        name + ": unsupported PNG layout");
  img.pixels.resize(h.rowbytes * h.height);
  std::vector<png_bytep> rows(h.height);
  for (png_uint_32 y = 0; y < h.height; ++y) rows[y] = img.pixels.data() + y * h.rowbytes;
  check(read_rows(s.png, s.info, rows.data()), name + ": corrupt or truncated PNG: " + io.message);
  img.text = read_text(s.png, s.info);
  return img;
}

std::vector<uint8_t> encode_png(const Image& img) { return encode(img, "encode_png"); }

void write_png(const std::string& path, const Image& img) { write_file_atomically(path, encode(img, path)); }

}  // namespace easel::io
