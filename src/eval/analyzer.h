// Reads a shapes-world picture back into a Scene: the background color, and each object's color, shape, size,
// position and rotation. It is the eye of the prompt-adherence judge (judge.h), in the spirit of GenEval's
// detector (Ghosh et al. 2023), but exact for this world: shapes are recognized by fitting the world's own
// antialiased outlines (world/render.h) to each blob, so it works at any resolution down to 32x32 and
// tolerates blur and noise.
//
// Method, per image:
//  1. background = the most common named color on the image border;
//  2. foreground = pixels at least kForegroundDeltaE from the background in CIELAB; 8-connected blobs, tiny
//     ones (noise) dropped; a blob whose core holds two named colors is split between them;
//  3. each blob's color = the named color nearest to the mean of its core (its pixels farthest from the
//     background);
//  4. each blob's coverage map a = how far each pixel lies from the background toward the blob's color; its
//     centroid is the object center (world shapes are centered on their area centroid), and for every shape the
//     radius follows from the blob's area; the shape, rotation and a radius correction are then chosen by least
//     squares between a and the rendered coverage of each candidate.
#pragma once
#include <cstdint>
#include <vector>

#include "world/scene.h"

namespace easel::eval {

constexpr float kForegroundDeltaE = 18.0f;

struct Detection {
  world::Object object;   // center/radius normalized to the image width (square canvases)
  float fit_error = 0;    // mean squared coverage error of the best shape, per unit of blob area
  float runner_up = 0;    // the same for the second-best shape (a small gap means an uncertain shape)
  int pixels = 0;         // blob size in pixels
};

struct Analysis {
  world::Color background = world::kDefaultBackground;
  std::vector<Detection> objects;
  world::Scene scene() const;  // the detections as a Scene, for world::satisfies
};

// Analyzes an RGB image (HWC, 8-bit). Images wider than kAnalysisSize are area-downscaled first (the shapes
// are large enough that nothing is lost, and the cost stays flat). Throws easel::Error on an empty image.
constexpr int kAnalysisSize = 128;
Analysis analyze(const uint8_t* rgb, int width, int height);
inline Analysis analyze(const std::vector<uint8_t>& rgb, int width, int height) {
  return analyze(rgb.data(), width, height);
}

}  // namespace easel::eval
