// Images on disk and in memory: PNG and JPEG read/write (Debian's libpng 1.6 and libjpeg-turbo), plus the
// conversions to and from the [-1, 1] float tensors the VAE consumes and produces.
// Every failure caused by the input (missing file, unsupported format, truncated or corrupt data, absurd
// dimensions) is an easel::Error with one line naming the file; the codecs never abort or crash the process.
#pragma once
#include <ATen/ATen.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace easel::io {

// 8-bit pixels, interleaved row-major HWC. channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;  // width * height * channels bytes
  // PNG text chunks (tEXt, zTXt, iTXt) as UTF-8 (key, value) pairs in file order; tEXt/zTXt Latin-1 is converted.
  std::vector<std::pair<std::string, std::string>> text;
};

// Largest image decoded by default (16384 x 16384 pixels): a hostile header cannot make us allocate more.
constexpr size_t kMaxImagePixels = size_t{16384} * 16384;

// Reads a PNG or JPEG file, recognised by content (not extension). PNG: any bit depth and color type; palette,
// gray below 8 bits and tRNS transparency are expanded; 16-bit samples become 8-bit by rounding,
// v8 = round(v16 * 255 / 65535) (libpng's png_set_scale_16); gamma/ICC chunks are ignored, as PIL does.
// JPEG: gray stays 1 channel, YCbCr/RGB give 3, CMYK/YCCK are converted to RGB (Adobe inverted CMYK handled).
// EXIF orientation is not applied. Comment (COM) markers of the form "key: value" come back as text entries
// (encode_jpeg's), any other comment as ("comment", text).
Image read_image(const std::string& path);

// True when the file (or data) starts with a PNG or JPEG signature: what read_image / decode_image recognise. A file
// that cannot be read is not an image.
bool is_image_file(const std::string& path);
bool is_image_data(const uint8_t* data, size_t size);

// The same from memory; name is used in error messages only. max_pixels caps width * height.
Image decode_image(const uint8_t* data, size_t size, const std::string& name,
                   size_t max_pixels = kMaxImagePixels);

// PNG bytes for img (8-bit, color type from channels). Text chunks are written as uncompressed iTXt (UTF-8 values);
// keys must be 1-79 printable ASCII characters without leading/trailing spaces.
std::vector<uint8_t> encode_png(const Image& img);

// Writes encode_png(img) to path atomically: a temporary file in the same folder, then rename.
void write_png(const std::string& path, const Image& img);

// Quality of JPEGs written by write_image. Generated images are noisy, which PNG stores badly: easel-mini's
// held-out contact sheet is 2.5 MB as JPEG against 7.3 MB as PNG (clean world renders, flat colours, are the
// other way round: 1.8 MB against 0.3 MB).
constexpr int kDefaultJpegQuality = 90;

// JPEG bytes for img: baseline, 4:4:4 (full-resolution chroma), quality 1-100 (libjpeg's scale). Alpha is dropped
// (gray+alpha gives gray, RGBA gives RGB). Each text entry becomes a COM marker "key: value" (keys as for PNG; a value may hold up
// to 65,000 bytes), so that the generation parameters travel with the file as they do in a PNG. name is used in
// error messages only.
std::vector<uint8_t> encode_jpeg(const Image& img, int quality = kDefaultJpegQuality,
                                 const std::string& name = "encode_jpeg");

// Writes img to path atomically: JPEG (kDefaultJpegQuality) when path ends in .jpg or .jpeg in any case, else PNG.
void write_image(const std::string& path, const Image& img);

// [1, 3, H, W] float32 in [-1, 1], as diffusers' VaeImageProcessor: x = u8 / 255 * 2 - 1 (float32 arithmetic).
// Gray is repeated to RGB; alpha is dropped (see alpha_to_tensor).
at::Tensor image_to_tensor(const Image& img);

// [1, 1, H, W] float32 in [0, 1]: alpha / 255, or all ones when img has no alpha channel.
at::Tensor alpha_to_tensor(const Image& img);

// RGB image from a [1, 3, H, W] or [3, H, W] tensor in [-1, 1] (any floating dtype), rounding exactly as diffusers'
// postprocess + numpy_to_pil: u8 = round_half_even(clamp(x / 2 + 0.5, 0, 1) * 255), in float32.
// Non-finite values are an error (they would otherwise become arbitrary pixels).
Image tensor_to_image(const at::Tensor& x);

// One image per batch entry of an [N, 3, H, W] tensor, converted as tensor_to_image.
std::vector<Image> tensor_to_images(const at::Tensor& x);

}  // namespace easel::io
