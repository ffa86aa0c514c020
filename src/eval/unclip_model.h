// easel-mini (pipelines/unclip.h) as an eval Generator, three ways: its generations of a prompt; its variations of
// the prompt's world render (DALL-E 2's variations: the render's CLIP image embedding decoded anew, with no
// caption), so the judge can check that a variation keeps the scene (`easel eval --variations`); and its decoder
// alone (`easel eval --decoder-only`).
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "eval/runner.h"
#include "io/image.h"
#include "pipelines/unclip.h"

namespace easel::eval {

// unclip_generate with the model's own settings (UnclipModel::settings): 128x128 images.
Generator unclip_generator(std::shared_ptr<pipelines::UnclipModel> model);

// How far variations move from their source, so that a variations score can be read beside it (a variation that
// copies its source keeps the scene trivially). Mean absolute difference in levels (0-255, over pixels and RGB),
// all images area-averaged to 32x32 first so that composition counts and the upsampler's texture does not:
// variation to its source; variation to the next variation of the same source (0 when they are all alike); and,
// for scale, the source to another world render of the same prompt (seed + 1: the same words, a new scene).
struct VariationChange {
  double to_source = 0, between = 0, other_render = 0;  // sums
  int variations = 0, pairs = 0, sources = 0;
  // Generator calls on several threads (RunOptions::jobs) add one at a time, in the order they finish: the means
  // may then differ from one job's in the last digits.
  std::mutex mutex;
  // (name, mean) for EvalReport::measures: "change_to_source", "change_between_variations",
  // "change_other_render" (levels); absent when nothing was measured.
  std::vector<std::pair<std::string, double>> measures() const;
};

// The distance VariationChange measures between two images: mean absolute difference in levels (0-255) after
// area-averaging both to 32x32 RGB.
double change_levels(const io::Image& a, const io::Image& b);

// Renders the prompt's scene at 128x128 (world_generator, seed as given) and returns n unclip_vary images of it;
// adds to *change (when given) how far they moved.
Generator unclip_variation_generator(std::shared_ptr<pipelines::UnclipModel> model,
                                     std::shared_ptr<VariationChange> change = nullptr);

// The decoder alone, as the prior and upsampler would leave it nothing to blame: the prompt's world render (128x128,
// seed as given) gives its true CLIP image embedding, the prompt is the caption, and n images are decoded at the
// decoder's size (32x32) from fresh noise (whatever the model's variation settings) with the model's own decoder
// settings and no upsampler.
Generator unclip_decoder_generator(std::shared_ptr<pipelines::UnclipModel> model);

}  // namespace easel::eval
