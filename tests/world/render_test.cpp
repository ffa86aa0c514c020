#include "world/render.h"

#include <gtest/gtest.h>

#include <cmath>

#include "util/error.h"

using namespace easel::world;

namespace {

// One black object of radius `radius` centered on a white canvas.
Scene single(Shape shape, float radius, float rotation = 0.0f) {
  Scene s;
  s.background = Color::White;
  Object o;
  o.shape = shape;
  o.color = Color::Black;
  o.radius = radius;
  o.size = size_of_radius(radius);
  o.rotation = rotation;
  s.objects = {o};
  return s;
}

// Per-pixel coverage of a black-on-white render, read back from the red channel.
std::vector<double> coverage(const std::vector<uint8_t>& pixels) {
  const double white = rgb(Color::White).r, black = rgb(Color::Black).r;
  std::vector<double> c(pixels.size() / 3);
  for (size_t i = 0; i < c.size(); ++i) c[i] = (white - pixels[3 * i]) / (white - black);
  return c;
}

}  // namespace

TEST(WorldRender, UnitAreasMatchGeometry) {
  const double s3 = std::sqrt(3.0);
  EXPECT_NEAR(unit_area(Shape::Circle), M_PI, 0.01);
  EXPECT_NEAR(unit_area(Shape::Square), 2.0, 0.01);
  EXPECT_NEAR(unit_area(Shape::Triangle), 3 * s3 / 4, 0.01);
  EXPECT_NEAR(unit_area(Shape::Hexagon), 3 * s3 / 2, 0.01);
  EXPECT_NEAR(unit_area(Shape::Ring), M_PI * 0.75, 0.01);
  EXPECT_NEAR(unit_area(Shape::Diamond), 2 * 0.62, 0.01);
}

TEST(WorldRender, CoverageSumsToAreaCentroidIsCenterAndShapeStaysInsideRadius) {
  const int n = 256;
  const float radius = 0.3f;
  for (int s = 0; s < kNumShapes; ++s) {
    Shape shape = Shape(s);
    std::vector<double> c = coverage(render(single(shape, radius), n));
    double sum = 0, sx = 0, sy = 0, far = 0;
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        double w = c[y * n + x];
        sum += w, sx += w * (x + 0.5), sy += w * (y + 0.5);
        if (w > 0.01) far = std::max(far, std::hypot(x + 0.5 - n / 2.0, y + 0.5 - n / 2.0));
      }
    double r_px = radius * n;
    EXPECT_NEAR(sum / (unit_area(shape) * r_px * r_px), 1.0, 0.01) << name(shape);
    EXPECT_NEAR(sx / sum, n / 2.0, 0.01 * r_px) << name(shape) << " centroid x";
    EXPECT_NEAR(sy / sum, n / 2.0, 0.01 * r_px) << name(shape) << " centroid y";
    EXPECT_LE(far, r_px + 1.0) << name(shape);
    EXPECT_GE(far, r_px - 2.0) << name(shape) << " should reach its circumcircle";
  }
}

TEST(WorldRender, IsDeterministicAndAntialiased) {
  Scene s = single(Shape::Star, 0.2f, 0.1f);
  auto a = render(s, 64), b = render(s, 64);
  EXPECT_EQ(a, b);
  int partial = 0;
  for (double w : coverage(a)) partial += w > 0.02 && w < 0.98;
  EXPECT_GT(partial, 20);  // edge pixels get intermediate values
}

TEST(WorldRender, LowResolutionMatchesBoxDownsampledHighResolution) {
  Scene s = single(Shape::Heart, 0.22f, -0.2f);
  s.objects.push_back(s.objects[0]);
  s.objects[0].cx = 0.27f, s.objects[1].cx = 0.73f, s.objects[1].shape = Shape::Crescent;
  s.objects[1].color = Color::Blue;
  auto hi = render(s, 256), lo = render(s, 64);
  double total = 0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      for (int ch = 0; ch < 3; ++ch) {
        double avg = 0;
        for (int dy = 0; dy < 4; ++dy)
          for (int dx = 0; dx < 4; ++dx) avg += hi[3 * ((4 * y + dy) * 256 + 4 * x + dx) + ch];
        total += std::fabs(avg / 16 - lo[3 * (y * 64 + x) + ch]);
      }
  EXPECT_LT(total / (64 * 64 * 3), 1.5);  // mean absolute difference in 0..255 levels
}

TEST(WorldRender, RotationTurnsTheShape) {
  auto upright = render(single(Shape::Square, 0.3f), 64);
  auto turned = render(single(Shape::Square, 0.3f, kMaxRotation), 64);
  EXPECT_NE(upright, turned);
  // Counter-clockwise on screen: the top-right corner moves left, so the pixel just right of the top edge, near the
  // upright corner, is uncovered after turning.
  const int n = 64, corner_x = static_cast<int>((0.5 + 0.3 / std::sqrt(2.0)) * n) - 1;
  const int top_y = static_cast<int>((0.5 - 0.3 / std::sqrt(2.0)) * n) + 1;
  EXPECT_GT(coverage(upright)[top_y * n + corner_x], 0.9);
  EXPECT_LT(coverage(turned)[top_y * n + corner_x], 0.1);
}

TEST(WorldRender, BatchTensorMatchesBytes) {
  Scene s = single(Shape::Cross, 0.25f);
  s.background = Color::Yellow;
  auto bytes = render(s, 32);
  at::Tensor t = render_batch({s, s}, 32);
  ASSERT_EQ(t.sizes(), (at::IntArrayRef{2, 3, 32, 32}));
  EXPECT_GE(t.min().item<float>(), -1.0f);
  EXPECT_LE(t.max().item<float>(), 1.0f);
  for (int i : {0, 100, 555, 1023})
    for (int ch = 0; ch < 3; ++ch)
      EXPECT_FLOAT_EQ(t[1][ch][i / 32][i % 32].item<float>(), bytes[3 * i + ch] / 255.0f * 2 - 1);
}

TEST(WorldRender, RejectsBadSizes) {
  EXPECT_THROW(render(Scene{}, 0), easel::Error);
  EXPECT_THROW(render_batch({Scene{}}, -3), easel::Error);
}
