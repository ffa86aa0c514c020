// Everything that determines a generated image. It is written into every PNG easel makes (two text chunks:
// `parameters` in the AUTOMATIC1111 layout that image viewers and other tools read, and `easel` as exact JSON),
// so `easel info image.png` can print it and `easel generate --from image.png` can make the same image again.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace easel::pipelines {

struct GenerationParams {
  std::string mode = "txt2img";  // txt2img | img2img | inpaint | outpaint | variation
  std::string prompt;
  std::string negative;
  int steps = 20;
  double cfg = 7.5;
  std::string sampler = "euler_a";
  std::string schedule = "discrete";
  double eta = 0.0;
  uint64_t seed = 42;
  int width = 512;
  int height = 512;
  int n = 1;              // batch size
  int batch_index = 0;    // which image of the batch this one is
  int clip_skip = 1;      // A1111 counting: 1 = all layers
  double guidance_rescale = 0.0;
  std::string long_prompt = "truncate";  // truncate | chunk
  std::string dtype = "fp32";
  double strength = 1.0;                 // img2img / inpaint
  std::string model;                     // model name as the user gave it
  std::string model_hash;                // first 10 hex digits of the weights' sha256, when known
  std::string stages;  // the built-in model's per-stage settings, a JSON object (pipelines/unclip.h); "" for SD

  nlohmann::json to_json() const;
  // Parameters read back from a PNG (--from) name the weights that made it; other weights make another image.
  // The warning to give when `hash` (of the model called `name`) is not the recorded one, or "" when it is or
  // none was recorded.
  std::string model_mismatch_warning(const std::string& name, const std::string& hash) const;
  // Reads what to_json wrote; keys that are absent keep their defaults, a wrong type throws easel::Error.
  static GenerationParams from_json(const nlohmann::json& j);

  // "prompt\nNegative prompt: ...\nSteps: 20, Sampler: euler_a, Schedule type: karras, CFG scale: 7.5, ..."
  std::string to_a1111() const;

  // The PNG text chunks to store: {"parameters", to_a1111()}, {"easel", to_json().dump()}.
  std::vector<std::pair<std::string, std::string>> to_png_text() const;
  // Finds the `easel` chunk among a PNG's text chunks; throws easel::Error (naming `source`) if there is none.
  static GenerationParams from_png_text(const std::vector<std::pair<std::string, std::string>>& text,
                                        const std::string& source);
};

}  // namespace easel::pipelines
