// io/image: PNG/JPEG decoding and encoding, the tensor conversions against the SD1 oracle, and every
// hostile-input path. Special PNG and JPEG files (16-bit, palette, interlaced, Latin-1 tEXt, CMYK) are written
// here with libpng/libjpeg directly, so the decoder is checked against the reference libraries' own encoders.
#include "io/image.h"

#include <gtest/gtest.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "test_util.h"
#include "util/error.h"

namespace easel::io {
namespace {

Image pattern(int w, int h, int c) {
  Image img;
  img.width = w;
  img.height = h;
  img.channels = c;
  for (int i = 0; i < w * h * c; ++i) img.pixels.push_back(static_cast<uint8_t>(i * 37 + i / 7));
  return img;
}

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Message of the easel::Error that f throws (fails the test if it throws nothing or something else).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an easel::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

// A PNG written by libpng itself, with any bit depth / color type / interlacing and raw (packed) rows.
struct RawPng {
  int width, height, bit_depth, color_type;
  bool interlaced = false;
  std::vector<std::vector<uint8_t>> rows;
  std::vector<png_color> palette;
  std::vector<uint8_t> trns_alpha;                          // palette transparency
  std::vector<std::pair<std::string, std::string>> latin1;  // written as tEXt
};

std::vector<uint8_t> libpng_write(const RawPng& p) {
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(
      png, &out,
      [](png_structp s, png_bytep d, size_t n) {
        auto* v = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(s));
        v->insert(v->end(), d, d + n);
      },
      nullptr);
  png_set_IHDR(png, info, p.width, p.height, p.bit_depth, p.color_type,
               p.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!p.palette.empty()) png_set_PLTE(png, info, p.palette.data(), int(p.palette.size()));
  if (!p.trns_alpha.empty()) png_set_tRNS(png, info, p.trns_alpha.data(), int(p.trns_alpha.size()), nullptr);
  std::vector<png_text> texts;
  for (const auto& [k, v] : p.latin1) {
    png_text t{};
    t.compression = PNG_TEXT_COMPRESSION_NONE;
    t.key = const_cast<char*>(k.c_str());
    t.text = const_cast<char*>(v.c_str());
    texts.push_back(t);
  }
  if (!texts.empty()) png_set_text(png, info, texts.data(), int(texts.size()));
  png_write_info(png, info);
  std::vector<png_bytep> rows;
  for (const auto& r : p.rows) rows.push_back(const_cast<png_bytep>(r.data()));
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

// A JPEG written by libjpeg: components 1 (gray), 3 (RGB) or 4 (CMYK, with libjpeg's Adobe marker).
std::vector<uint8_t> libjpeg_write(int w, int h, int components, const std::vector<uint8_t>& pixels) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = w;
  c.image_height = h;
  c.input_components = components;
  c.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = 1;  // 4:4:4: no chroma blur across quadrants
  jpeg_start_compress(&c, TRUE);
  for (int y = 0; y < h; ++y) {
    JSAMPROW row = const_cast<JSAMPROW>(pixels.data() + size_t(y) * w * components);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::vector<uint8_t> out(buf, buf + size);
  std::free(buf);
  return out;
}

// 16x16 image of four flat 8x8 quadrants (JPEG reproduces flat blocks almost exactly).
std::vector<uint8_t> quadrants(int components, const std::vector<std::vector<uint8_t>>& colors) {
  std::vector<uint8_t> px;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x)
      for (int c = 0; c < components; ++c) px.push_back(colors[(y / 8) * 2 + x / 8][c]);
  return px;
}

TEST(Image, PngRoundTripsEachChannelCount) {
  test::TempDir dir;
  for (int c = 1; c <= 4; ++c) {
    Image img = pattern(7, 5, c);
    Image back = decode_image(encode_png(img).data(), encode_png(img).size(), "mem.png");
    EXPECT_EQ(back.width, 7);
    EXPECT_EQ(back.height, 5);
    EXPECT_EQ(back.channels, c);
    EXPECT_EQ(back.pixels, img.pixels) << c << " channels";
    std::string path = (dir / ("c" + std::to_string(c) + ".png")).string();
    write_png(path, img);
    EXPECT_EQ(read_image(path).pixels, img.pixels) << path;
  }
  // write_png leaves no temporary file behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 4);
}

TEST(Image, TextChunksRoundTripAsUtf8InOrder) {
  Image img = pattern(3, 2, 3);
  img.text = {{"parameters", "a cat, Steps: 20, caf\xc3\xa9 \xe7\x8c\xab \xf0\x9f\x90\xb1\nline 2"},
              {"Software", "easel"},
              {"empty", ""}};
  std::vector<uint8_t> bytes = encode_png(img);
  Image back = decode_image(bytes.data(), bytes.size(), "text.png");
  EXPECT_EQ(back.text, img.text);
}

TEST(Image, Latin1TextChunksAreConvertedToUtf8) {
  RawPng p{2, 1, 8, PNG_COLOR_TYPE_GRAY};
  p.rows = {{10, 20}};
  p.latin1 = {{"Comment", "caf\xe9 \xb5"}, {"Title", "plain"}};
  std::vector<uint8_t> bytes = libpng_write(p);
  Image img = decode_image(bytes.data(), bytes.size(), "latin1.png");
  std::vector<std::pair<std::string, std::string>> want = {{"Comment", "caf\xc3\xa9 \xc2\xb5"}, {"Title", "plain"}};
  EXPECT_EQ(img.text, want);
}

TEST(Image, SixteenBitPngIsRoundedTo8Bit) {
  // Gray+alpha, 16-bit big-endian samples; expected v8 = round(v16 * 255 / 65535).
  std::vector<uint16_t> samples = {0, 128, 129, 32767, 32768, 65535, 257 * 200, 257 * 200 + 128, 1000, 64000};
  RawPng p{5, 1, 16, PNG_COLOR_TYPE_GRAY_ALPHA};
  p.rows.emplace_back();
  for (uint16_t v : samples) {
    p.rows[0].push_back(v >> 8);
    p.rows[0].push_back(v & 0xFF);
  }
  std::vector<uint8_t> bytes = libpng_write(p);
  Image img = decode_image(bytes.data(), bytes.size(), "16bit.png");
  ASSERT_EQ(img.channels, 2);
  ASSERT_EQ(img.pixels.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i)
    EXPECT_EQ(img.pixels[i], std::lround(samples[i] * 255.0 / 65535.0)) << "16-bit value " << samples[i];
}

TEST(Image, PaletteWithTransparencyAndLowBitGrayAreExpanded) {
  RawPng pal{4, 1, 2, PNG_COLOR_TYPE_PALETTE};  // 2-bit indices 0,1,2,3 packed in one byte
  pal.rows = {{0b00011011}};
  pal.palette = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {9, 8, 7}};
  pal.trns_alpha = {0, 128};  // entries 2 and 3 stay opaque
  std::vector<uint8_t> bytes = libpng_write(pal);
  Image img = decode_image(bytes.data(), bytes.size(), "palette.png");
  ASSERT_EQ(img.channels, 4);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 9, 8, 7, 255}));

  RawPng gray{8, 1, 1, PNG_COLOR_TYPE_GRAY};
  gray.rows = {{0b10110001}};
  bytes = libpng_write(gray);
  img = decode_image(bytes.data(), bytes.size(), "gray1.png");
  ASSERT_EQ(img.channels, 1);
  EXPECT_EQ(img.pixels, (std::vector<uint8_t>{255, 0, 255, 255, 0, 0, 0, 255}));
}

TEST(Image, InterlacedPngMatchesPlain) {
  Image ref = pattern(13, 11, 3);
  RawPng p{13, 11, 8, PNG_COLOR_TYPE_RGB, true};
  for (int y = 0; y < 11; ++y) p.rows.emplace_back(ref.pixels.begin() + y * 39, ref.pixels.begin() + (y + 1) * 39);
  std::vector<uint8_t> bytes = libpng_write(p);
  EXPECT_EQ(decode_image(bytes.data(), bytes.size(), "adam7.png").pixels, ref.pixels);
}

TEST(Image, JpegRgbGrayAndCmykAreRead) {
  test::TempDir dir;
  std::vector<std::vector<uint8_t>> colors = {{200, 30, 30}, {30, 200, 30}, {30, 30, 200}, {128, 128, 128}};
  write_bytes(dir / "rgb.jpg", libjpeg_write(16, 16, 3, quadrants(3, colors)));
  Image img = read_image((dir / "rgb.jpg").string());
  ASSERT_EQ(img.width, 16);
  ASSERT_EQ(img.height, 16);
  ASSERT_EQ(img.channels, 3);
  std::vector<uint8_t> want = quadrants(3, colors);
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(img.pixels[i], want[i], 4) << "byte " << i;

  std::vector<uint8_t> gray = quadrants(1, {{0}, {90}, {180}, {255}});
  std::vector<uint8_t> bytes = libjpeg_write(16, 16, 1, gray);
  img = decode_image(bytes.data(), bytes.size(), "gray.jpg");
  ASSERT_EQ(img.channels, 1);
  for (size_t i = 0; i < gray.size(); ++i) ASSERT_NEAR(img.pixels[i], gray[i], 2) << "byte " << i;

  // libjpeg stores CMYK with an Adobe marker, i.e. inverted inks; R = C * K / 255 on the stored values.
  std::vector<std::vector<uint8_t>> cmyk = {{255, 255, 255, 255}, {255, 0, 128, 255}, {200, 100, 50, 128}, {0, 0, 0, 0}};
  bytes = libjpeg_write(16, 16, 4, quadrants(4, cmyk));
  img = decode_image(bytes.data(), bytes.size(), "cmyk.jpg");
  ASSERT_EQ(img.channels, 3);
  for (int q = 0; q < 4; ++q) {
    size_t at = ((q / 2) * 8 * 16 + (q % 2) * 8 + 3 * 16 + 3) * 3;  // a pixel inside quadrant q
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(img.pixels[at + c], cmyk[q][c] * cmyk[q][3] / 255.0, 4) << "quadrant " << q << " channel " << c;
  }
}

TEST(Image, JpegRoundTripsPixelsAndTextAndDropsAlpha) {
  std::vector<std::vector<uint8_t>> colors = {{200, 30, 30, 255}, {30, 200, 30, 0}, {30, 30, 200, 9}, {128, 128, 128, 77}};
  for (int c : {1, 2, 3, 4}) {
    Image img;
    img.width = img.height = 16;
    img.channels = c;
    img.pixels = quadrants(c, colors);
    std::vector<uint8_t> bytes = encode_jpeg(img);
    ASSERT_GE(bytes.size(), 3u);
    EXPECT_EQ(bytes[0], 0xFF);
    EXPECT_EQ(bytes[1], 0xD8);
    Image back = decode_image(bytes.data(), bytes.size(), "mem.jpg");
    const int kept = c >= 3 ? 3 : 1;  // alpha dropped
    ASSERT_EQ(back.channels, kept) << c << " channels";
    ASSERT_EQ(back.width, 16);
    std::vector<uint8_t> want = quadrants(kept, colors);  // quadrants() takes each color's first `kept` values
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(back.pixels[i], want[i], 6) << c << " channels, byte " << i;
  }
  // The generation parameters travel as COM markers "key: value", in order, UTF-8 and ": " inside values intact.
  Image img = pattern(40, 30, 3);
  img.text = {{"parameters", "a cat, Steps: 20, caf\xc3\xa9\nline 2"}, {"Software", "easel"}, {"empty", ""}};
  std::vector<uint8_t> bytes = encode_jpeg(img, 75);
  EXPECT_EQ(decode_image(bytes.data(), bytes.size(), "text.jpg").text, img.text);
  // Lower quality, fewer bytes.
  EXPECT_LT(encode_jpeg(img, 20).size(), encode_jpeg(img, 95).size());
}

TEST(Image, ForeignJpegCommentsAreReadAsComment) {
  std::vector<uint8_t> bytes = libjpeg_write(8, 8, 1, std::vector<uint8_t>(64, 100));
  // A COM marker right after SOI, as cameras and editors write it: no "key: " prefix.
  const std::string note = "made with another tool";
  std::vector<uint8_t> com = {0xFF, 0xFE, 0, uint8_t(note.size() + 2)};
  com.insert(com.end(), note.begin(), note.end());
  bytes.insert(bytes.begin() + 2, com.begin(), com.end());
  Image img = decode_image(bytes.data(), bytes.size(), "foreign.jpg");
  ASSERT_EQ(img.text.size(), 1u);
  EXPECT_EQ(img.text[0].first, "comment");
  EXPECT_EQ(img.text[0].second, note);
}

TEST(Image, WriteImageChoosesTheFormatByExtension) {
  test::TempDir dir;
  Image img = pattern(12, 10, 3);
  img.text = {{"parameters", "seed 1"}};
  for (const char* name : {"a.png", "b.jpg", "c.JPEG", "d"}) {
    std::string path = (dir / name).string();
    write_image(path, img);
    std::ifstream in(path, std::ios::binary);
    unsigned char head[2] = {0, 0};
    in.read(reinterpret_cast<char*>(head), 2);
    const bool jpeg = std::string(name) == "b.jpg" || std::string(name) == "c.JPEG";
    EXPECT_EQ(head[0], jpeg ? 0xFF : 0x89) << name;
    Image back = read_image(path);
    EXPECT_EQ(back.text, img.text) << name;
    if (!jpeg) {
      EXPECT_EQ(back.pixels, img.pixels) << name;
    }
  }
  // No temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 4);
}

// is_image_file: what read_image recognises (by content, not by name), and nothing it does not.
TEST(Image, IsImageFileRecognisesPngAndJpegByContent) {
  test::TempDir dir;
  const Image img = pattern(6, 5, 3);
  write_image((dir / "a.png").string(), img);
  write_image((dir / "b.jpg").string(), img);
  std::filesystem::rename(dir / "b.jpg", dir / "b.safetensors");  // the content counts, not the name
  EXPECT_TRUE(is_image_file((dir / "a.png").string()));
  EXPECT_TRUE(is_image_file((dir / "b.safetensors").string()));
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"short.png", "\x89P"}, {"empty.png", ""}, {"gif.png", "GIF89a......"}, {"text.jpg", "hello world"}}) {
    std::ofstream((dir / name).string(), std::ios::binary) << bytes;
    EXPECT_FALSE(is_image_file((dir / name).string())) << name;
    EXPECT_FALSE(is_image_data(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())) << name;
  }
  EXPECT_FALSE(is_image_file((dir / "missing.png").string()));
  EXPECT_FALSE(is_image_file(dir.path.string()));  // a folder
}

// FNV-1a 64 of the decoded pixels and their sum, computed independently with Python's zlib + a PNG unfilter.
struct OraclePng {
  const char* file;
  uint64_t fnv;
  int64_t sum;
};
const OraclePng kOraclePngs[] = {
    {"txt2img_euler.png", 0x99e0f05a13035992, 1572353},  {"txt2img_ddim.png", 0x1e49bcff5d1c0d43, 1567516},
    {"txt2img_pndm.png", 0xf8f21db52b1c0a58, 1567349},   {"img2img_ddim.png", 0x68607c85a8fd583f, 1569636},
    {"img2img_input.png", 0xd8c88626875b7c5f, 1534832},  {"vae_encode_input.png", 0xd8c88626875b7c5f, 1534832},
    {"inpaint_unet9_euler_a.png", 0x33f64ed0b15a791d, 1573778}};

uint64_t fnv1a(const std::vector<uint8_t>& bytes) {
  uint64_t h = 0xcbf29ce484222325;
  for (uint8_t b : bytes) h = (h ^ b) * 0x100000001b3;
  return h;
}

TEST(Image, OraclePngsDecodeAndRoundTripThroughTensorsExactly) {
  EASEL_SHARED_OR_SKIP(refs, "oracle/sd1_tiny/refs");
  for (const OraclePng& o : kOraclePngs) {
    Image img = read_image((refs / o.file).string());
    ASSERT_EQ(img.width, 64);
    ASSERT_EQ(img.height, 64);
    ASSERT_EQ(img.channels, 3);
    EXPECT_EQ(fnv1a(img.pixels), o.fnv) << o.file;
    int64_t sum = 0;
    for (uint8_t v : img.pixels) sum += v;
    EXPECT_EQ(sum, o.sum) << o.file;
    EXPECT_EQ(tensor_to_image(image_to_tensor(img)).pixels, img.pixels) << o.file;
  }
  // The inpainting mask is 8-bit gray: 255 on rows 16..47, cols 20..51.
  Image mask = read_image((refs / "inpaint_mask.png").string());
  ASSERT_EQ(mask.channels, 1);
  EXPECT_EQ(mask.pixels[16 * 64 + 20], 255);
  EXPECT_EQ(mask.pixels[15 * 64 + 20], 0);
  EXPECT_EQ(mask.pixels[47 * 64 + 51], 255);
  EXPECT_EQ(mask.pixels[47 * 64 + 52], 0);
}

TEST(Image, ImageToTensorMatchesVaeEncodeReference) {
  // refs/vae.safetensors `encode.image` = diffusers' preprocessing of vae_encode_input.png: pixel (5, 7) and the
  // float64 sum of all 12288 values, read with Python from the reference file.
  EASEL_SHARED_OR_SKIP(png, "oracle/sd1_tiny/refs/vae_encode_input.png");
  at::Tensor x = image_to_tensor(read_image(png.string()));
  ASSERT_EQ(x.sizes(), (at::IntArrayRef{1, 3, 64, 64}));
  EXPECT_EQ(x[0][0][5][7].item<float>(), -0x1.737374p-1f);
  EXPECT_EQ(x[0][1][5][7].item<float>(), -0x1.939394p-1f);
  EXPECT_EQ(x[0][2][5][7].item<float>(), 0x1.dfdfe0p-1f);
  EXPECT_NEAR(x.to(at::kDouble).sum().item<double>(), -250.10185199975967, 1e-9);
}

TEST(Image, TensorToImageRoundsExactlyAsDiffusers) {
  // The eight `decoded` values of refs/txt2img_euler.safetensors closest to a rounding boundary, with the
  // reference image_uint8 for each; plus exact float32 ties, which round half to even as torch/numpy do
  // (0 -> 127.5 -> 128; the next three give 126.5, 200.5, 254.5 exactly -> 126, 200, 254), and clamping.
  std::vector<float> x = {0x1.6cp-20f,   -0x1.4142p-3f,  -0x1.212316p-4f, -0x1.01030cp-4f, 0x1.615ebp-4f,
                          0x1.1112bap-3f, -0x1.211d44p-4f, 0x1.a19faap-3f, 0.0f,            -0x1.01014p-7f,
                          0x1.252524p-1f, 0x1.fdfdfcp-1f, -1.0f,           1.0f,            -7.0f,
                          3.0f};
  std::vector<uint8_t> want = {128, 107, 118, 119, 138, 145, 119, 153, 128, 126, 200, 254, 0, 255, 0, 255};
  at::Tensor t = at::tensor(x).reshape({1, 1, 1, -1}).expand({1, 3, 1, long(x.size())});
  Image img = tensor_to_image(t);
  ASSERT_EQ(img.width, int(x.size()));
  for (size_t i = 0; i < x.size(); ++i)
    for (int c = 0; c < 3; ++c) EXPECT_EQ(img.pixels[i * 3 + c], want[i]) << "x = " << x[i];
  // Double and [3, H, W] inputs are accepted too.
  EXPECT_EQ(tensor_to_image(t[0].to(at::kDouble)).pixels, img.pixels);
}

TEST(Image, BatchAndAlphaConversions) {
  at::Tensor batch = at::rand({2, 3, 4, 5}) * 2 - 1;
  std::vector<Image> images = tensor_to_images(batch);
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[1].pixels, tensor_to_image(batch[1]).pixels);

  Image rgba = pattern(5, 4, 4);
  at::Tensor a = alpha_to_tensor(rgba);
  ASSERT_EQ(a.sizes(), (at::IntArrayRef{1, 1, 4, 5}));
  EXPECT_FLOAT_EQ(a[0][0][3][4].item<float>(), rgba.pixels[(3 * 5 + 4) * 4 + 3] / 255.0f);
  EXPECT_TRUE(alpha_to_tensor(pattern(5, 4, 3)).eq(1).all().item<bool>());
  // RGBA drops alpha; gray is repeated on the three channels.
  EXPECT_EQ(image_to_tensor(rgba).size(1), 3);
  at::Tensor g = image_to_tensor(pattern(5, 4, 1));
  EXPECT_TRUE(g[0][0].equal(g[0][2]));
  EXPECT_FLOAT_EQ(g[0][1][0][1].item<float>(), pattern(5, 4, 1).pixels[1] / 255.0f * 2 - 1);
}

// --- Hostile and broken input: always an easel::Error naming the input, never a crash. ---

// Overwrites one chunk's payload byte range and recomputes that chunk's CRC.
void patch_chunk(std::vector<uint8_t>& png, size_t chunk_start, size_t offset, const std::vector<uint8_t>& bytes) {
  std::copy(bytes.begin(), bytes.end(), png.begin() + chunk_start + 8 + offset);
  uint32_t len = (png[chunk_start] << 24) | (png[chunk_start + 1] << 16) | (png[chunk_start + 2] << 8) |
                 png[chunk_start + 3];
  uint32_t crc = crc32(0, png.data() + chunk_start + 4, 4 + len);
  for (int i = 0; i < 4; ++i) png[chunk_start + 8 + len + i] = uint8_t(crc >> (24 - 8 * i));
}

std::vector<uint8_t> be32(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

TEST(Image, BrokenFilesGiveOneLineErrorsNamingTheFile) {
  test::TempDir dir;
  auto read_err = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    write_bytes(dir / name, bytes);
    std::string path = (dir / name).string();
    std::string msg = error_of([&] { read_image(path); });
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    return msg;
  };
  std::string missing = (dir / "missing.png").string();
  EXPECT_NE(error_of([&] { read_image(missing); }).find(missing + ": cannot open"), std::string::npos);
  EXPECT_NE(read_err("empty.png", {}).find("empty file"), std::string::npos);
  EXPECT_NE(read_err("x.gif", {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0}).find("not a PNG or JPEG image (it looks like GIF)"),
            std::string::npos);
  EXPECT_NE(read_err("garbage.png", {1, 2, 3, 4, 5, 6, 7, 8, 9}).find("not a PNG or JPEG image"), std::string::npos);

  std::vector<uint8_t> png = encode_png(pattern(40, 30, 3));
  for (size_t cut : {size_t(8), size_t(20), size_t(40), png.size() / 2, png.size() - 12, png.size() - 1}) {
    std::string msg = read_err("cut.png", std::vector<uint8_t>(png.begin(), png.begin() + cut));
    EXPECT_NE(msg.find("truncated"), std::string::npos) << "cut at " << cut << ": " << msg;
  }
  std::vector<uint8_t> corrupt = png;
  corrupt[png.size() / 2] ^= 0x55;  // inside IDAT: the CRC no longer matches
  EXPECT_NE(read_err("corrupt.png", corrupt).find("corrupt or truncated PNG"), std::string::npos);

  // IHDR is the first chunk (offset 8): width at payload offset 0, height at 4.
  std::vector<uint8_t> huge = png;
  patch_chunk(huge, 8, 0, be32(100000));
  patch_chunk(huge, 8, 4, be32(100000));
  EXPECT_NE(read_err("huge.png", huge).find("100000x100000, over the limit"), std::string::npos);
  std::vector<uint8_t> big = png;  // within the limit, but a 600-byte file cannot hold 16000x16000 pixels
  patch_chunk(big, 8, 0, be32(16000));
  patch_chunk(big, 8, 4, be32(16000));
  EXPECT_NE(read_err("big.png", big).find("truncated PNG: 16000x16000 image"), std::string::npos);
  std::vector<uint8_t> zero = png;
  patch_chunk(zero, 8, 0, be32(0));
  EXPECT_NE(read_err("zero.png", zero).find("PNG"), std::string::npos);
  EXPECT_NE(error_of([&] { decode_image(png.data(), png.size(), "small.png", 1000); }).find("over the limit of 1000"),
            std::string::npos);

  std::vector<uint8_t> jpg = libjpeg_write(16, 16, 3, quadrants(3, {{9, 9, 9}, {50, 50, 50}, {99, 9, 9}, {1, 2, 3}}));
  for (size_t cut : {size_t(3), size_t(100), jpg.size() / 2, jpg.size() - 2}) {
    std::string msg = read_err("cut.jpg", std::vector<uint8_t>(jpg.begin(), jpg.begin() + cut));
    EXPECT_NE(msg.find("corrupt or truncated JPEG"), std::string::npos) << "cut at " << cut << ": " << msg;
  }
  std::vector<uint8_t> huge_jpg = jpg;
  size_t sof = 2;
  while (sof + 9 < huge_jpg.size() && !(huge_jpg[sof] == 0xFF && huge_jpg[sof + 1] == 0xC0)) ++sof;
  ASSERT_LT(sof + 9, huge_jpg.size());
  for (size_t i : {5, 6, 7, 8}) huge_jpg[sof + i] = 0xEA;  // height and width 0xEAEA = 60138
  EXPECT_NE(read_err("huge.jpg", huge_jpg).find("60138x60138, over the limit"), std::string::npos);
}

TEST(Image, InvalidImagesAndTensorsAreRejected) {
  Image bad = pattern(4, 4, 3);
  bad.pixels.pop_back();
  EXPECT_NE(error_of([&] { encode_png(bad); }).find("expected 4x4x3"), std::string::npos);
  Image key = pattern(2, 2, 1);
  key.text = {{" lead", "v"}};
  EXPECT_NE(error_of([&] { encode_png(key); }).find("PNG text key \" lead\""), std::string::npos);
  key.text = {{"k", std::string("a\0b", 3)}};
  EXPECT_NE(error_of([&] { encode_png(key); }).find("NUL"), std::string::npos);
  test::TempDir dir;
  std::string unwritable = (dir / "no-such-dir" / "x.png").string();
  EXPECT_NE(error_of([&] { write_png(unwritable, pattern(2, 2, 3)); }).find(unwritable), std::string::npos);
  std::string unwritable_jpg = (dir / "no-such-dir" / "x.jpg").string();
  EXPECT_NE(error_of([&] { write_image(unwritable_jpg, pattern(2, 2, 3)); }).find(unwritable_jpg), std::string::npos);
  EXPECT_NE(error_of([&] { encode_jpeg(bad); }).find("expected 4x4x3"), std::string::npos);
  EXPECT_NE(error_of([] { encode_jpeg(pattern(2, 2, 3), 0); }).find("quality must be in 1..100"), std::string::npos);
  EXPECT_NE(error_of([] { encode_jpeg(pattern(2, 2, 3), 101); }).find("quality must be in 1..100"),
            std::string::npos);
  Image five = pattern(2, 2, 3);
  five.channels = 5;
  EXPECT_NE(error_of([&] { encode_jpeg(five); }).find("5 channels"), std::string::npos);
  Image jkey = pattern(2, 2, 3);
  jkey.text = {{"bad  key", "v"}};
  EXPECT_NE(error_of([&] { encode_jpeg(jkey); }).find("JPEG text key \"bad  key\""), std::string::npos);
  jkey.text = {{"long", std::string(70000, 'x')}};
  EXPECT_NE(error_of([&] { encode_jpeg(jkey); }).find("JPEG comment \"long\" is over"), std::string::npos);
  Image wide;
  wide.width = 70000;
  wide.height = 1;
  wide.channels = 1;
  wide.pixels.assign(70000, 0);
  EXPECT_NE(error_of([&] { encode_jpeg(wide); }).find("at most 65500 pixels"), std::string::npos);

  EXPECT_NE(error_of([] { tensor_to_image(at::zeros({1, 4, 8, 8})); }).find("[1, 4, 8, 8]"), std::string::npos);
  EXPECT_NE(error_of([] { tensor_to_image(at::zeros({2, 3, 8, 8})); }).find("[2, 3, 8, 8]"), std::string::npos);
  at::Tensor nan = at::zeros({3, 2, 2});
  nan[1][1][1] = NAN;
  EXPECT_NE(error_of([&] { tensor_to_image(nan); }).find("NaN"), std::string::npos);
}

}  // namespace
}  // namespace easel::io
