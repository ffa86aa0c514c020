#include "models/sd_config_builders.h"

#include <algorithm>

namespace easel::models {
namespace {

// diffusers writes a per-block setting as one number when every block shares it.
nlohmann::json scalar_or_list(const std::vector<int64_t>& v) {
  if (!v.empty() && std::all_of(v.begin(), v.end(), [&](int64_t x) { return x == v[0]; })) return v[0];
  return v;
}

}  // namespace

nlohmann::json unet_config_json(const SDUNetSpec& s) {
  nlohmann::json j;
  std::vector<std::string> down, up;
  for (bool attn : s.cross_attention) down.push_back(attn ? "CrossAttnDownBlock2D" : "DownBlock2D");
  for (auto it = s.cross_attention.rbegin(); it != s.cross_attention.rend(); ++it)
    up.push_back(*it ? "CrossAttnUpBlock2D" : "UpBlock2D");
  j["_class_name"] = "UNet2DConditionModel";
  j["in_channels"] = s.in_channels;
  j["out_channels"] = s.out_channels;
  j["block_out_channels"] = s.block_out_channels;
  j["down_block_types"] = down;
  j["up_block_types"] = up;
  j["mid_block_type"] = "UNetMidBlock2DCrossAttn";
  j["layers_per_block"] = s.layers_per_block;
  j["attention_head_dim"] = scalar_or_list(s.heads);
  j["transformer_layers_per_block"] = scalar_or_list(s.transformer_layers);
  j["reverse_transformer_layers_per_block"] =
      s.reverse_transformer_layers.empty() ? nlohmann::json() : nlohmann::json(s.reverse_transformer_layers);
  j["cross_attention_dim"] = s.cross_attention_dim;
  j["use_linear_projection"] = s.linear_projection;
  j["upcast_attention"] = s.upcast_attention;
  j["time_embedding_dim"] = s.time_embedding_dim > 0 ? nlohmann::json(s.time_embedding_dim) : nlohmann::json();
  j["flip_sin_to_cos"] = true;
  j["freq_shift"] = 0;
  j["norm_num_groups"] = 32;
  j["norm_eps"] = 1e-5;
  j["act_fn"] = "silu";
  j["downsample_padding"] = 1;
  j["sample_size"] = s.sample_size;
  if (s.addition_time_embed_dim > 0) {
    j["addition_embed_type"] = "text_time";
    j["addition_time_embed_dim"] = s.addition_time_embed_dim;
    j["projection_class_embeddings_input_dim"] = s.projection_class_embeddings_input_dim;
  } else {
    j["addition_embed_type"] = nullptr;
    j["addition_time_embed_dim"] = nullptr;
    j["projection_class_embeddings_input_dim"] = nullptr;
  }
  return j;
}

nlohmann::json vae_config_json(const SDVAESpec& s) {
  const size_t n = s.block_out_channels.size();
  return {{"_class_name", "AutoencoderKL"},
          {"in_channels", s.in_channels},
          {"out_channels", s.out_channels},
          {"latent_channels", s.latent_channels},
          {"block_out_channels", s.block_out_channels},
          {"down_block_types", std::vector<std::string>(n, "DownEncoderBlock2D")},
          {"up_block_types", std::vector<std::string>(n, "UpDecoderBlock2D")},
          {"layers_per_block", s.layers_per_block},
          {"act_fn", "silu"},
          {"norm_num_groups", 32},
          {"mid_block_add_attention", s.mid_attention},
          {"use_quant_conv", s.quant_conv},
          {"use_post_quant_conv", s.quant_conv},
          {"scaling_factor", s.scaling_factor},
          {"force_upcast", true},
          {"sample_size", s.sample_size}};
}

nlohmann::json clip_text_config_json(const ClipTextSpec& s) {
  return {{"architectures", {s.with_projection ? "CLIPTextModelWithProjection" : "CLIPTextModel"}},
          {"model_type", "clip_text_model"},
          {"vocab_size", s.vocab},
          {"hidden_size", s.hidden},
          {"intermediate_size", s.intermediate},
          {"num_hidden_layers", s.layers},
          {"num_attention_heads", s.heads},
          {"max_position_embeddings", s.max_positions},
          {"hidden_act", s.act},
          {"layer_norm_eps", 1e-5},
          {"projection_dim", s.projection_dim},
          // Legacy ids of every SD text encoder config: pooling at argmax(input_ids).
          {"bos_token_id", 0},
          {"eos_token_id", 2},
          {"pad_token_id", 1}};
}

ClipTextSpec clip_vit_l14() { return {}; }

ClipTextSpec open_clip_vit_h14_penultimate() {
  ClipTextSpec s;
  s.hidden = 1024;
  s.intermediate = 4096;
  s.layers = 23;
  s.heads = 16;
  s.act = "gelu";
  s.projection_dim = 512;  // as in stabilityai/stable-diffusion-2-1 text_encoder/config.json (unused)
  return s;
}

ClipTextSpec open_clip_vit_bigg14() {
  ClipTextSpec s;
  s.hidden = 1280;
  s.intermediate = 5120;
  s.layers = 32;
  s.heads = 20;
  s.act = "gelu";
  s.projection_dim = 1280;
  s.with_projection = true;
  return s;
}

nlohmann::json scheduler_config_json(SchedulerKind kind, bool v_prediction, double beta_start, double beta_end,
                                     int64_t train_steps) {
  nlohmann::json j = {{"beta_start", beta_start},
                      {"beta_end", beta_end},
                      {"beta_schedule", "scaled_linear"},  // LDM's "linear": linspace of sqrt(beta), squared
                      {"num_train_timesteps", train_steps},
                      {"prediction_type", v_prediction ? "v_prediction" : "epsilon"},
                      {"set_alpha_to_one", false},
                      {"skip_prk_steps", true},
                      {"steps_offset", 1},
                      {"clip_sample", false}};
  switch (kind) {
    case SchedulerKind::SD1: j["_class_name"] = "PNDMScheduler"; break;
    case SchedulerKind::SD2: j["_class_name"] = "DDIMScheduler"; break;
    case SchedulerKind::SDXL:
      j["_class_name"] = "EulerDiscreteScheduler";
      j["timestep_spacing"] = "leading";
      j["interpolation_type"] = "linear";
      j["use_karras_sigmas"] = false;
      break;
  }
  return j;
}

}  // namespace easel::models
