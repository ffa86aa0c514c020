// JPEG decode and encode with libjpeg-turbo (libjpeg 6b API).
//
// Error handling follows libjpeg's example.c: error_exit formats the message and longjmps to the setjmp in one of
// the C-style phase functions below (read_header, read_pixels, write_all), which hold no objects with destructors.
// The C++ work (allocation, easel::Error) happens between the phases.
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jerror.h>
#include <jpeglib.h>

#include <csetjmp>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "io/image_codecs.h"
#include "util/error.h"

namespace easel::io {
namespace {

// A progressive JPEG may hold any number of scans, each re-walking the whole coefficient buffer: cap them so a
// small hostile file cannot burn minutes of CPU (libjpeg-turbo's documentation suggests the same limit).
constexpr int kMaxScans = 500;

struct JpegErrors {
  jpeg_error_mgr mgr;  // first member: libjpeg hands back a pointer to it
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  jpeg_progress_mgr progress;
};

void on_error_exit(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  cinfo->err->format_message(cinfo, e->message);
  longjmp(e->jump, 1);
}

// libjpeg only warns when the data runs out or is damaged, and fills the rest of the image with gray. We want a
// clear error instead; other warnings (e.g. extraneous bytes before a marker, common in camera files) are ignored.
void on_message(j_common_ptr cinfo, int level) {
  if (level != -1) return;
  int code = cinfo->err->msg_code;
  if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC)
    on_error_exit(cinfo);
}

void on_progress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->is_decompressor && d->input_scan_number > kMaxScans) {
    auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
    std::snprintf(e->message, sizeof e->message, "more than %d progressive scans", kMaxScans);
    longjmp(e->jump, 1);
  }
}

// Creates the decoder, parses the headers and picks the output color space (gray, RGB, or CMYK converted later).
bool read_header(jpeg_decompress_struct* cinfo, JpegErrors* err, const uint8_t* data, size_t size) {
  if (setjmp(err->jump)) return false;
  jpeg_create_decompress(cinfo);
  cinfo->progress = &err->progress;
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  jpeg_save_markers(cinfo, JPEG_COM, 0xFFFF);  // comments: encode_jpeg's text entries
  jpeg_read_header(cinfo, TRUE);
  J_COLOR_SPACE in = cinfo->jpeg_color_space;
  cinfo->out_color_space = in == JCS_GRAYSCALE ? JCS_GRAYSCALE : (in == JCS_CMYK || in == JCS_YCCK) ? JCS_CMYK : JCS_RGB;
  jpeg_calc_output_dimensions(cinfo);
  return true;
}

bool read_pixels(jpeg_decompress_struct* cinfo, JpegErrors* err, uint8_t* pixels, size_t stride) {
  if (setjmp(err->jump)) return false;
  jpeg_start_decompress(cinfo);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = pixels + size_t(cinfo->output_scanline) * stride;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

// CMYK to RGB as PIL does: R = (255 - C) * (255 - K) / 255, where Adobe files store the inks inverted
// (stored = 255 - ink, signalled by the APP14 Adobe marker), so there R = C * K / 255.
std::vector<uint8_t> cmyk_to_rgb(const std::vector<uint8_t>& cmyk, bool inverted) {
  std::vector<uint8_t> rgb(cmyk.size() / 4 * 3);
  for (size_t i = 0, j = 0; i < cmyk.size(); i += 4, j += 3) {
    unsigned k = inverted ? cmyk[i + 3] : 255u - cmyk[i + 3];
    for (int c = 0; c < 3; ++c) {
      unsigned v = inverted ? cmyk[i + c] : 255u - cmyk[i + c];
      rgb[j + c] = static_cast<uint8_t>((v * k + 127) / 255);
    }
  }
  return rgb;
}

struct Decoder {
  jpeg_decompress_struct cinfo{};
  ~Decoder() { jpeg_destroy_decompress(&cinfo); }
};

// COM markers as text entries: "key: value" (encode_jpeg's form, key as check_text_key allows) or ("comment", all).
std::vector<std::pair<std::string, std::string>> read_comments(const jpeg_decompress_struct& cinfo) {
  std::vector<std::pair<std::string, std::string>> text;
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
    if (m->marker != JPEG_COM) continue;
    std::string c(reinterpret_cast<const char*>(m->data), m->data_length);
    size_t colon = c.find(": ");
    bool keyed = colon != std::string::npos && colon > 0 && colon <= 79;
    for (size_t i = 0; keyed && i < colon; ++i) keyed = c[i] >= 0x20 && c[i] <= 0x7E;
    if (keyed)
      text.emplace_back(c.substr(0, colon), c.substr(colon + 2));
    else
      text.emplace_back("comment", c);
  }
  return text;
}

// Writes the whole JPEG (headers, comments, scanlines) into libjpeg's memory destination *out.
bool write_all(jpeg_compress_struct* cinfo, JpegErrors* err, const uint8_t* pixels, int width, int height,
               int components, int quality, const std::string* comments, size_t n_comments, unsigned char** out,
               unsigned long* out_size) {
  if (setjmp(err->jump)) return false;
  jpeg_create_compress(cinfo);
  jpeg_mem_dest(cinfo, out, out_size);
  cinfo->image_width = JDIMENSION(width);
  cinfo->image_height = JDIMENSION(height);
  cinfo->input_components = components;
  cinfo->in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  // 4:4:4: full-resolution chroma. easel's images are flat colours with sharp edges (shapes, a contact sheet's
  // PASS/FAIL labels), which 4:2:0 smears by a pixel.
  cinfo->comp_info[0].h_samp_factor = cinfo->comp_info[0].v_samp_factor = 1;
  jpeg_start_compress(cinfo, TRUE);
  for (size_t i = 0; i < n_comments; ++i)
    jpeg_write_marker(cinfo, JPEG_COM, reinterpret_cast<const JOCTET*>(comments[i].data()),
                      static_cast<unsigned int>(comments[i].size()));
  const size_t stride = size_t(width) * components;
  while (cinfo->next_scanline < cinfo->image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(pixels + size_t(cinfo->next_scanline) * stride);
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  return true;
}

struct Encoder {
  jpeg_compress_struct cinfo{};
  unsigned char* out = nullptr;  // malloc'd by libjpeg's memory destination
  unsigned long out_size = 0;
  ~Encoder() {
    jpeg_destroy_compress(&cinfo);
    std::free(out);
  }
};

// A JPEG comment holds at most 65,533 bytes; keep a margin for the key.
constexpr size_t kMaxCommentValue = 65000;

}  // namespace

Image codecs::decode_jpeg(const uint8_t* data, size_t size, const std::string& name, size_t max_pixels) {
  JpegErrors err;
  Decoder d;
  d.cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_error_exit;
  err.mgr.emit_message = on_message;
  err.message[0] = '\0';
  err.progress = jpeg_progress_mgr{};
  err.progress.progress_monitor = on_progress;
  check(read_header(&d.cinfo, &err, data, size), name + ": corrupt or truncated JPEG: " + err.message);
  check_dimensions(d.cinfo.output_width, d.cinfo.output_height, name, max_pixels);

  Image img;
  img.text = read_comments(d.cinfo);  // before read_pixels: jpeg_finish_decompress frees the saved markers
  img.width = int(d.cinfo.output_width);
  img.height = int(d.cinfo.output_height);
  int components = d.cinfo.output_components;
  size_t stride = size_t(img.width) * components;
  img.pixels.resize(stride * img.height);
  check(read_pixels(&d.cinfo, &err, img.pixels.data(), stride),
        name + ": corrupt or truncated JPEG: " + err.message);
  if (d.cinfo.out_color_space == JCS_CMYK) {
    img.pixels = cmyk_to_rgb(img.pixels, d.cinfo.saw_Adobe_marker);
    components = 3;
  }
  img.channels = components;
  return img;
}

std::vector<uint8_t> encode_jpeg(const Image& img, int quality, const std::string& name) {
  check(img.channels >= 1 && img.channels <= 4,
        name + ": cannot write a JPEG with " + std::to_string(img.channels) + " channels (need 1-4)");
  check(quality >= 1 && quality <= 100, name + ": JPEG quality must be in 1..100, not " + std::to_string(quality));
  codecs::check_dimensions(img.width < 0 ? 0 : img.width, img.height < 0 ? 0 : img.height, name, kMaxImagePixels);
  check(img.width <= JPEG_MAX_DIMENSION && img.height <= JPEG_MAX_DIMENSION,
        name + ": a JPEG side is at most " + std::to_string(JPEG_MAX_DIMENSION) + " pixels");
  const size_t pixels = size_t(img.width) * img.height;
  check(img.pixels.size() == pixels * img.channels,
        name + ": image holds " + std::to_string(img.pixels.size()) + " bytes, expected " +
            std::to_string(img.width) + "x" + std::to_string(img.height) + "x" + std::to_string(img.channels));
  std::vector<std::string> comments;
  for (const auto& [key, value] : img.text) {
    codecs::check_text_key(key, "JPEG", name);
    check(value.size() <= kMaxCommentValue, name + ": JPEG comment \"" + key + "\" is over " +
                                                std::to_string(kMaxCommentValue) + " bytes");
    comments.push_back(key + ": " + value);
  }
  // JPEG has no alpha: drop it (gray+alpha -> gray, RGBA -> RGB).
  const int components = img.channels >= 3 ? 3 : 1;
  std::vector<uint8_t> opaque;
  const uint8_t* data = img.pixels.data();
  if (components != img.channels) {
    opaque.resize(pixels * components);
    for (size_t i = 0; i < pixels; ++i)
      for (int c = 0; c < components; ++c) opaque[i * components + c] = img.pixels[i * img.channels + c];
    data = opaque.data();
  }
  JpegErrors err;
  Encoder e;
  e.cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_error_exit;
  err.message[0] = '\0';
  bool ok = write_all(&e.cinfo, &err, data, img.width, img.height, components, quality, comments.data(),
                      comments.size(), &e.out, &e.out_size);
  // After a failure e.out may name a buffer that libjpeg has already replaced and freed (its memory destination
  // publishes the current one only when it finishes): leave it rather than free it twice.
  if (!ok) e.out = nullptr;
  check(ok && e.out != nullptr, name + ": JPEG encoding failed: " + (err.message[0] ? err.message : "out of memory"));
  return std::vector<uint8_t>(e.out, e.out + e.out_size);
}

}  // namespace easel::io
