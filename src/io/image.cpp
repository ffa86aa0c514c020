// Format detection and file reading in front of the PNG/JPEG codecs.
#include "io/image.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/atomic_write.h"
#include "io/image_codecs.h"
#include "util/error.h"

namespace easel::io {
namespace {

bool starts_with(const uint8_t* data, size_t size, const char* magic, size_t n) {
  return size >= n && std::memcmp(data, magic, n) == 0;
}

// The signatures decode_image dispatches on: PNG's 8 bytes, JPEG's SOI marker and the next marker's 0xFF.
bool is_png(const uint8_t* data, size_t size) { return starts_with(data, size, "\x89PNG\r\n\x1a\n", 8); }
bool is_jpeg(const uint8_t* data, size_t size) { return starts_with(data, size, "\xff\xd8\xff", 3); }

// A hint for the formats people most often mistake for PNG/JPEG.
std::string format_hint(const uint8_t* data, size_t size) {
  if (starts_with(data, size, "GIF8", 4)) return " (it looks like GIF)";
  if (starts_with(data, size, "RIFF", 4) && size >= 12 && std::memcmp(data + 8, "WEBP", 4) == 0)
    return " (it looks like WebP)";
  if (starts_with(data, size, "BM", 2)) return " (it looks like BMP)";
  if (starts_with(data, size, "II*\0", 4) || starts_with(data, size, "MM\0*", 4)) return " (it looks like TIFF)";
  return "";
}

}  // namespace

void codecs::check_dimensions(size_t width, size_t height, const std::string& name, size_t max_pixels) {
  std::string dims = std::to_string(width) + "x" + std::to_string(height);
  check(width > 0 && height > 0, name + ": image has zero size (" + dims + ")");
  check(width <= max_pixels / height,
        name + ": image is " + dims + ", over the limit of " + std::to_string(max_pixels) + " pixels");
}

void codecs::check_text_key(const std::string& key, const char* format, const std::string& name) {
  bool ok = !key.empty() && key.size() <= 79 && key.front() != ' ' && key.back() != ' ' &&
            key.find("  ") == std::string::npos;
  for (char c : key) ok = ok && c >= 0x20 && c <= 0x7E;
  check(ok, name + ": " + format + " text key \"" + key +
                "\" must be 1-79 printable ASCII characters without leading, trailing or double spaces");
}

bool is_image_data(const uint8_t* data, size_t size) { return is_png(data, size) || is_jpeg(data, size); }

bool is_image_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t head[8] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  return is_image_data(head, size_t(in.gcount()));
}

Image decode_image(const uint8_t* data, size_t size, const std::string& name, size_t max_pixels) {
  check(size > 0, name + ": empty file");
  if (is_png(data, size)) return codecs::decode_png(data, size, name, max_pixels);
  if (is_jpeg(data, size)) return codecs::decode_jpeg(data, size, name, max_pixels);
  throw Error(name + ": not a PNG or JPEG image" + format_hint(data, size));
}

void write_image(const std::string& path, const Image& img) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".jpg" || ext == ".jpeg")
    write_file_atomically(path, encode_jpeg(img, kDefaultJpegQuality, path));
  else
    write_png(path, img);
}

Image read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.is_open(), path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check(!in.bad(), path + ": read error");
  return decode_image(bytes.data(), bytes.size(), path);
}

}  // namespace easel::io
