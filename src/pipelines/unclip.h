// easel-mini, the built-in model: DALL-E 2's unCLIP in miniature (Ramesh et al. 2022). Text -> CLIP text
// embedding -> prior -> CLIP image embedding -> decoder (32x32) -> upsampler (128x128). Variations encode an
// image with CLIP's image encoder and decode new images from that embedding.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "io/image.h"
#include "pipelines/generation_params.h"
#include "pipelines/unclip_stages.h"

namespace easel::pipelines {

struct UnclipSettings {
  PriorSettings prior;
  DecoderSettings decoder;
  UpsamplerSettings upsampler;
  bool upsample = true;  // false: return the decoder's 32x32 images
};

// A model folder's own sampling settings (its sampling.json): {"prior": {...}, "decoder": {...}, "upsampler":
// {...}} with the fields of PriorSettings, DecoderSettings and UpsamplerSettings by name; what is absent keeps the
// defaults above. Throws easel::Error naming the file for bad JSON, an unknown key or a value of the wrong type.
UnclipSettings read_unclip_settings(const std::string& path);
// The same object read from JSON already parsed; errors name `where`.
UnclipSettings unclip_settings_from_json(const nlohmann::json& j, const std::string& where);
// Every field of every stage, as sampling.json spells them (`upsample` is the image size's business): what each
// PNG records in GenerationParams::stages, so --from samples as the image was sampled whatever sampling.json says
// now.
nlohmann::json unclip_settings_to_json(const UnclipSettings& s);

struct UnclipModel {
  std::string dir;
  std::string hash;  // io::model_hash of dir: the four files' weights, recorded in every PNG
  text::WordTokenizer tokenizer;
  models::MiniClip clip{nullptr};
  models::MiniPrior prior{nullptr};
  models::MiniDecoder decoder{nullptr};
  models::MiniUpsampler upsampler{nullptr};
  sampling::NoiseConfig prior_noise, decoder_noise, upsampler_noise;
  UnclipSettings settings;  // how this model samples best: its sampling.json, or the defaults without one
};

// Loads clip.safetensors, prior.safetensors, decoder.safetensors and upsampler.safetensors from dir, and
// sampling.json when it is there.
UnclipModel load_unclip(const std::string& dir);

// Where the built-in model lives: $EASEL_MODEL_DIR, else models/easel-mini next to or above the executable
// (build tree and install tree alike). Throws easel::Error saying where it looked when none is found.
std::string builtin_model_dir();

struct UnclipOutput {
  std::vector<io::Image> images;          // each with its GenerationParams in the PNG text
  std::vector<std::string> unknown_words;  // prompt words the model's vocabulary lacks
  // Wall-clock seconds of each stage in order: "text", "prior" (generate only), "decoder", "upsampler" (when
  // upsampling), "png" (parameters and tensor-to-image conversion).
  std::vector<std::pair<std::string, double>> stage_seconds;
};

// n images of `prompt` as one batch, reproducible by seed. on_step reports (done, total) model evaluations
// over all stages.
UnclipOutput unclip_generate(UnclipModel& model, const std::string& prompt, int n, uint64_t seed,
                             const UnclipSettings& settings, const StepCallback& on_step = {});

// n variations of `image` (any size; RGB or gray): its CLIP image embedding decoded n times. caption (may be
// empty) conditions the decoder's text tokens as in the paper's variations; the decoder's candidates, if it draws
// several, are ranked against it, or against the image's own embedding when it is empty.
UnclipOutput unclip_vary(UnclipModel& model, const io::Image& image, const std::string& caption, int n,
                         uint64_t seed, const UnclipSettings& settings, const StepCallback& on_step = {});

}  // namespace easel::pipelines
