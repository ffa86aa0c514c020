// easel-mini (pipelines/unclip.h) as an eval Generator, three ways: its generations of a prompt; its variations of
// the prompt's world render (DALL-E 2's variations: the render's CLIP image embedding decoded anew, with no
// caption), so the judge can check that a variation keeps the scene (`easel eval --variations`); and its decoder
// alone (`easel eval --decoder-only`).
#pragma once
#include <memory>

#include "eval/runner.h"
#include "pipelines/unclip.h"

namespace easel::eval {

// unclip_generate with the model's own settings (UnclipModel::settings): 128x128 images.
Generator unclip_generator(std::shared_ptr<pipelines::UnclipModel> model);

// Renders the prompt's scene at 128x128 (world_generator, seed as given) and returns n unclip_vary images of it.
Generator unclip_variation_generator(std::shared_ptr<pipelines::UnclipModel> model);

// The decoder alone, as the prior and upsampler would leave it nothing to blame: the prompt's world render (128x128,
// seed as given) gives its true CLIP image embedding, the prompt is the caption, and n images are decoded at the
// decoder's size (32x32) with the model's own decoder settings and no upsampler.
Generator unclip_decoder_generator(std::shared_ptr<pipelines::UnclipModel> model);

}  // namespace easel::eval
