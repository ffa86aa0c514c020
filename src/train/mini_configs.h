// The default sizes of easel-mini's four models and their diffusion processes: the one place that says how big
// the built-in model is. Sized for this project's 2-core CPU budget (MODEL_CARD.md has the numbers).
#pragma once
#include <nlohmann/json.hpp>

namespace easel::train {

nlohmann::json default_clip_config(int64_t vocab_size, int64_t max_length);
nlohmann::json default_prior_config(int64_t max_length);
nlohmann::json default_decoder_config();
nlohmann::json default_upsampler_config();

// diffusers scheduler configs of the three diffusion models.
nlohmann::json prior_scheduler();
nlohmann::json decoder_scheduler();
nlohmann::json upsampler_scheduler();

}  // namespace easel::train
