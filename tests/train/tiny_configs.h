// Tiny versions of easel-mini's four models, small enough to train a few steps in a test.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "train/trainer.h"

namespace easel::test {

inline nlohmann::json tiny_clip_config(int64_t vocab_size, int64_t max_length) {
  nlohmann::json text = {{"architectures", {"CLIPTextModelWithProjection"}}, {"vocab_size", vocab_size},
                         {"hidden_size", 32}, {"intermediate_size", 64}, {"num_hidden_layers", 1},
                         {"num_attention_heads", 2}, {"max_position_embeddings", max_length},
                         {"hidden_act", "gelu"}, {"eos_token_id", 3}, {"projection_dim", 32}};
  return {{"text", text}, {"image_size", 16}, {"image_channels", {32, 32}}, {"embed_dim", 32}};
}

inline nlohmann::json tiny_prior_config(int64_t max_length) {
  return {{"embed_dim", 32}, {"text_hidden", 32}, {"max_length", max_length}, {"width", 64}, {"layers", 1}, {"heads", 2}};
}

inline nlohmann::json tiny_decoder_config() {
  nlohmann::json unet = {{"in_channels", 3}, {"out_channels", 3}, {"block_out_channels", {32, 32}},
                         {"down_block_types", {"DownBlock2D", "CrossAttnDownBlock2D"}},
                         {"up_block_types", {"CrossAttnUpBlock2D", "UpBlock2D"}}, {"layers_per_block", 1},
                         {"attention_head_dim", 2}, {"cross_attention_dim", 32}, {"class_embed_type", "identity"}};
  return {{"unet", unet}, {"embed_dim", 32}, {"text_hidden", 32}, {"context_tokens", 4}, {"image_size", 16}};
}

inline nlohmann::json tiny_upsampler_config() {
  nlohmann::json unet = {{"in_channels", 6}, {"out_channels", 3}, {"block_out_channels", {32, 32}},
                         {"down_block_types", {"DownBlock2D", "DownBlock2D"}},
                         {"up_block_types", {"UpBlock2D", "UpBlock2D"}}, {"layers_per_block", 1},
                         {"mid_block_type", "UNetMidBlock2D"}, {"attention_head_dim", 1}};
  return {{"unet", unet}, {"scale", 4}};
}

// Options for a short tiny run: no periodic saves or grids except at the end.
inline train::TrainOptions tiny_run(const std::string& kind, const std::string& dir, int64_t steps) {
  train::TrainOptions o;
  o.kind = kind;
  o.out_dir = dir;
  o.steps = steps;
  o.batch = 8;
  o.lr = 2e-3;
  o.warmup = 1;
  o.ema_decay = 0.9;
  o.log_every = 1000;
  o.save_every = 1000;
  o.sample_every = 1000;
  return o;
}

}  // namespace easel::test
