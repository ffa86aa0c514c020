// The files of easel-mini: one safetensors file per model (clip, prior, decoder, upsampler) holding its weights
// under the module's parameter names and, in the metadata, everything needed to build it: `easel.model`
// ("easel-mini-clip", ...), `config` (the model's config JSON), `scheduler` (its diffusion process, a diffusers
// scheduler config) and, for CLIP, `tokenizer` (the word list).
#pragma once
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

#include <map>
#include <string>

#include "io/state_dict.h"
#include "models/mini_clip.h"
#include "models/mini_decoder.h"
#include "models/mini_prior.h"
#include "models/mini_upsampler.h"
#include "text/word_tokenizer.h"

namespace easel::models {

// Reads path and checks its easel.model is "easel-mini-" + kind; throws easel::Error naming the file otherwise.
io::StateDict read_mini_file(const std::string& path, const std::string& kind);
nlohmann::json mini_metadata_json(const io::StateDict& file, const std::string& key, const std::string& path);

// Build each model from its file (weights converted to float32). The scheduler config is returned through
// `scheduler` when asked for.
MiniClip load_mini_clip(const std::string& path, text::WordTokenizer* tokenizer);
MiniPrior load_mini_prior(const std::string& path, nlohmann::json* scheduler = nullptr);
MiniDecoder load_mini_decoder(const std::string& path, nlohmann::json* scheduler = nullptr);
MiniUpsampler load_mini_upsampler(const std::string& path, nlohmann::json* scheduler = nullptr);

}  // namespace easel::models
