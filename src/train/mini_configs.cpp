#include "train/mini_configs.h"

#include "util/error.h"

namespace easel::train {

nlohmann::json default_clip_config(int64_t vocab_size, int64_t max_length) {
  nlohmann::json text = {{"architectures", {"CLIPTextModelWithProjection"}},
                         {"vocab_size", vocab_size},
                         {"hidden_size", 128},
                         {"intermediate_size", 512},
                         {"num_hidden_layers", 3},
                         {"num_attention_heads", 4},
                         {"max_position_embeddings", max_length},
                         {"hidden_act", "gelu"},
                         {"eos_token_id", 3},  // WordTokenizer::kEos: pool at the first <eos>
                         {"projection_dim", 128}};
  return {{"text", text}, {"image_size", 32}, {"image_channels", {32, 64, 128, 128}}, {"embed_dim", 128}};
}

nlohmann::json default_prior_config(int64_t max_length) {
  return {{"embed_dim", 128}, {"text_hidden", 128}, {"max_length", max_length},
          {"width", 256},     {"layers", 4},        {"heads", 4}};
}

// Attention (self and cross, over the caption and the 4 image-embedding tokens) only at 8x8 and in the middle
// block; the 16x16 and 32x32 levels see the image embedding through the timestep embedding. bench_train: 5.5x the
// training throughput of [64,128,128] with attention at 16x16 too (40 vs 7.2 items/s, bf16, one thread).
nlohmann::json default_decoder_config() {
  nlohmann::json unet = {{"in_channels", 3},
                         {"out_channels", 3},
                         {"block_out_channels", {32, 64, 128}},
                         {"down_block_types", {"DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"}},
                         {"up_block_types", {"CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D"}},
                         {"layers_per_block", 1},
                         {"attention_head_dim", 4},
                         {"cross_attention_dim", 128},
                         {"class_embed_type", "identity"},
                         {"sample_size", 32}};
  return {{"unet", unet}, {"embed_dim", 128}, {"text_hidden", 128}, {"context_tokens", 4}, {"image_size", 32}};
}

nlohmann::json default_upsampler_config() {
  nlohmann::json unet = {{"in_channels", 6},
                         {"out_channels", 3},
                         {"block_out_channels", {32, 64, 64}},
                         {"down_block_types", {"DownBlock2D", "DownBlock2D", "DownBlock2D"}},
                         {"up_block_types", {"UpBlock2D", "UpBlock2D", "UpBlock2D"}},
                         {"layers_per_block", 1},
                         {"mid_block_type", "UNetMidBlock2D"},
                         {"attention_head_dim", 1},
                         {"cross_attention_dim", 1},
                         {"sample_size", 128}};
  return {{"unet", unet}, {"scale", 4}};
}

nlohmann::json parse_config_patch(const std::string& patch) {
  nlohmann::json p = nlohmann::json::parse(patch, nullptr, /*allow_exceptions=*/false);
  check(p.is_object(), "--config: not a JSON object: " + patch);
  return p;
}

nlohmann::json patched_config(const std::string& kind, const std::string& patch) {
  if (patch.empty()) return nullptr;
  const nlohmann::json p = parse_config_patch(patch);
  if (kind == "clip") return p;  // the task merges it: clip's default config depends on the vocabulary
  nlohmann::json c = kind == "decoder"     ? default_decoder_config()
                     : kind == "upsampler" ? default_upsampler_config()
                     : kind == "prior"     ? default_prior_config(32)
                                           : throw Error("--config applies to clip, prior, decoder and upsampler: " + kind);
  c.merge_patch(p);
  return c;
}

// Cosine "alpha bar" schedule (Nichol & Dhariwal 2021), as GLIDE and unCLIP use for their base models.
nlohmann::json prior_scheduler() {
  return {{"num_train_timesteps", 1000}, {"beta_schedule", "squaredcos_cap_v2"}, {"prediction_type", "sample"},
          {"clip_sample", false},        {"timestep_spacing", "trailing"}};
}
// The decoder and the upsampler predict v (Salimans & Ho 2022): trained to predict epsilon, both picked colours
// in their first, high-noise steps by guesswork (a yellow circle came out red, the upsampler washed a yellow
// background grey; models/easel-mini/MODEL_CARD.md).
nlohmann::json decoder_scheduler() {
  return {{"num_train_timesteps", 1000}, {"beta_schedule", "squaredcos_cap_v2"}, {"prediction_type", "v_prediction"},
          {"clip_sample", true},         {"timestep_spacing", "trailing"}};
}
nlohmann::json upsampler_scheduler() {
  return {{"num_train_timesteps", 1000}, {"beta_schedule", "linear"}, {"beta_start", 0.0001}, {"beta_end", 0.02},
          {"prediction_type", "v_prediction"}, {"clip_sample", true}, {"timestep_spacing", "trailing"}};
}

}  // namespace easel::train
