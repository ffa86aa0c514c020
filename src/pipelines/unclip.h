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

// How unclip_vary starts the decoder.
struct VariationSettings {
  // false: from fresh noise, the image embedding alone carrying the source. true: unCLIP's bipartite latent
  // (Ramesh et al. 2022, sec. 3.1): the source DDIM-inverted at the decoder's size under its embedding to x_T
  // (invert_decoder), and (z_i, x_T) decoded with DDIM at `eta` and `guidance`, with the decoder's steps and
  // candidates (its sampler and guidance settings are not used): eta 0 gives the source back, larger eta lets more
  // of it change. The inversion is unguided, so guidance above 1 moves the decoding off the inverted path.
  bool invert = false;
  double eta = 1.0;
  double guidance = 1.0;
  // Fixed-point refinements per inversion step (sampling/ddim_inversion.h): with 2, easel-mini decodes a world
  // render back at eta 0 within 1.5 levels (mean absolute, 0-255, at 32x32); with none, 10.9 and its colours
  // swapped.
  int refine = 2;
};

struct UnclipSettings {
  PriorSettings prior;
  DecoderSettings decoder;
  UpsamplerSettings upsampler;
  VariationSettings variation;
  bool upsample = true;  // false: return the decoder's 32x32 images
};

// A model folder's own sampling settings (its sampling.json): {"prior": {...}, "decoder": {...}, "upsampler":
// {...}, "variation": {...}} with the fields of PriorSettings, DecoderSettings, UpsamplerSettings and
// VariationSettings by name; what is absent keeps the
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
  std::string hash;  // io::model_hash of dir: its model files' weights (the ranker's too), recorded in every PNG
  text::WordTokenizer tokenizer;
  models::MiniClip clip{nullptr};
  models::MiniPrior prior{nullptr};
  models::MiniDecoder decoder{nullptr};
  models::MiniUpsampler upsampler{nullptr};
  // ranker.safetensors, where the folder has one: a second CLIP (with its own tokenizer) that ranks the decoder's
  // candidates in clip's place. The clip the prior and decoder were trained on is blind to relations and colour
  // bindings; a CLIP trained to see them can pick, among the candidates, the one that shows what was asked
  // (MODEL_CARD, twenty-fourth try). Null without one.
  models::MiniClip ranker{nullptr};
  text::WordTokenizer ranker_tokenizer;
  sampling::NoiseConfig prior_noise, decoder_noise, upsampler_noise;
  UnclipSettings settings;  // how this model samples best: its sampling.json, or the defaults without one
};

// Loads clip.safetensors, prior.safetensors, decoder.safetensors and upsampler.safetensors from dir, and
// ranker.safetensors and sampling.json when they are there.
UnclipModel load_unclip(const std::string& dir);

// Where the built-in model lives: $EASEL_MODEL_DIR, else models/easel-mini next to or above the executable
// (build tree and install tree alike). Throws easel::Error saying where it looked when none is found.
std::string builtin_model_dir();

struct UnclipOutput {
  std::vector<io::Image> images;          // each with its GenerationParams in the PNG text
  std::vector<std::string> unknown_words;  // prompt words the model's vocabulary lacks
  // Wall-clock seconds of each stage in order: "text", "prior" (generate only), "inversion" (inverted
  // variations only), "decoder", "upsampler" (when
  // upsampling), "png" (parameters and tensor-to-image conversion).
  std::vector<std::pair<std::string, double>> stage_seconds;
};

// n images of `prompt` as one batch, reproducible by seed. on_step reports (done, total) model evaluations
// over all stages.
UnclipOutput unclip_generate(UnclipModel& model, const std::string& prompt, int n, uint64_t seed,
                             const UnclipSettings& settings, const StepCallback& on_step = {});

// n variations of `image` (any size; RGB or gray): its CLIP image embedding decoded n times, from fresh noise or
// from the image's inverted latent (settings.variation). caption (may be empty) conditions the decoder's text
// tokens as in the paper's variations; the decoder's candidates, if it draws several, are ranked against it, or
// against the image's own embedding when it is empty.
UnclipOutput unclip_vary(UnclipModel& model, const io::Image& image, const std::string& caption, int n,
                         uint64_t seed, const UnclipSettings& settings, const StepCallback& on_step = {});

}  // namespace easel::pipelines
