// JPEG decode with libjpeg-turbo (libjpeg 6b API).
//
// Error handling follows libjpeg's example.c: error_exit formats the message and longjmps to the setjmp in one of
// the two C-style phase functions below (read_header, read_pixels), which hold no objects with destructors. The
// C++ work (allocation, easel::Error) happens between the phases.
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jerror.h>
#include <jpeglib.h>

#include <csetjmp>

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

}  // namespace easel::io
