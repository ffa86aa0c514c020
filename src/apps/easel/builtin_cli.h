// The built-in model behind `easel generate` without --model (or --model easel-mini): easel-mini's unCLIP.
#pragma once
#include <string>
#include <vector>

#include "apps/easel/sd_cli.h"
#include "pipelines/unclip.h"

namespace easel::app {

// True for the names that mean the built-in model: "" (no --model), "easel-mini", "builtin".
bool is_builtin_model(const std::string& model);

// Settings of an easel-mini run from the generation flags: --steps, --cfg and --sampler set the decoder's when
// given (its own defaults otherwise); --size may be 128x128 (default) or 32x32 (no upsampler).
pipelines::UnclipSettings builtin_settings(const GenerationCli& g, const pipelines::GenerationParams& params);

// txt2img with the built-in model: n images of params.prompt, written like the SD commands' images. keep_index
// >= 0 keeps only that image of the batch (generate --from a batch image).
int generate_builtin(const GenerationCli& g, const pipelines::GenerationParams& params,
                     const std::vector<std::string>& paths, int keep_index);

}  // namespace easel::app
