// Degradations that a judged image may suffer, to prove the analyzer robust (self_check.h): the kinds of damage a
// generated image shows compared with a clean render.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace easel::eval {

enum class Degradation {
  Blur,         // Gaussian blur, sigma 0.8 px at 64x64 (scaled with the size)
  JpegNoise,    // 8x8 DCT blocks quantized with the JPEG luminance table at quality 50, then Gaussian noise sigma 3
  Shift,        // translation by 1-3 px at 64x64 (scaled) in x and y, edges replicated
  Downscale32,  // box-filtered down to 32x32
};
constexpr int kNumDegradations = 4;
const char* name(Degradation d);

// Degrades a square RGB image (HWC, 8-bit, size x size); `seed` draws the noise and the shift. Returns the new
// image; its side is written to *out_size (only Downscale32 changes it).
std::vector<uint8_t> degrade(const std::vector<uint8_t>& rgb, int size, Degradation d, uint64_t seed, int* out_size);

}  // namespace easel::eval
