#include "eval/degrade.h"

#include <algorithm>
#include <cmath>

#include "world/rng.h"

namespace easel::eval {
namespace {

uint8_t to_byte(float v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); }

std::vector<uint8_t> blur(const std::vector<uint8_t>& src, int n, float sigma) {
  int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<float> k(2 * radius + 1);
  float sum = 0;
  for (int i = -radius; i <= radius; ++i) sum += k[i + radius] = std::exp(-0.5f * i * i / (sigma * sigma));
  for (float& v : k) v /= sum;
  std::vector<float> tmp(src.size());
  std::vector<uint8_t> out(src.size());
  auto clampi = [n](int v) { return std::clamp(v, 0, n - 1); };
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      for (int c = 0; c < 3; ++c) {
        float s = 0;
        for (int i = -radius; i <= radius; ++i) s += k[i + radius] * src[3 * (y * n + clampi(x + i)) + c];
        tmp[3 * (y * n + x) + c] = s;
      }
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      for (int c = 0; c < 3; ++c) {
        float s = 0;
        for (int i = -radius; i <= radius; ++i) s += k[i + radius] * tmp[3 * (clampi(y + i) * n + x) + c];
        out[3 * (y * n + x) + c] = to_byte(s);
      }
  return out;
}

// Standard normal draw (Box-Muller) from the world's portable generator.
float gaussian(world::Rng& rng) {
  float u = std::max(rng.unit(), 1e-7f), v = rng.unit();
  return std::sqrt(-2.0f * std::log(u)) * std::cos(2.0f * static_cast<float>(M_PI) * v);
}

// JPEG's baseline quantization (ITU-T T.81 Annex K.1 luminance table, scaled to quality 50 = as is) applied to
// every 8x8 block of every channel, with noise added after.
std::vector<uint8_t> jpeg_noise(const std::vector<uint8_t>& src, int n, world::Rng& rng) {
  static const int q[64] = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                            14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                            18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                            49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
  float basis[8][8];
  for (int u = 0; u < 8; ++u)
    for (int x = 0; x < 8; ++x)
      basis[u][x] = (u == 0 ? std::sqrt(0.125f) : 0.5f) * std::cos((2 * x + 1) * u * static_cast<float>(M_PI) / 16);
  std::vector<uint8_t> out(src);
  for (int by = 0; by < n; by += 8)
    for (int bx = 0; bx < n; bx += 8)
      for (int c = 0; c < 3; ++c) {
        float block[8][8], coef[8][8];
        for (int y = 0; y < 8; ++y)
          for (int x = 0; x < 8; ++x)
            block[y][x] = src[3 * (std::min(by + y, n - 1) * n + std::min(bx + x, n - 1)) + c] - 128.0f;
        for (int v = 0; v < 8; ++v)
          for (int u = 0; u < 8; ++u) {
            float s = 0;
            for (int y = 0; y < 8; ++y)
              for (int x = 0; x < 8; ++x) s += basis[v][y] * basis[u][x] * block[y][x];
            coef[v][u] = std::round(s / q[v * 8 + u]) * q[v * 8 + u];
          }
        for (int y = 0; y < 8 && by + y < n; ++y)
          for (int x = 0; x < 8 && bx + x < n; ++x) {
            float s = 0;
            for (int v = 0; v < 8; ++v)
              for (int u = 0; u < 8; ++u) s += basis[v][y] * basis[u][x] * coef[v][u];
            out[3 * ((by + y) * n + bx + x) + c] = to_byte(s + 128.0f + 3.0f * gaussian(rng));
          }
      }
  return out;
}

std::vector<uint8_t> shift(const std::vector<uint8_t>& src, int n, world::Rng& rng) {
  int scale = std::max(1, n / 64);
  int dx = rng.between(1, 3) * scale * (rng.chance(0.5f) ? 1 : -1);
  int dy = rng.between(1, 3) * scale * (rng.chance(0.5f) ? 1 : -1);
  std::vector<uint8_t> out(src.size());
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      int sx = std::clamp(x - dx, 0, n - 1), sy = std::clamp(y - dy, 0, n - 1);
      for (int c = 0; c < 3; ++c) out[3 * (y * n + x) + c] = src[3 * (sy * n + sx) + c];
    }
  return out;
}

std::vector<uint8_t> downscale(const std::vector<uint8_t>& src, int n, int target) {
  std::vector<uint8_t> out(static_cast<size_t>(target) * target * 3);
  for (int y = 0; y < target; ++y)
    for (int x = 0; x < target; ++x)
      for (int c = 0; c < 3; ++c) {
        // Exact box filter over the source area of each target pixel (fractional edges weighted).
        float x0 = static_cast<float>(x) * n / target, x1 = static_cast<float>(x + 1) * n / target;
        float y0 = static_cast<float>(y) * n / target, y1 = static_cast<float>(y + 1) * n / target;
        float s = 0, wsum = 0;
        for (int sy = static_cast<int>(y0); sy < static_cast<int>(std::ceil(y1)); ++sy)
          for (int sx = static_cast<int>(x0); sx < static_cast<int>(std::ceil(x1)); ++sx) {
            float wx = std::min<float>(sx + 1, x1) - std::max<float>(sx, x0);
            float wy = std::min<float>(sy + 1, y1) - std::max<float>(sy, y0);
            s += wx * wy * src[3 * (sy * n + sx) + c];
            wsum += wx * wy;
          }
        out[3 * (y * target + x) + c] = to_byte(s / wsum);
      }
  return out;
}

}  // namespace

const char* name(Degradation d) {
  switch (d) {
    case Degradation::Blur: return "blur";
    case Degradation::JpegNoise: return "jpeg+noise";
    case Degradation::Shift: return "shift";
    case Degradation::Downscale32: return "32x32";
  }
  return "?";
}

std::vector<uint8_t> degrade(const std::vector<uint8_t>& rgb, int size, Degradation d, uint64_t seed, int* out_size) {
  world::Rng rng(seed);
  *out_size = size;
  switch (d) {
    case Degradation::Blur: return blur(rgb, size, 0.8f * size / 64.0f);
    case Degradation::JpegNoise: return jpeg_noise(rgb, size, rng);
    case Degradation::Shift: return shift(rgb, size, rng);
    case Degradation::Downscale32: *out_size = 32; return downscale(rgb, size, 32);
  }
  return rgb;
}

}  // namespace easel::eval
