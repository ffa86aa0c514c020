// What `easel generate`, `easel img2img` and `easel edit` share: the generation options, loading the model,
// the progress bar, and writing the tagged PNGs (out.png, or out-0.png, out-1.png... for a batch).
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "io/image.h"
#include "pipelines/generation_params.h"
#include "pipelines/sd_pipeline.h"

namespace easel::app {

struct GenerationCli {
  pipelines::GenerationParams params;  // filled by the options (defaults where not given)
  std::string config, size, output = "out.png";  // --model is params.model
  bool overwrite = false, quiet = false;
  std::map<std::string, CLI::Option*> options;  // by name, to tell which flags were given

  bool given(const std::string& name) const;
  // params with every flag given on the command line copied over `base` (easel generate --from).
  pipelines::GenerationParams apply_given(pipelines::GenerationParams base) const;
};

// Adds the prompt and generation options shared by the SD commands; default_strength > 0 adds --strength.
void add_generation_options(CLI::App& sub, GenerationCli& g, double default_strength = 0);

// Throws the error for img2img / edit run without --model (the built-in model does neither).
[[noreturn]] void no_builtin_model();

// Parses --size WxH into params (leaves them alone when empty); throws easel::Error on a malformed value.
void apply_size(const std::string& size, pipelines::GenerationParams& params);

// The output paths for n images; throws easel::Error naming an existing file unless overwrite.
std::vector<std::string> output_paths(const std::string& output, int n, bool overwrite);

// Loads params.model (with --config and --dtype); width/height <= 0 become the UNet's native size.
pipelines::SDModel load_cli_model(const GenerationCli& g, pipelines::GenerationParams& params);

// UNet calls a run with params will make (all scheduled calls, or those left by params.strength).
int denoise_calls(const pipelines::SDModel& model, const pipelines::GenerationParams& params, bool uses_strength);

// Runs `generate` with a progress bar of `calls` steps on stderr, prints warnings, writes the images to `paths`
// and prints each path on stdout. Returns the exit code (0).
int generate_and_write(const GenerationCli& g, const std::vector<std::string>& paths, int calls,
                       const std::function<pipelines::GenerateResult(const pipelines::GenerateOptions&)>& generate);

}  // namespace easel::app
