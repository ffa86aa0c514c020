// The default sizes of easel-mini's four models and their diffusion processes: the one place that says how big
// the built-in model is. Sized for this project's 2-core CPU budget (MODEL_CARD.md has the numbers).
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace easel::train {

nlohmann::json default_clip_config(int64_t vocab_size, int64_t max_length);
nlohmann::json default_prior_config(int64_t max_length);
nlohmann::json default_decoder_config();
nlohmann::json default_upsampler_config();

// The default config of `kind` (prior, decoder or upsampler) with `patch`, a JSON merge patch (RFC 7396), applied:
// `{"unet": {"block_out_channels": [64, 128, 128]}}`. Null when `patch` is empty (the task's default). For clip,
// whose default depends on the vocabulary, the patch itself, which the task merges into its default. Throws
// easel::Error for an unknown kind and for a patch that is not a JSON object.
nlohmann::json patched_config(const std::string& kind, const std::string& patch);
// `patch` (--config's text) parsed; throws easel::Error when it is not a JSON object.
nlohmann::json parse_config_patch(const std::string& patch);

// diffusers scheduler configs of the three diffusion models.
nlohmann::json prior_scheduler();
nlohmann::json decoder_scheduler();
nlohmann::json upsampler_scheduler();

}  // namespace easel::train
