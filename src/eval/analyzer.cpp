#include "eval/analyzer.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "util/error.h"
#include "world/render.h"

namespace easel::eval {
namespace {

using world::Color;
using world::Shape;

struct Pixels {
  int w = 0, h = 0;
  std::vector<float> rgb;  // HWC, 0..255
  const float* at(int i) const { return &rgb[3 * static_cast<size_t>(i)]; }
};

// Box-filter downscale by the smallest integer factor that brings the width to at most `target`.
Pixels load(const uint8_t* src, int w, int h, int target) {
  int k = std::max(1, (std::max(w, h) + target - 1) / target);
  Pixels p;
  p.w = w / k, p.h = h / k;
  p.rgb.assign(static_cast<size_t>(p.w) * p.h * 3, 0.0f);
  const float inv = 1.0f / (k * k);
  for (int y = 0; y < p.h; ++y)
    for (int x = 0; x < p.w; ++x)
      for (int c = 0; c < 3; ++c) {
        float s = 0;
        for (int j = 0; j < k; ++j)
          for (int i = 0; i < k; ++i) s += src[3 * ((static_cast<size_t>(y) * k + j) * w + x * k + i) + c];
        p.rgb[3 * (static_cast<size_t>(y) * p.w + x) + c] = s * inv;
      }
  return p;
}

// Fraction of the way from `bg` toward `fg` that `p` lies, projected in RGB and clamped to [0, 1].
float mix_of(const float* p, const world::Rgb& bg, const world::Rgb& fg) {
  float dr = fg.r - bg.r, dg = fg.g - bg.g, db = fg.b - bg.b;
  float t = ((p[0] - bg.r) * dr + (p[1] - bg.g) * dg + (p[2] - bg.b) * db) / (dr * dr + dg * dg + db * db);
  return std::clamp(t, 0.0f, 1.0f);
}
// Squared RGB distance from p to the nearest mix of bg and fg.
float mix_residual(const float* p, const world::Rgb& bg, const world::Rgb& fg) {
  float t = mix_of(p, bg, fg);
  float r = p[0] - (bg.r + t * (fg.r - bg.r)), g = p[1] - (bg.g + t * (fg.g - bg.g)),
        b = p[2] - (bg.b + t * (fg.b - bg.b));
  return r * r + g * g + b * b;
}

// 8-connected components of the pixels in `member` (value `want`); returns the pixel lists.
std::vector<std::vector<int>> components(const std::vector<int>& member, int want, int w, int h) {
  std::vector<std::vector<int>> out;
  std::vector<char> seen(member.size(), 0);
  std::vector<int> stack;
  for (int start = 0; start < w * h; ++start) {
    if (member[start] != want || seen[start]) continue;
    std::vector<int> blob;
    stack.assign(1, start);
    seen[start] = 1;
    while (!stack.empty()) {
      int i = stack.back();
      stack.pop_back();
      blob.push_back(i);
      int x = i % w, y = i / w;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          int n = ny * w + nx;
          if (member[n] == want && !seen[n]) seen[n] = 1, stack.push_back(n);
        }
    }
    out.push_back(std::move(blob));
  }
  return out;
}

// The named colors of a blob's core (its pixels farthest from the background), most common first.
std::vector<std::pair<int, Color>> core_votes(const Pixels& px, const std::vector<float>& de,
                                              const std::vector<int>& blob) {
  float peak = 0;
  for (int i : blob) peak = std::max(peak, de[i]);
  std::array<int, world::kNumColors> votes{};
  for (int i : blob)
    if (de[i] >= 0.7f * peak) ++votes[static_cast<int>(world::nearest_color(px.at(i)[0], px.at(i)[1], px.at(i)[2]))];
  std::vector<std::pair<int, Color>> out;
  for (int c = 0; c < world::kNumColors; ++c)
    if (votes[c] > 0) out.push_back({votes[c], Color(c)});
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.first > b.first; });
  return out;
}

struct Fit {
  Shape shape;
  float radius_px, rotation, error;
};

// Least-squares fit of every shape's rendered coverage to the coverage map `a` (over the box x0..x1, y0..y1).
std::vector<Fit> fit_shapes(const std::vector<float>& a, int w, int x0, int y0, int x1, int y1, float cx, float cy,
                            float area) {
  static const float kRotations[] = {-0.2618f, -0.1745f, -0.0873f, 0.0f, 0.0873f, 0.1745f, 0.2618f};
  static const float kScales[] = {0.94f, 1.0f, 1.06f};
  std::vector<Fit> fits;
  for (int s = 0; s < world::kNumShapes; ++s) {
    Shape shape = Shape(s);
    float r0 = std::sqrt(area / world::unit_area(shape));
    Fit best{shape, r0, 0.0f, INFINITY};
    for (float scale : kScales) {
      float r = r0 * scale;
      for (float rot : kRotations) {
        float cos_t = std::cos(rot), sin_t = std::sin(rot), err = 0;
        for (int y = y0; y <= y1 && err < best.error * area; ++y)
          for (int x = x0; x <= x1; ++x) {
            // The renderer's mapping (world/render.cpp): pixel center to the unit frame, y up, rotated back.
            float u = (x + 0.5f - cx) / r, v = (cy - (y + 0.5f)) / r;
            float lx = cos_t * u + sin_t * v, ly = -sin_t * u + cos_t * v;
            float cover = std::clamp(0.5f - world::shape_distance(shape, lx, ly) * r, 0.0f, 1.0f);
            float d = a[static_cast<size_t>(y) * w + x] - cover;
            err += d * d;
          }
        err /= area;
        if (err < best.error) best = {shape, r, rot, err};
      }
    }
    fits.push_back(best);
  }
  std::sort(fits.begin(), fits.end(), [](const Fit& p, const Fit& q) { return p.error < q.error; });
  return fits;
}

}  // namespace

world::Scene Analysis::scene() const {
  world::Scene s;
  s.background = background;
  for (const auto& d : objects) s.objects.push_back(d.object);
  return s;
}

Analysis analyze(const uint8_t* rgb, int width, int height) {
  check(width > 0 && height > 0 && rgb != nullptr, "analyze: empty image");
  Pixels px = load(rgb, width, height, kAnalysisSize);
  const int w = px.w, h = px.h, n = w * h;
  Analysis out;

  // 1. Background: the most common named color along the border.
  std::array<int, world::kNumColors> border{};
  auto vote_border = [&](int x, int y) {
    const float* p = px.at(y * w + x);
    ++border[static_cast<int>(world::nearest_color(p[0], p[1], p[2]))];
  };
  for (int x = 0; x < w; ++x) vote_border(x, 0), vote_border(x, h - 1);
  for (int y = 1; y + 1 < h; ++y) vote_border(0, y), vote_border(w - 1, y);
  out.background = Color(std::max_element(border.begin(), border.end()) - border.begin());
  const world::Rgb bg = world::rgb(out.background);
  const world::Lab bg_lab = world::to_lab(out.background);

  // 2. Foreground blobs.
  std::vector<float> de(n);
  std::vector<int> label(n, -1);
  for (int i = 0; i < n; ++i) {
    de[i] = world::delta_e(world::to_lab(px.at(i)[0], px.at(i)[1], px.at(i)[2]), bg_lab);
    if (de[i] > kForegroundDeltaE) label[i] = 0;
  }
  float min_unit = INFINITY;
  for (int s = 0; s < world::kNumShapes; ++s) min_unit = std::min(min_unit, world::unit_area(Shape(s)));
  const float small_r = world::radius_range(world::Size::Small).min * w;
  const size_t min_pixels = static_cast<size_t>(std::max(2.0f, 0.3f * min_unit * small_r * small_r));

  struct Blob {
    std::vector<int> pixels;
    Color color;
  };
  std::vector<Blob> blobs;
  for (auto& comp : components(label, 0, w, h)) {
    if (comp.size() < min_pixels) continue;
    auto votes = core_votes(px, de, comp);
    // A blob whose core is nearest to the background's own colour is noise or shading, not an object, and that
    // colour has no background-to-object direction to measure coverage along (mix_of would divide by zero).
    if (votes.empty() || votes[0].second == out.background) continue;
    votes.erase(std::remove_if(votes.begin(), votes.end(), [&](const auto& v) { return v.second == out.background; }),
                votes.end());
    if (votes.size() >= 2 && votes[1].first * 4 >= votes[0].first + votes[1].first) {
      // Two objects of different colors touch: give each pixel to the color it is a mix of.
      const world::Rgb c0 = world::rgb(votes[0].second), c1 = world::rgb(votes[1].second);
      std::vector<int> part(n, -1);
      for (int i : comp) part[i] = mix_residual(px.at(i), bg, c0) <= mix_residual(px.at(i), bg, c1) ? 0 : 1;
      for (int k = 0; k < 2; ++k)
        for (auto& sub : components(part, k, w, h))
          if (sub.size() >= min_pixels) blobs.push_back({std::move(sub), k == 0 ? votes[0].second : votes[1].second});
      continue;
    }
    blobs.push_back({std::move(comp), votes[0].second});
  }
  std::vector<int> owner(n, -1);
  for (size_t b = 0; b < blobs.size(); ++b)
    for (int i : blobs[b].pixels) owner[i] = static_cast<int>(b);

  // 3-4. Per blob: coverage map, centroid, area, shape fit.
  std::vector<float> a(n, 0.0f);
  for (size_t b = 0; b < blobs.size(); ++b) {
    const world::Rgb fg = world::rgb(blobs[b].color);
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int i : blobs[b].pixels)
      x0 = std::min(x0, i % w), x1 = std::max(x1, i % w), y0 = std::min(y0, i / w), y1 = std::max(y1, i / w);
    x0 = std::max(0, x0 - 3), y0 = std::max(0, y0 - 3), x1 = std::min(w - 1, x1 + 3), y1 = std::min(h - 1, y1 + 3);
    double area = 0, sx = 0, sy = 0;
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        int i = y * w + x;
        float v = (owner[i] == -1 || owner[i] == static_cast<int>(b)) ? mix_of(px.at(i), bg, fg) : 0.0f;
        a[i] = v;
        area += v, sx += v * (x + 0.5), sy += v * (y + 0.5);
      }
    if (!(area > 0)) continue;
    float cx = static_cast<float>(sx / area), cy = static_cast<float>(sy / area);
    auto fits = fit_shapes(a, w, x0, y0, x1, y1, cx, cy, static_cast<float>(area));
    Detection d;
    d.object.shape = fits[0].shape;
    d.object.color = blobs[b].color;
    d.object.cx = cx / w;
    d.object.cy = cy / h;
    d.object.radius = fits[0].radius_px / w;
    d.object.rotation = fits[0].rotation;
    d.object.size = world::size_of_radius(d.object.radius);
    d.fit_error = fits[0].error;
    d.runner_up = fits[1].error;
    d.pixels = static_cast<int>(blobs[b].pixels.size());
    out.objects.push_back(d);
  }
  return out;
}

}  // namespace easel::eval
