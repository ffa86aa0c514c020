// diffusers / transformers config.json documents for the Stable Diffusion families, written from a few
// architectural numbers. Shared by the single-file configuration paths (models/sd_configs.h): the LDM/SGM yaml
// reader and the inference from tensor shapes produce the same documents a diffusers folder would hold.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace easel::models {

// What distinguishes one SD UNet2DConditionModel from another.
struct SDUNetSpec {
  int64_t in_channels = 4, out_channels = 4;
  std::vector<int64_t> block_out_channels;
  std::vector<bool> cross_attention;          // per level: CrossAttn{Down,Up}Block2D, else plain blocks
  int64_t layers_per_block = 2;
  std::vector<int64_t> heads;                 // per level; written as a scalar when all equal (diffusers style)
  std::vector<int64_t> transformer_layers;    // per level; likewise
  std::vector<int64_t> reverse_transformer_layers;  // per up block; empty = transformer_layers reversed
  int64_t cross_attention_dim = 768;
  bool linear_projection = false, upcast_attention = false;
  int64_t time_embedding_dim = 0;             // 0 = diffusers' default 4 * block_out_channels[0]
  int64_t addition_time_embed_dim = 0;        // > 0: SDXL "text_time" added conditioning
  int64_t projection_class_embeddings_input_dim = 0;
  int64_t sample_size = 64;
};
nlohmann::json unet_config_json(const SDUNetSpec& s);

struct SDVAESpec {
  int64_t in_channels = 3, out_channels = 3, latent_channels = 4;
  std::vector<int64_t> block_out_channels{128, 256, 512, 512};
  int64_t layers_per_block = 2;
  bool mid_attention = true, quant_conv = true;
  double scaling_factor = 0.18215;
  int64_t sample_size = 512;
};
nlohmann::json vae_config_json(const SDVAESpec& s);

struct ClipTextSpec {
  int64_t hidden = 768, intermediate = 3072, layers = 12, heads = 12;
  std::string act = "quick_gelu";  // OpenAI CLIP; OpenCLIP towers use "gelu"
  int64_t projection_dim = 768;
  bool with_projection = false;    // CLIPTextModelWithProjection (SDXL's second encoder)
  int64_t vocab = 49408, max_positions = 77;
};
nlohmann::json clip_text_config_json(const ClipTextSpec& s);

// The pretrained text encoders the LDM/SGM configs name: OpenAI ViT-L/14 (SD1, SDXL te1), OpenCLIP ViT-H/14
// as diffusers ships it for SD2 (23 of 24 layers: SD2 conditions on the penultimate layer), OpenCLIP ViT-bigG/14
// with projection (SDXL te2).
ClipTextSpec clip_vit_l14();
ClipTextSpec open_clip_vit_h14_penultimate();
ClipTextSpec open_clip_vit_bigg14();

enum class SchedulerKind { SD1, SD2, SDXL };
// The scheduler_config.json the reference pipelines ship: SD1.5's PNDM (no timestep_spacing key), SD2.1's DDIM,
// SDXL base's Euler (leading spacing); `v_prediction` sets prediction_type.
nlohmann::json scheduler_config_json(SchedulerKind kind, bool v_prediction, double beta_start = 0.00085,
                                     double beta_end = 0.012, int64_t train_steps = 1000);

}  // namespace easel::models
