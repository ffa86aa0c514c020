#include "models/sd_configs.h"

#include <algorithm>
#include <filesystem>

#include "io/ldm_layout.h"
#include "models/config_json.h"
#include "models/sd_config_builders.h"
#include "util/error.h"

namespace easel::models {
namespace fs = std::filesystem;

SDConfigs sd_configs_from_diffusers_dir(const std::string& dir) {
  auto read = [&](const char* rel) { return read_json_file((fs::path(dir) / rel).string()); };
  SDConfigs c;
  c.unet = read("unet/config.json");
  c.vae = read("vae/config.json");
  c.text_encoder = read("text_encoder/config.json");
  if (fs::exists(fs::path(dir) / "text_encoder_2" / "config.json")) c.text_encoder_2 = read("text_encoder_2/config.json");
  c.scheduler = read("scheduler/scheduler_config.json");
  return c;
}

namespace {

// The tensors of one split component, with lookups that name what is missing.
struct Shapes {
  const io::TensorMap& t;
  std::string what;  // "unet", "vae", ...

  bool has(const std::string& k) const { return t.count(k) > 0; }
  int64_t dim(const std::string& k, int64_t d) const {
    auto it = t.find(k);
    check(it != t.end(), "single-file checkpoint: cannot infer the " + what + " configuration: tensor " + k +
                             " is missing");
    check(it->second.dim() > d, "single-file checkpoint: " + what + " tensor " + k + " has too few dimensions");
    return it->second.size(d);
  }
  // How many i make prefix + i + suffix a key (indices are dense in every SD checkpoint).
  int64_t count(const std::string& prefix, const std::string& suffix) const {
    int64_t n = 0;
    while (has(prefix + std::to_string(n) + suffix)) ++n;
    return n;
  }
};

enum class Family { SD1, SD2, SDXL };

struct TextTower {
  nlohmann::json config;
  int64_t projection_dim = 0;  // 0 without text_projection
};

// A split CLIPTextModel(WithProjection); `open_clip`: it came from an OpenCLIP tower.
TextTower infer_text_encoder(const io::TensorMap& tensors, const std::string& what, bool open_clip) {
  Shapes s{tensors, what};
  ClipTextSpec spec;
  spec.vocab = s.dim("text_model.embeddings.token_embedding.weight", 0);
  spec.hidden = s.dim("text_model.embeddings.token_embedding.weight", 1);
  spec.max_positions = s.dim("text_model.embeddings.position_embedding.weight", 0);
  spec.layers = s.count("text_model.encoder.layers.", ".self_attn.q_proj.weight");
  check(spec.layers > 0, "single-file checkpoint: " + what + " has no encoder layers");
  spec.intermediate = s.dim("text_model.encoder.layers.0.mlp.fc1.weight", 0);
  spec.heads = spec.hidden % 64 == 0 ? spec.hidden / 64 : spec.hidden / 8;
  spec.act = open_clip ? "gelu" : "quick_gelu";
  spec.projection_dim = spec.hidden;
  TextTower out;
  if (s.has("text_projection.weight")) {
    spec.with_projection = true;
    spec.projection_dim = out.projection_dim = s.dim("text_projection.weight", 0);
  } else if (open_clip) {
    spec.layers -= 1;  // SD2: the penultimate layer conditions the UNet (diffusers drops the last one)
    spec.projection_dim = open_clip_vit_h14_penultimate().projection_dim;
  }
  out.config = clip_text_config_json(spec);
  return out;
}

SDUNetSpec infer_unet(const io::TensorMap& tensors) {
  Shapes s{tensors, "unet"};
  SDUNetSpec u;
  u.in_channels = s.dim("conv_in.weight", 1);
  u.out_channels = s.dim("conv_out.weight", 0);
  const int64_t levels = s.count("down_blocks.", ".resnets.0.conv1.weight");
  check(levels > 0, "single-file checkpoint: the UNet has no down blocks");
  u.layers_per_block = s.count("down_blocks.0.resnets.", ".conv1.weight");
  std::string first_attention;
  for (int64_t i = 0; i < levels; ++i) {
    const std::string p = "down_blocks." + std::to_string(i) + ".";
    u.block_out_channels.push_back(s.dim(p + "resnets.0.conv1.weight", 0));
    const std::string a = p + "attentions.0.";
    const bool attn = s.has(a + "proj_in.weight");
    u.cross_attention.push_back(attn);
    u.transformer_layers.push_back(attn ? s.count(a + "transformer_blocks.", ".attn1.to_q.weight") : 1);
    if (attn && first_attention.empty()) first_attention = a;
  }
  const std::string a = first_attention.empty() ? "mid_block.attentions.0." : first_attention;
  u.cross_attention_dim = s.dim(a + "transformer_blocks.0.attn2.to_k.weight", 1);
  s.dim(a + "proj_in.weight", 0);  // throws when absent
  u.linear_projection = tensors.at(a + "proj_in.weight").dim() == 2;  // SD2/SDXL Linear, SD1 1x1 conv
  std::vector<int64_t> up;
  for (int64_t j = 0; j < levels; ++j) {
    const std::string p = "up_blocks." + std::to_string(j) + ".attentions.0.";
    up.push_back(s.has(p + "proj_in.weight") ? s.count(p + "transformer_blocks.", ".attn1.to_q.weight") : 1);
  }
  if (!std::equal(up.begin(), up.end(), u.transformer_layers.rbegin())) u.reverse_transformer_layers = up;
  const int64_t temb = s.dim("time_embedding.linear_1.weight", 0);
  if (temb != 4 * u.block_out_channels[0]) u.time_embedding_dim = temb;
  if (s.has("add_embedding.linear_1.weight"))
    u.projection_class_embeddings_input_dim = s.dim("add_embedding.linear_1.weight", 1);
  // Heads are not visible in the weights; see the rules in sd_configs.h.
  const int64_t head_size = std::min<int64_t>(64, u.block_out_channels[0] / 2);
  for (int64_t ch : u.block_out_channels) u.heads.push_back(u.linear_projection ? ch / head_size : 8);
  return u;
}

SDVAESpec infer_vae(const io::TensorMap& tensors) {
  Shapes s{tensors, "vae"};
  SDVAESpec v;
  v.in_channels = s.dim("encoder.conv_in.weight", 1);
  v.out_channels = s.dim("decoder.conv_out.weight", 0);
  v.latent_channels = s.dim("decoder.conv_in.weight", 1);
  v.block_out_channels.clear();
  const int64_t levels = s.count("encoder.down_blocks.", ".resnets.0.conv1.weight");
  for (int64_t i = 0; i < levels; ++i)
    v.block_out_channels.push_back(s.dim("encoder.down_blocks." + std::to_string(i) + ".resnets.0.conv1.weight", 0));
  check(levels > 0, "single-file checkpoint: the VAE has no encoder blocks");
  v.layers_per_block = s.count("encoder.down_blocks.0.resnets.", ".conv1.weight");
  v.mid_attention = s.has("encoder.mid_block.attentions.0.to_q.weight");
  v.quant_conv = s.has("quant_conv.weight");
  return v;
}

bool has_prefix(const io::TensorMap& t, const std::string& prefix) {
  auto it = t.lower_bound(prefix);
  return it != t.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

SDConfigs infer_sd_configs(const io::TensorMap& ldm_tensors) {
  check(io::is_ldm_layout(ldm_tensors),
        "single-file checkpoint: no model.diffusion_model.* tensors, so it is not an LDM/SGM Stable Diffusion file");
  io::LdmSplit split = io::split_ldm_checkpoint(ldm_tensors);
  auto component = [&](const char* name) -> const io::TensorMap& {
    auto it = split.components.find(name);
    check(it != split.components.end(), std::string("single-file checkpoint: no ") + name + " tensors");
    return it->second;
  };
  SDConfigs c;
  SDUNetSpec unet = infer_unet(component("unet"));
  SDVAESpec vae = infer_vae(component("vae"));
  const bool open_clip_te1 = has_prefix(ldm_tensors, "cond_stage_model.model.");
  TextTower te1 = infer_text_encoder(component("text_encoder"), "text_encoder", open_clip_te1);
  c.text_encoder = te1.config;
  TextTower te2;
  if (split.components.count("text_encoder_2")) {
    te2 = infer_text_encoder(split.components.at("text_encoder_2"), "text_encoder_2", true);
    c.text_encoder_2 = te2.config;
  }

  const Family family = unet.projection_class_embeddings_input_dim > 0 ? Family::SDXL
                        : (unet.linear_projection || open_clip_te1) ? Family::SD2
                                                                    : Family::SD1;
  bool v_prediction = false;
  switch (family) {
    case Family::SD1: unet.sample_size = 64; break;
    case Family::SD2:
      v_prediction = unet.in_channels == 4;  // diffusers: SD2 -> 2.1-768-v, SD2 inpainting -> epsilon
      unet.upcast_attention = v_prediction;
      unet.sample_size = v_prediction ? 96 : 64;
      break;
    case Family::SDXL: {
      const int64_t pooled = te2.projection_dim > 0 ? te2.projection_dim : unet.projection_class_embeddings_input_dim - 6 * 256;
      const int64_t times = unet.projection_class_embeddings_input_dim - pooled;
      check(times > 0 && times % 6 == 0, "single-file checkpoint: SDXL add_embedding input size " +
                                             std::to_string(unet.projection_class_embeddings_input_dim) +
                                             " does not fit pooled text embeddings of size " + std::to_string(pooled));
      unet.addition_time_embed_dim = times / 6;
      unet.sample_size = 128;
      vae.scaling_factor = 0.13025;
      break;
    }
  }
  vae.sample_size = unet.sample_size * (int64_t{1} << (vae.block_out_channels.size() - 1));
  c.unet = unet_config_json(unet);
  c.vae = vae_config_json(vae);
  c.scheduler = scheduler_config_json(family == Family::SD1   ? SchedulerKind::SD1
                                      : family == Family::SD2 ? SchedulerKind::SD2
                                                              : SchedulerKind::SDXL,
                                      v_prediction);
  return c;
}

void trim_text_encoder_layers(io::TensorMap& text_encoder, const nlohmann::json& config) {
  const int64_t keep = json_get<int64_t>(config, "num_hidden_layers", 12, "text encoder config");
  const std::string prefix = "text_model.encoder.layers.";
  for (auto it = text_encoder.begin(); it != text_encoder.end();) {
    const std::string& k = it->first;
    if (k.compare(0, prefix.size(), prefix) == 0 && std::stoll(k.substr(prefix.size())) >= keep) {
      it = text_encoder.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace easel::models
