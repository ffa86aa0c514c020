// easel-mini (pipelines/unclip.h) as an eval Generator, two ways: its generations of a prompt, and its
// variations of the prompt's world render (DALL-E 2's variations: the render's CLIP image embedding decoded anew,
// with no caption), so the judge can check that a variation keeps the scene (`easel eval --variations`).
#pragma once
#include <memory>

#include "eval/runner.h"
#include "pipelines/unclip.h"

namespace easel::eval {

// unclip_generate with the model's own settings (UnclipModel::settings): 128x128 images.
Generator unclip_generator(std::shared_ptr<pipelines::UnclipModel> model);

// Renders the prompt's scene at 128x128 (world_generator, seed as given) and returns n unclip_vary images of it.
Generator unclip_variation_generator(std::shared_ptr<pipelines::UnclipModel> model);

}  // namespace easel::eval
