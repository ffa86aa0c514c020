#include "io/ldm_layout.h"

#include <torch/torch.h>

#include <cctype>
#include <regex>
#include <set>

#include "util/error.h"

namespace easel::io {
namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

using Renames = std::initializer_list<std::pair<const char*, const char*>>;  // {LDM prefix, diffusers prefix}

// Replaces the first matching prefix of `s` from `table` ({from, to} pairs; `inverse`: {to, from}); returns false if
// none matched. The tables below are written LDM -> diffusers and read both ways.
bool rename_prefix(std::string& s, Renames table, bool inverse = false) {
  for (auto [from, to] : table) {
    if (inverse) std::swap(from, to);
    if (starts_with(s, from)) {
      s = to + s.substr(std::strlen(from));
      return true;
    }
  }
  return false;
}

// ResBlock member names -> diffusers ResnetBlock2D.
const Renames kUnetResnet = {{"in_layers.0.", "norm1."},         {"in_layers.2.", "conv1."},
                             {"emb_layers.1.", "time_emb_proj."}, {"out_layers.0.", "norm2."},
                             {"out_layers.3.", "conv2."},         {"skip_connection.", "conv_shortcut."}};
// UNet parameters outside the blocks.
const Renames kUnetOuter = {{"time_embed.0.", "time_embedding.linear_1."},
                            {"time_embed.2.", "time_embedding.linear_2."},
                            {"label_emb.0.0.", "add_embedding.linear_1."},
                            {"label_emb.0.2.", "add_embedding.linear_2."},
                            {"input_blocks.0.0.", "conv_in."},
                            {"out.0.", "conv_norm_out."},
                            {"out.2.", "conv_out."}};
const Renames kVaeResnet = {{"nin_shortcut.", "conv_shortcut."}};
const Renames kVaeAttention = {{"norm.", "group_norm."}, {"q.", "to_q."}, {"k.", "to_k."}, {"v.", "to_v."},
                               {"proj_out.", "to_out.0."}};
const Renames kVaeOuter = {{"encoder.norm_out.", "encoder.conv_norm_out."},
                           {"decoder.norm_out.", "decoder.conv_norm_out."}};
// VAE parameters named alike in both layouts.
const char* const kVaeSame[] = {"encoder.conv_in.", "encoder.conv_out.", "decoder.conv_in.", "decoder.conv_out.",
                                "quant_conv.", "post_quant_conv."};

// ---- UNet (openaimodel.py UNetModel -> diffusers UNet2DConditionModel) ----

std::string unet_resnet_suffix(std::string s, bool inverse = false) {
  if (!rename_prefix(s, kUnetResnet, inverse)) throw Error("unknown UNet resnet parameter '" + s + "'");
  return s;
}

// Layers per block, read off the first downsampler: input_blocks.{lpb+1}.0.op.
int unet_layers_per_block(const TensorMap& t, const std::string& prefix) {
  static const std::regex op(R"(input_blocks\.(\d+)\.0\.op\.)");
  int first = -1, last_input = 0;
  static const std::regex ib(R"(input_blocks\.(\d+)\.)");
  for (const auto& [k, v] : t) {
    if (!starts_with(k, prefix)) continue;
    std::smatch m;
    std::string rest = k.substr(prefix.size());
    if (std::regex_search(rest, m, op)) {
      int i = std::stoi(m[1]);
      if (first < 0 || i < first) first = i;
    }
    if (std::regex_search(rest, m, ib)) last_input = std::max(last_input, std::stoi(m[1]));
  }
  return first > 0 ? first - 1 : last_input;  // one level only: every input block is a layer
}

std::string map_unet_key(const std::string& k, int lpb) {
  static const std::regex block(R"(^(input_blocks|output_blocks)\.(\d+)\.(\d+)\.(.*)$)");
  static const std::regex mid(R"(^middle_block\.(\d+)\.(.*)$)");
  std::smatch m;
  std::string s = k;
  if (rename_prefix(s, kUnetOuter)) return s;
  if (std::regex_match(k, m, mid)) {
    int i = std::stoi(m[1]);
    std::string rest = m[2];
    if (i == 1) return "mid_block.attentions.0." + rest;
    return "mid_block.resnets." + std::to_string(i / 2) + "." + unet_resnet_suffix(rest);
  }
  if (std::regex_match(k, m, block)) {
    bool down = m[1] == "input_blocks";
    int idx = std::stoi(m[2]), sub = std::stoi(m[3]);
    std::string rest = m[4];
    int per = lpb + 1;  // entries per level: lpb layers + one resampler (down) / lpb+1 layers (up)
    int level = down ? (idx - 1) / per : idx / per;
    int layer = down ? (idx - 1) % per : idx % per;
    std::string base = std::string(down ? "down_blocks." : "up_blocks.") + std::to_string(level) + ".";
    if (down && starts_with(rest, "op.")) return base + "downsamplers.0.conv." + rest.substr(3);
    if (!down && sub > 0 && starts_with(rest, "conv.")) return base + "upsamplers.0." + rest;
    if (sub == 0) return base + "resnets." + std::to_string(layer) + "." + unet_resnet_suffix(rest);
    return base + "attentions." + std::to_string(layer) + "." + rest;
  }
  throw Error("unknown UNet key '" + k + "'");
}

// ---- VAE (ldm autoencoder Encoder/Decoder -> diffusers AutoencoderKL) ----

// Distinct values of the first number after `prefix` among the keys (the levels or layers present).
std::set<int> indices_after(const TensorMap& t, const std::string& prefix) {
  std::set<int> out;
  for (const auto& [k, v] : t)
    if (starts_with(k, prefix) && k.size() > prefix.size() &&
        std::isdigit(static_cast<unsigned char>(k[prefix.size()])))
      out.insert(std::stoi(k.substr(prefix.size())));
  return out;
}

int vae_decoder_levels(const TensorMap& t, const std::string& prefix) {
  const std::set<int> levels = indices_after(t, prefix + "decoder.up.");
  return levels.empty() ? 0 : *levels.rbegin() + 1;
}

std::string map_vae_key(const std::string& k, int up_levels, bool* is_attn_matrix) {
  static const std::regex down(R"(^encoder\.down\.(\d+)\.(block\.(\d+)|downsample)\.(.*)$)");
  static const std::regex up(R"(^decoder\.up\.(\d+)\.(block\.(\d+)|upsample)\.(.*)$)");
  static const std::regex mid(R"(^(encoder|decoder)\.mid\.(block_1|block_2|attn_1)\.(.*)$)");
  std::smatch m;
  auto resnet = [](std::string s) {
    rename_prefix(s, kVaeResnet);
    return s;
  };
  *is_attn_matrix = false;
  if (std::regex_match(k, m, down)) {
    std::string base = "encoder.down_blocks." + std::string(m[1]) + ".";
    if (m[2] == "downsample") return base + "downsamplers.0." + std::string(m[4]);
    return base + "resnets." + std::string(m[3]) + "." + resnet(m[4]);
  }
  if (std::regex_match(k, m, up)) {
    // LDM numbers decoder levels from the lowest resolution upward; diffusers in the order they run.
    std::string base = "decoder.up_blocks." + std::to_string(up_levels - 1 - std::stoi(m[1])) + ".";
    if (m[2] == "upsample") return base + "upsamplers.0." + std::string(m[4]);
    return base + "resnets." + std::string(m[3]) + "." + resnet(m[4]);
  }
  if (std::regex_match(k, m, mid)) {
    std::string base = std::string(m[1]) + ".mid_block.";
    std::string what = m[2], rest = m[3];
    if (what == "block_1") return base + "resnets.0." + resnet(rest);
    if (what == "block_2") return base + "resnets.1." + resnet(rest);
    std::string s = rest;
    if (!rename_prefix(s, kVaeAttention)) throw Error("unknown VAE attention parameter '" + k + "'");
    *is_attn_matrix = !starts_with(rest, "norm.");
    return base + "attentions.0." + s;
  }
  std::string s = k;
  if (rename_prefix(s, kVaeOuter)) return s;
  for (const char* same : kVaeSame)
    if (starts_with(k, same)) return k;
  throw Error("unknown VAE key '" + k + "'");
}

// ---- Text encoders ----

// Hugging Face CLIPTextModel keys are kept; very old SD1 files lack the `text_model.` level.
std::string map_hf_clip_key(const std::string& k) {
  return starts_with(k, "text_model.") ? k : "text_model." + k;
}

// OpenCLIP text tower (open_clip/transformer.py) -> CLIPTextModel(WithProjection). Returns {} to drop the key.
// Fused attention tensors are handled by the caller.
std::string map_open_clip_key(const std::string& k) {
  static const std::regex layer(R"(^transformer\.resblocks\.(\d+)\.(.*)$)");
  std::smatch m;
  if (std::regex_match(k, m, layer)) {
    std::string s = m[2];
    if (!rename_prefix(s, {{"ln_1.", "layer_norm1."}, {"ln_2.", "layer_norm2."}, {"mlp.c_fc.", "mlp.fc1."},
                           {"mlp.c_proj.", "mlp.fc2."}, {"attn.out_proj.", "self_attn.out_proj."}}))
      throw Error("unknown OpenCLIP layer parameter '" + k + "'");
    return "text_model.encoder.layers." + std::string(m[1]) + "." + s;
  }
  if (k == "token_embedding.weight") return "text_model.embeddings.token_embedding.weight";
  if (k == "positional_embedding") return "text_model.embeddings.position_embedding.weight";
  if (starts_with(k, "ln_final.")) return "text_model.final_layer_norm." + k.substr(9);
  if (k == "text_projection") return "text_projection.weight";
  if (k == "logit_scale") return {};
  throw Error("unknown OpenCLIP key '" + k + "'");
}

// `projection`: keep text_projection (CLIPTextModelWithProjection, SDXL) or drop it (CLIPTextModel, SD2).
void add_open_clip(const std::string& k, const torch::Tensor& v, bool projection, TensorMap& out) {
  static const std::regex fused(R"(^transformer\.resblocks\.(\d+)\.attn\.in_proj_(weight|bias)$)");
  std::smatch m;
  if (std::regex_match(k, m, fused)) {
    auto parts = v.chunk(3, 0);  // nn.MultiheadAttention packs q, k, v along dim 0
    std::string base = "text_model.encoder.layers." + std::string(m[1]) + ".self_attn.";
    const char* names[3] = {"q_proj.", "k_proj.", "v_proj."};
    for (int i = 0; i < 3; ++i) out[base + names[i] + std::string(m[2])] = parts[i];
    return;
  }
  std::string name = map_open_clip_key(k);
  if (name.empty() || (k == "text_projection" && !projection)) return;
  // OpenCLIP applies x @ text_projection; a Linear weight is its transpose.
  out[name] = k == "text_projection" ? v.t() : v;
}

// ---- The inverse (diffusers -> LDM), SD 1.x ----

// `lpb`: layers per down block; `up_attention`: the up levels that have attentions (their upsampler sits one
// entry further along in an output block).
std::string unet_key_ldm(const std::string& k, int lpb, const std::set<int>& up_attention) {
  static const std::regex block(
      R"(^(down_blocks|up_blocks)\.(\d+)\.(resnets|attentions|downsamplers|upsamplers)\.(\d+)\.(.*)$)");
  static const std::regex mid(R"(^mid_block\.(resnets|attentions)\.(\d+)\.(.*)$)");
  std::smatch m;
  std::string s = k;
  if (rename_prefix(s, kUnetOuter, true)) return s;
  if (std::regex_match(k, m, mid)) {
    if (m[1] == "attentions") return "middle_block.1." + std::string(m[3]);
    return "middle_block." + std::to_string(2 * std::stoi(m[2])) + "." + unet_resnet_suffix(m[3], true);
  }
  if (std::regex_match(k, m, block)) {
    const bool down = m[1] == "down_blocks";
    const int level = std::stoi(m[2]), layer = std::stoi(m[4]), per = lpb + 1;
    const std::string what = m[3], rest = m[5];
    const int first = down ? 1 + level * per : level * per;  // the level's first input/output block
    const std::string base = down ? "input_blocks." : "output_blocks.";
    if (what == "resnets") return base + std::to_string(first + layer) + ".0." + unet_resnet_suffix(rest, true);
    if (what == "attentions") return base + std::to_string(first + layer) + ".1." + rest;
    if (what == "downsamplers" && starts_with(rest, "conv."))
      return base + std::to_string(first + lpb) + ".0.op." + rest.substr(5);
    if (what == "upsamplers")
      return base + std::to_string(first + lpb) + (up_attention.count(level) ? ".2." : ".1.") + rest;
  }
  throw Error("no LDM name for UNet key '" + k + "'");
}

std::string vae_key_ldm(const std::string& k, int up_levels, bool* is_attn_matrix) {
  static const std::regex down(R"(^encoder\.down_blocks\.(\d+)\.(resnets\.(\d+)|downsamplers\.0)\.(.*)$)");
  static const std::regex up(R"(^decoder\.up_blocks\.(\d+)\.(resnets\.(\d+)|upsamplers\.0)\.(.*)$)");
  static const std::regex mid(R"(^(encoder|decoder)\.mid_block\.(resnets\.(\d+)|attentions\.0)\.(.*)$)");
  std::smatch m;
  auto resnet = [](std::string s) {
    rename_prefix(s, kVaeResnet, true);
    return s;
  };
  *is_attn_matrix = false;
  if (std::regex_match(k, m, down)) {
    const std::string base = "encoder.down." + std::string(m[1]) + ".";
    if (!m[3].matched) return base + "downsample." + std::string(m[4]);
    return base + "block." + std::string(m[3]) + "." + resnet(m[4]);
  }
  if (std::regex_match(k, m, up)) {
    const std::string base = "decoder.up." + std::to_string(up_levels - 1 - std::stoi(m[1])) + ".";
    if (!m[3].matched) return base + "upsample." + std::string(m[4]);
    return base + "block." + std::string(m[3]) + "." + resnet(m[4]);
  }
  if (std::regex_match(k, m, mid)) {
    const std::string base = std::string(m[1]) + ".mid.";
    if (m[3].matched) return base + (m[3] == "0" ? "block_1." : "block_2.") + resnet(m[4]);
    std::string s = m[4];
    if (!rename_prefix(s, kVaeAttention, true)) throw Error("no LDM name for VAE attention key '" + k + "'");
    *is_attn_matrix = !starts_with(s, "norm.");
    return base + "attn_1." + s;
  }
  std::string s = k;
  if (rename_prefix(s, kVaeOuter, true)) return s;
  for (const char* same : kVaeSame)
    if (starts_with(k, same)) return k;
  throw Error("no LDM name for VAE key '" + k + "'");
}

}  // namespace

TensorMap join_ldm_checkpoint(const std::map<std::string, TensorMap>& components) {
  TensorMap out;
  for (const auto& [component, tensors] : components) {
    if (component == "unet") {
      const int lpb = static_cast<int>(indices_after(tensors, "down_blocks.0.resnets.").size());
      std::set<int> up_attention;
      for (int level : indices_after(tensors, "up_blocks."))
        if (!indices_after(tensors, "up_blocks." + std::to_string(level) + ".attentions.").empty())
          up_attention.insert(level);
      for (const auto& [k, v] : tensors) out["model.diffusion_model." + unet_key_ldm(k, lpb, up_attention)] = v;
    } else if (component == "vae") {
      const int up_levels = static_cast<int>(indices_after(tensors, "decoder.up_blocks.").size());
      for (const auto& [k, v] : tensors) {
        bool matrix;
        const std::string name = vae_key_ldm(k, up_levels, &matrix);
        out["first_stage_model." + name] = matrix && v.dim() == 2 ? v.unsqueeze(-1).unsqueeze(-1) : v;
      }
    } else if (component == "text_encoder") {
      for (const auto& [k, v] : tensors) out["cond_stage_model.transformer." + k] = v;
    } else {
      throw Error("no SD 1.x single-file layout for component '" + component + "'");
    }
  }
  return out;
}

bool is_ldm_layout(const TensorMap& tensors) {
  for (const auto& [k, v] : tensors)
    if (starts_with(k, "model.diffusion_model.")) return true;
  return false;
}

LdmSplit split_ldm_checkpoint(const TensorMap& tensors) {
  const std::string unet_p = "model.diffusion_model.", vae_p = "first_stage_model.";
  int lpb = unet_layers_per_block(tensors, unet_p);
  int up_levels = vae_decoder_levels(tensors, vae_p);
  // {prefix in the file, component, text tower kind}
  enum Kind { Unet, Vae, HfClip, OpenClip };
  struct Rule { const char* prefix; const char* component; Kind kind; };
  static const Rule rules[] = {
      {"model.diffusion_model.", "unet", Unet},
      {"first_stage_model.", "vae", Vae},
      {"cond_stage_model.transformer.", "text_encoder", HfClip},       // SD1.x
      {"cond_stage_model.model.", "text_encoder", OpenClip},           // SD2.x
      {"conditioner.embedders.0.transformer.", "text_encoder", HfClip}, // SDXL base
      {"conditioner.embedders.1.model.", "text_encoder_2", OpenClip},   // SDXL base
  };
  LdmSplit out;
  for (const auto& [key, value] : tensors) {
    const Rule* rule = nullptr;
    for (const auto& r : rules)
      if (starts_with(key, r.prefix)) { rule = &r; break; }
    if (!rule) {
      out.unused.push_back(key);
      continue;
    }
    std::string k = key.substr(std::strlen(rule->prefix));
    TensorMap& comp = out.components[rule->component];
    try {
      switch (rule->kind) {
        case Unet: comp[map_unet_key(k, lpb)] = value; break;
        case Vae: {
          bool matrix;
          std::string name = map_vae_key(k, up_levels, &matrix);
          // LDM's VAE attention uses 1x1 convs; diffusers uses Linear layers of the same matrix.
          comp[name] = matrix && value.dim() == 4 ? value.flatten(1) : value;
          break;
        }
        case HfClip:
          if (k.find("position_ids") != std::string::npos) break;  // a buffer, recomputed by the model
          comp[map_hf_clip_key(k)] = value;
          break;
        case OpenClip: add_open_clip(k, value, std::string(rule->component) == "text_encoder_2", comp); break;
      }
    } catch (const Error& e) {
      throw Error("single-file checkpoint: " + std::string(e.what()) + " (key " + key + ")");
    }
  }
  return out;
}

}  // namespace easel::io
