#include "models/mini_files.h"

#include <torch/torch.h>

#include "io/model_family.h"
#include "io/safetensors.h"
#include "models/load.h"
#include "util/error.h"

namespace easel::models {

io::StateDict read_mini_file(const std::string& path, const std::string& kind) {
  io::StateDict sd = io::load_safetensors(path);
  auto it = sd.metadata.find(io::kEaselModelKey);
  const std::string want = "easel-mini-" + kind;
  check(it != sd.metadata.end() && it->second == want,
        path + ": not an " + want + " model file (easel.model is '" +
            (it == sd.metadata.end() ? std::string() : it->second) + "')");
  return sd;
}

nlohmann::json mini_metadata_json(const io::StateDict& file, const std::string& key, const std::string& path) {
  auto it = file.metadata.find(key);
  check(it != file.metadata.end(), path + ": metadata '" + key + "' is missing");
  try {
    return nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": metadata '" + key + "' is not valid JSON: " + e.what());
  }
}

namespace {
template <typename Module, typename Config>
Module build_and_load(const std::string& path, const std::string& kind, nlohmann::json* scheduler) {
  io::StateDict sd = read_mini_file(path, kind);
  Module m(Config::from_json(mini_metadata_json(sd, "config", path), path));
  load_weights(*m, sd, path);
  if (scheduler) *scheduler = mini_metadata_json(sd, "scheduler", path);
  m->eval();
  return m;
}
}  // namespace

MiniClip load_mini_clip(const std::string& path, text::WordTokenizer* tokenizer) {
  io::StateDict sd = read_mini_file(path, "clip");
  MiniClip m(MiniClipConfig::from_json(mini_metadata_json(sd, "config", path), path));
  load_weights(*m, sd, path);
  if (tokenizer) *tokenizer = text::WordTokenizer::from_json(mini_metadata_json(sd, "tokenizer", path), path);
  m->eval();
  return m;
}

MiniPrior load_mini_prior(const std::string& path, nlohmann::json* scheduler) {
  return build_and_load<MiniPrior, MiniPriorConfig>(path, "prior", scheduler);
}
MiniDecoder load_mini_decoder(const std::string& path, nlohmann::json* scheduler) {
  return build_and_load<MiniDecoder, MiniDecoderConfig>(path, "decoder", scheduler);
}
MiniUpsampler load_mini_upsampler(const std::string& path, nlohmann::json* scheduler) {
  return build_and_load<MiniUpsampler, MiniUpsamplerConfig>(path, "upsampler", scheduler);
}

}  // namespace easel::models
