// Internal to io/: the codec back ends behind image.h, chosen by decode_image from the file signature.
// Each returns a fully decoded 8-bit Image or throws easel::Error naming `name`.
#pragma once
#include "io/image.h"

namespace easel::io::codecs {

// data starts with the PNG signature.
Image decode_png(const uint8_t* data, size_t size, const std::string& name, size_t max_pixels);

// data starts with the JPEG SOI marker.
Image decode_jpeg(const uint8_t* data, size_t size, const std::string& name, size_t max_pixels);

// Throws unless 0 < width, height and width * height <= max_pixels.
void check_dimensions(size_t width, size_t height, const std::string& name, size_t max_pixels);

// Throws unless key is 1-79 printable ASCII characters without leading, trailing or double spaces (PNG's rule for
// text keys, kept for JPEG comments so that both formats carry the same entries).
void check_text_key(const std::string& key, const char* format, const std::string& name);

}  // namespace easel::io::codecs
