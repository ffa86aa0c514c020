#include "world/render.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "util/error.h"

namespace easel::world {
namespace {

struct Vec2 {
  float x, y;
};

// Exact signed distance to a closed simple polygon: the nearest edge gives |d|, the crossing parity of a
// horizontal ray gives the sign. Same method as Inigo Quilez's sdPolygon ("2D distance functions",
// iquilezles.org/articles/distfunctions2d).
float polygon_distance(const Vec2* v, int n, float px, float py) {
  float best = (px - v[0].x) * (px - v[0].x) + (py - v[0].y) * (py - v[0].y);
  bool inside = false;
  for (int i = 0, j = n - 1; i < n; j = i++) {
    float ex = v[j].x - v[i].x, ey = v[j].y - v[i].y;
    float wx = px - v[i].x, wy = py - v[i].y;
    float t = std::clamp((wx * ex + wy * ey) / (ex * ex + ey * ey), 0.0f, 1.0f);
    float bx = wx - ex * t, by = wy - ey * t;
    best = std::min(best, bx * bx + by * by);
    bool up = py >= v[i].y, down = py < v[j].y, left = ex * wy > ey * wx;
    if ((up && down && left) || (!up && !down && !left)) inside = !inside;
  }
  float d = std::sqrt(best);
  return inside ? -d : d;
}

// Vertices of `n` points at alternating radii r0, r1, ... starting at angle a0 (radians), counter-clockwise.
template <int N>
std::array<Vec2, N> radial_polygon(float a0, float r0, float r1) {
  std::array<Vec2, N> v{};
  for (int k = 0; k < N; ++k) {
    float a = a0 + 2.0f * static_cast<float>(M_PI) * k / N;
    float r = (k % 2 == 0) ? r0 : r1;
    v[k] = {r * std::cos(a), r * std::sin(a)};
  }
  return v;
}

const float kHalfPi = static_cast<float>(M_PI / 2);
const auto kSquare = radial_polygon<4>(static_cast<float>(M_PI / 4), 1.0f, 1.0f);
const auto kTriangle = radial_polygon<3>(kHalfPi, 1.0f, 1.0f);
const auto kStar = radial_polygon<10>(kHalfPi, 1.0f, 0.45f);
const auto kHexagon = radial_polygon<6>(0.0f, 1.0f, 1.0f);
const std::array<Vec2, 4> kDiamond = {{{0.0f, 1.0f}, {-0.62f, 0.0f}, {0.0f, -1.0f}, {0.62f, 0.0f}}};
// Plus sign: arms of half-thickness w reaching L, with the arm corners on the unit circle (w^2 + L^2 = 1).
const float kCrossW = 0.3f, kCrossL = std::sqrt(1.0f - kCrossW * kCrossW);
const std::array<Vec2, 12> kCross = {{{kCrossW, kCrossL},
                                      {-kCrossW, kCrossL},
                                      {-kCrossW, kCrossW},
                                      {-kCrossL, kCrossW},
                                      {-kCrossL, -kCrossW},
                                      {-kCrossW, -kCrossW},
                                      {-kCrossW, -kCrossL},
                                      {kCrossW, -kCrossL},
                                      {kCrossW, -kCrossW},
                                      {kCrossL, -kCrossW},
                                      {kCrossL, kCrossW},
                                      {kCrossW, kCrossW}}};

// Heart and crescent are first drawn in a raw frame, then moved so that their area centroid is the origin and
// scaled so that their farthest point is at distance 1 (see `Normalized`).
// Heart: a square standing on a corner (half-diagonal 1) with a disk on each of its two upper edges.
const std::array<Vec2, 4> kHeartSquare = {{{0.0f, -1.0f}, {1.0f, 0.0f}, {0.0f, 1.0f}, {-1.0f, 0.0f}}};
float raw_heart(float x, float y) {
  const float r = std::sqrt(0.5f);
  float lobe_l = std::hypot(x + 0.5f, y - 0.5f) - r, lobe_r = std::hypot(x - 0.5f, y - 0.5f) - r;
  return std::min({polygon_distance(kHeartSquare.data(), 4, x, y), lobe_l, lobe_r});
}
// Crescent: the unit disk minus a disk of radius 0.8 centered at (0.45, 0.12), horns to the right.
float raw_crescent(float x, float y) {
  return std::max(std::hypot(x, y) - 1.0f, 0.8f - std::hypot(x - 0.45f, y - 0.12f));
}

// The centroid and circumradius of a raw shape, measured on a fine grid over [-1.5, 1.5]^2 on first use.
struct Normalized {
  float cx = 0, cy = 0, scale = 1;  // unit frame p  ->  raw frame p * scale + (cx, cy)
  explicit Normalized(float (*raw)(float, float)) {
    const int n = 600;
    const float lo = -1.5f, step = 3.0f / n;
    double sx = 0, sy = 0;
    long count = 0;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        float x = lo + (i + 0.5f) * step, y = lo + (j + 0.5f) * step;
        if (raw(x, y) < 0) sx += x, sy += y, ++count;
      }
    cx = static_cast<float>(sx / count), cy = static_cast<float>(sy / count);
    float far = 0;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        float x = lo + (i + 0.5f) * step, y = lo + (j + 0.5f) * step;
        if (raw(x, y) < 0) far = std::max(far, std::hypot(x - cx, y - cy));
      }
    scale = far + step;  // a grid point lies within step/sqrt(2) of the true farthest point
  }
  float operator()(float (*raw)(float, float), float x, float y) const {
    return raw(x * scale + cx, y * scale + cy) / scale;
  }
};

float heart(float x, float y) {
  static const Normalized frame(raw_heart);
  return frame(raw_heart, x, y);
}
float crescent(float x, float y) {
  static const Normalized frame(raw_crescent);
  return frame(raw_crescent, x, y);
}

}  // namespace

float shape_distance(Shape shape, float x, float y) {
  switch (shape) {
    case Shape::Circle: return std::hypot(x, y) - 1.0f;
    case Shape::Square: return polygon_distance(kSquare.data(), 4, x, y);
    case Shape::Triangle: return polygon_distance(kTriangle.data(), 3, x, y);
    case Shape::Star: return polygon_distance(kStar.data(), 10, x, y);
    case Shape::Heart: return heart(x, y);
    case Shape::Diamond: return polygon_distance(kDiamond.data(), 4, x, y);
    case Shape::Hexagon: return polygon_distance(kHexagon.data(), 6, x, y);
    case Shape::Cross: return polygon_distance(kCross.data(), 12, x, y);
    case Shape::Ring: return std::fabs(std::hypot(x, y) - 0.75f) - 0.25f;
    case Shape::Crescent: return crescent(x, y);
  }
  return 1.0f;
}

float unit_area(Shape shape) {
  static const std::array<float, kNumShapes> areas = [] {
    std::array<float, kNumShapes> a{};
    const int n = 800;
    const float step = 2.0f / n;
    for (int s = 0; s < kNumShapes; ++s) {
      long inside = 0;
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
          inside += shape_distance(Shape(s), -1.0f + (i + 0.5f) * step, -1.0f + (j + 0.5f) * step) < 0;
      a[s] = inside * step * step;
    }
    return a;
  }();
  return areas[static_cast<int>(shape)];
}

void render_into(const Scene& scene, int size, uint8_t* rgb) {
  Rgb bg = world::rgb(scene.background);
  for (int i = 0; i < size * size; ++i) rgb[3 * i] = bg.r, rgb[3 * i + 1] = bg.g, rgb[3 * i + 2] = bg.b;
  const float fsize = static_cast<float>(size);
  for (const Object& o : scene.objects) {
    const Rgb c = world::rgb(o.color);
    const float r_px = o.radius * fsize, cx_px = o.cx * fsize, cy_px = o.cy * fsize;
    const float cos_t = std::cos(o.rotation), sin_t = std::sin(o.rotation);
    // Pixels farther than r + 1 from the center are uncovered: visit only the bounding box of that disk.
    int x0 = std::max(0, static_cast<int>(std::floor(cx_px - r_px - 1)));
    int x1 = std::min(size - 1, static_cast<int>(std::ceil(cx_px + r_px + 1)));
    int y0 = std::max(0, static_cast<int>(std::floor(cy_px - r_px - 1)));
    int y1 = std::min(size - 1, static_cast<int>(std::ceil(cy_px + r_px + 1)));
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        // Pixel center in the unit frame: y flipped up, then rotated by -rotation.
        float u = (x + 0.5f - cx_px) / r_px, v = (cy_px - (y + 0.5f)) / r_px;
        float lx = cos_t * u + sin_t * v, ly = -sin_t * u + cos_t * v;
        float cover = std::clamp(0.5f - shape_distance(o.shape, lx, ly) * r_px, 0.0f, 1.0f);
        if (cover <= 0.0f) continue;
        uint8_t* p = rgb + 3 * (static_cast<size_t>(y) * size + x);
        p[0] = static_cast<uint8_t>(std::lround(p[0] + (c.r - p[0]) * cover));
        p[1] = static_cast<uint8_t>(std::lround(p[1] + (c.g - p[1]) * cover));
        p[2] = static_cast<uint8_t>(std::lround(p[2] + (c.b - p[2]) * cover));
      }
    }
  }
}

std::vector<uint8_t> render(const Scene& scene, int size) {
  check(size >= 1 && size <= 8192, "render: image size " + std::to_string(size) + " is outside 1..8192");
  std::vector<uint8_t> rgb(static_cast<size_t>(size) * size * 3);
  render_into(scene, size, rgb.data());
  return rgb;
}

at::Tensor render_batch(const std::vector<Scene>& scenes, int size) {
  check(size >= 1 && size <= 8192, "render_batch: image size " + std::to_string(size) + " is outside 1..8192");
  const int64_t n = static_cast<int64_t>(scenes.size());
  at::Tensor bytes = at::empty({n, size, size, 3}, at::kByte);
  for (int64_t i = 0; i < n; ++i) render_into(scenes[i], size, bytes[i].data_ptr<uint8_t>());
  // x = u8 / 255 * 2 - 1 in float32, the same arithmetic as io::image_to_tensor.
  return bytes.permute({0, 3, 1, 2}).to(at::kFloat).div_(255).mul_(2).sub_(1).contiguous();
}

}  // namespace easel::world
