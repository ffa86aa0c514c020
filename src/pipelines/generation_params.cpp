#include "pipelines/generation_params.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "util/error.h"

namespace easel::pipelines {

using nlohmann::json;

json GenerationParams::to_json() const {
  json j{{"mode", mode},       {"prompt", prompt},         {"negative", negative},
              {"steps", steps},     {"cfg", cfg},               {"sampler", sampler},
              {"schedule", schedule}, {"eta", eta},             {"seed", seed},
              {"width", width},     {"height", height},         {"n", n},
              {"batch_index", batch_index}, {"clip_skip", clip_skip}, {"guidance_rescale", guidance_rescale},
              {"long_prompt", long_prompt}, {"dtype", dtype},   {"strength", strength},
              {"model", model},     {"model_hash", model_hash}};
  if (!stages.empty()) j["stages"] = json::parse(stages);
  return j;
}

std::string GenerationParams::model_mismatch_warning(const std::string& name, const std::string& hash) const {
  if (model_hash.empty() || model_hash == hash) return {};
  return "the parameters were recorded with model hash " + model_hash + "; " + name + " has hash " + hash +
         ", so the image will differ";
}

namespace {
template <typename T>
void read(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    throw Error(std::string("generation parameters: '") + key + "' has the wrong type: " + it->dump());
  }
}
}  // namespace

GenerationParams GenerationParams::from_json(const json& j) {
  if (!j.is_object()) throw Error("generation parameters: expected a JSON object");
  GenerationParams p;
  read(j, "mode", p.mode);
  read(j, "prompt", p.prompt);
  read(j, "negative", p.negative);
  read(j, "steps", p.steps);
  read(j, "cfg", p.cfg);
  read(j, "sampler", p.sampler);
  read(j, "schedule", p.schedule);
  read(j, "eta", p.eta);
  read(j, "seed", p.seed);
  read(j, "width", p.width);
  read(j, "height", p.height);
  read(j, "n", p.n);
  read(j, "batch_index", p.batch_index);
  read(j, "clip_skip", p.clip_skip);
  read(j, "guidance_rescale", p.guidance_rescale);
  read(j, "long_prompt", p.long_prompt);
  read(j, "dtype", p.dtype);
  read(j, "strength", p.strength);
  read(j, "model", p.model);
  read(j, "model_hash", p.model_hash);
  if (auto it = j.find("stages"); it != j.end()) {
    check(it->is_object(), "generation parameters: 'stages' has the wrong type: " + it->dump());
    p.stages = it->dump();
  }
  return p;
}

std::string GenerationParams::to_a1111() const {
  std::ostringstream s;
  s << prompt << "\n";
  if (!negative.empty()) s << "Negative prompt: " << negative << "\n";
  s << "Steps: " << steps << ", Sampler: " << sampler << ", Schedule type: " << schedule << ", CFG scale: " << cfg
    << ", Seed: " << seed << ", Size: " << width << "x" << height;
  if (!model_hash.empty()) s << ", Model hash: " << model_hash;
  if (!model.empty()) s << ", Model: " << model;
  if (mode != "txt2img") s << ", Denoising strength: " << strength;
  if (clip_skip > 1) s << ", Clip skip: " << clip_skip;
  if (eta != 0.0) s << ", Eta: " << eta;
  if (guidance_rescale != 0.0) s << ", Guidance rescale: " << guidance_rescale;
  if (n > 1) s << ", Batch size: " << n << ", Batch pos: " << batch_index;
  // The built-in model's decoder candidates (the full stage settings are in the "easel" chunk): a reader of this
  // line should know the image was the best of several.
  const nlohmann::json st = stages.empty() ? nlohmann::json() : nlohmann::json::parse(stages, nullptr, false);
  if (st.is_object() && st.contains("decoder") && st["decoder"].is_object()) {
    const nlohmann::json k = st["decoder"].value("candidates", nlohmann::json(1));
    if (k.is_number_integer() && k.get<int>() > 1) s << ", Decoder candidates: " << k.get<int>();
  }
  return s.str();
}

std::vector<std::pair<std::string, std::string>> GenerationParams::to_png_text() const {
  return {{"parameters", to_a1111()}, {"easel", to_json().dump()}};
}

GenerationParams GenerationParams::from_png_text(const std::vector<std::pair<std::string, std::string>>& text,
                                                 const std::string& source) {
  for (const auto& [key, value] : text) {
    if (key != "easel") continue;
    json j = json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw Error(source + ": the 'easel' text chunk is not valid JSON");
    try {
      return from_json(j);
    } catch (const Error& e) {
      throw Error(source + ": " + e.what());
    }
  }
  throw Error(source + ": no easel generation parameters in this image (it was not made by easel)");
}

}  // namespace easel::pipelines
