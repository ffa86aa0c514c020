// Antialiased rasterization of shapes-world scenes at any resolution.
//
// Each shape has an exact signed distance function (negative inside) in its unit frame: centered on the shape's
// area centroid, farthest point at distance 1, y UP. A pixel's coverage is clamp(0.5 - d, 0, 1) with d the signed
// distance from the pixel center in pixels: the fraction of the pixel a straight edge covers (a one-pixel box
// filter). No supersampling and no randomness: the same scene and size give the same bytes.
#pragma once
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "world/scene.h"

namespace easel::world {

// Signed distance from (x, y) to the outline of `shape` in its unit frame (y up), negative inside.
float shape_distance(Shape shape, float x, float y);

// Area of `shape` at radius 1 (pi for the circle). The analyzer can turn a blob's pixel area into a radius with it:
// radius = sqrt(area / unit_area(shape)) (the sizes of the shapes differ at equal radius: a star covers less).
float unit_area(Shape shape);

// Draws `scene` into `rgb`, size*size*3 bytes, row-major, RGB interleaved (HWC). size >= 1.
void render_into(const Scene& scene, int size, uint8_t* rgb);

// Draws `scene` into a new size*size RGB buffer (HWC). Throws easel::Error when size < 1 or size > 8192.
std::vector<uint8_t> render(const Scene& scene, int size);

// Draws every scene into one float tensor [N, 3, size, size] with values in [-1, 1] (byte / 255 * 2 - 1), the
// layout the diffusion models train on.
at::Tensor render_batch(const std::vector<Scene>& scenes, int size);

}  // namespace easel::world
