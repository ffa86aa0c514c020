// The built-in model behind `easel generate` without --model (or --model easel-mini): easel-mini's unCLIP.
#pragma once
#include <string>
#include <vector>

#include "apps/easel/sd_cli.h"
#include "pipelines/unclip.h"

namespace easel::app {

// True when --model means easel-mini: the built-in model's names "" (no --model), "easel-mini", "builtin", or a
// folder holding an easel-mini model (decoder.safetensors and its siblings, as `easel train`/`export` make them).
bool is_builtin_model(const std::string& model);
// The folder of the easel-mini model that `model` names (pipelines::builtin_model_dir() for the names).
std::string mini_model_dir(const std::string& model);

// Settings of an easel-mini run: the model's own (`base`, UnclipModel::settings) with the generation flags over
// them: --steps, --cfg and --sampler set the decoder's when given; --size may be 128x128 (default) or 32x32 (no
// upsampler).
pipelines::UnclipSettings builtin_settings(const GenerationCli& g, const pipelines::GenerationParams& params,
                                           pipelines::UnclipSettings base);

// txt2img with the built-in model: n images of params.prompt, written like the SD commands' images. keep_index
// >= 0 keeps only that image of the batch (generate --from a batch image).
int generate_builtin(const GenerationCli& g, const pipelines::GenerationParams& params,
                     const std::vector<std::string>& paths, int keep_index);

}  // namespace easel::app
