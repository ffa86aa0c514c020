// sd_configs_from_yaml: the original CompVis/LDM (ldm.models.diffusion.ddpm.LatentDiffusion) and Stability SGM
// (sgm.models.diffusion.DiffusionEngine) model configs, translated as diffusers' single_file_utils
// create_unet_diffusers_config / create_vae_diffusers_config do.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "models/sd_config_builders.h"
#include "models/sd_configs.h"
#include "util/error.h"

namespace easel::models {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// n[key], or a null node when n is not a map or lacks the key (yaml-cpp throws on indexing a missing child).
YAML::Node opt(const YAML::Node& n, const std::string& key) {
  if (!n.IsDefined() || !n.IsMap() || !n[key].IsDefined()) return YAML::Node();
  return n[key];
}

// Typed reads that name the file and the key path on failure.
struct Yaml {
  std::string path;

  YAML::Node child(const YAML::Node& n, const std::string& key, const std::string& where) const {
    YAML::Node c = opt(n, key);
    check(!c.IsNull(), path + ": model config has no " + where + "." + key);
    return c;
  }
  template <typename T>
  T get(const YAML::Node& n, const std::string& key, const std::string& where) const {
    try {
      return child(n, key, where).as<T>();
    } catch (const YAML::Exception&) {
      throw Error(path + ": model config key " + where + "." + key + " has an unexpected value");
    }
  }
  template <typename T>
  T get(const YAML::Node& n, const std::string& key, const std::string& where, const T& fallback) const {
    if (opt(n, key).IsNull()) return fallback;
    return get<T>(n, key, where);
  }
  // A per-level setting given as one number or a list of `levels` numbers.
  std::vector<int64_t> per_level(const YAML::Node& n, const std::string& key, const std::string& where,
                                 size_t levels, int64_t fallback) const {
    if (opt(n, key).IsNull()) return std::vector<int64_t>(levels, fallback);
    if (!opt(n, key).IsSequence()) return std::vector<int64_t>(levels, get<int64_t>(n, key, where));
    auto v = get<std::vector<int64_t>>(n, key, where);
    check(v.size() == levels, path + ": " + where + "." + key + " needs one entry per channel_mult entry");
    return v;
  }
};

// openaimodel.py UNetModel params -> diffusers UNet2DConditionModel config.
SDUNetSpec unet_from_yaml(const Yaml& y, const YAML::Node& p, const std::string& where) {
  SDUNetSpec u;
  u.in_channels = y.get<int64_t>(p, "in_channels", where);
  u.out_channels = y.get<int64_t>(p, "out_channels", where);
  const auto model_channels = y.get<int64_t>(p, "model_channels", where);
  const auto mult = y.get<std::vector<int64_t>>(p, "channel_mult", where);
  const size_t levels = mult.size();
  const auto res_blocks = y.per_level(p, "num_res_blocks", where, levels, 2);
  check(std::equal(res_blocks.begin(), res_blocks.end(), res_blocks.rbegin()) &&
            std::all_of(res_blocks.begin(), res_blocks.end(), [&](int64_t r) { return r == res_blocks[0]; }),
        y.path + ": " + where + ".num_res_blocks must be the same for every level");
  u.layers_per_block = res_blocks[0];
  const auto attention_resolutions = y.get<std::vector<int64_t>>(p, "attention_resolutions", where);
  u.transformer_layers = y.per_level(p, "transformer_depth", where, levels, 1);
  const auto num_heads = y.get<int64_t>(p, "num_heads", where, -1);
  const auto head_channels = y.get<int64_t>(p, "num_head_channels", where, -1);
  check(num_heads > 0 || head_channels > 0, y.path + ": " + where + " sets neither num_heads nor num_head_channels");
  for (size_t i = 0; i < levels; ++i) {
    const int64_t ch = model_channels * mult[i];
    u.block_out_channels.push_back(ch);
    const int64_t ds = int64_t{1} << i;  // downsampling factor at this level
    u.cross_attention.push_back(std::find(attention_resolutions.begin(), attention_resolutions.end(), ds) !=
                                attention_resolutions.end());
    u.heads.push_back(head_channels > 0 ? ch / head_channels : num_heads);
  }
  const auto middle = y.get<int64_t>(p, "transformer_depth_middle", where, u.transformer_layers.back());
  check(middle == u.transformer_layers.back(),
        y.path + ": " + where + ".transformer_depth_middle differs from the last level's depth (unsupported)");
  const auto context = y.per_level(p, "context_dim", where, levels, 0);
  check(context[0] > 0 && std::all_of(context.begin(), context.end(), [&](int64_t c) { return c == context[0]; }),
        y.path + ": " + where + ".context_dim must be one positive number");
  u.cross_attention_dim = context[0];
  u.linear_projection = y.get<bool>(p, "use_linear_in_transformer", where, false);
  const auto adm = y.get<int64_t>(p, "adm_in_channels", where, 0);
  if (adm > 0) {
    check(y.get<std::string>(p, "num_classes", where, "") == "sequential",
          y.path + ": " + where + ".adm_in_channels without num_classes: sequential (unsupported class conditioning)");
    u.projection_class_embeddings_input_dim = adm;
  }
  return u;
}

// ldm autoencoder ddconfig -> diffusers AutoencoderKL config.
SDVAESpec vae_from_yaml(const Yaml& y, const YAML::Node& first_stage) {
  const std::string where = "first_stage_config.params";
  const YAML::Node params = y.child(first_stage, "params", "first_stage_config");
  const YAML::Node dd = y.child(params, "ddconfig", where);
  SDVAESpec v;
  v.latent_channels = y.get<int64_t>(params, "embed_dim", where);
  v.in_channels = y.get<int64_t>(dd, "in_channels", where + ".ddconfig", 3);
  v.out_channels = y.get<int64_t>(dd, "out_ch", where + ".ddconfig", 3);
  const auto ch = y.get<int64_t>(dd, "ch", where + ".ddconfig");
  v.block_out_channels.clear();
  for (int64_t m : y.get<std::vector<int64_t>>(dd, "ch_mult", where + ".ddconfig")) v.block_out_channels.push_back(ch * m);
  v.layers_per_block = y.get<int64_t>(dd, "num_res_blocks", where + ".ddconfig");
  return v;
}

// A text encoder named by its LDM/SGM target class.
nlohmann::json text_encoder_from_target(const Yaml& y, const std::string& target) {
  if (ends_with(target, ".FrozenCLIPEmbedder")) return clip_text_config_json(clip_vit_l14());
  if (ends_with(target, ".FrozenOpenCLIPEmbedder")) return clip_text_config_json(open_clip_vit_h14_penultimate());
  if (ends_with(target, ".FrozenOpenCLIPEmbedder2")) return clip_text_config_json(open_clip_vit_bigg14());
  throw Error(y.path + ": unsupported text encoder " + target);
}

}  // namespace

SDConfigs sd_configs_from_yaml(const std::string& path, const io::TensorMap* ldm_tensors) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw Error(path + ": cannot open the model config");
  } catch (const YAML::Exception& e) {
    throw Error(path + ": not valid YAML: " + e.what());
  }
  const Yaml y{path};
  const YAML::Node model = y.child(root, "model", "(top level)");
  const YAML::Node p = y.child(model, "params", "model");
  const bool sgm = !opt(p, "network_config").IsNull();
  const std::string unet_key = sgm ? "network_config" : "unet_config";

  SDUNetSpec unet = unet_from_yaml(y, y.child(y.child(p, unet_key, "model.params"), "params", unet_key),
                                   unet_key + ".params");
  // The latent size: LDM's model.params.image_size (the UNet's own image_size is unused); SGM gives none (SDXL: 128).
  unet.sample_size = sgm ? 128 : y.get<int64_t>(p, "image_size", "model.params", 64);
  SDVAESpec vae = vae_from_yaml(y, y.child(p, "first_stage_config", "model.params"));
  vae.scaling_factor = y.get<double>(p, "scale_factor", "model.params", 0.18215);
  vae.sample_size = unet.sample_size * (int64_t{1} << (vae.block_out_channels.size() - 1));

  SDConfigs c;
  bool v_prediction = false;
  double beta_start = 0.00085, beta_end = 0.012;
  int64_t train_steps = 1000;
  if (sgm) {
    // DiscreteDenoiser: VScaling = v-prediction; LegacyDDPMDiscretization holds the betas.
    const YAML::Node den = opt(opt(p, "denoiser_config"), "params");
    if (!den.IsNull()) {
      v_prediction = ends_with(
          y.get<std::string>(opt(den, "scaling_config"), "target", "denoiser_config.params.scaling_config", ""),
          ".VScaling");
      const YAML::Node disc = opt(opt(den, "discretization_config"), "params");
      beta_start = y.get<double>(disc, "linear_start", "discretization_config.params", beta_start);
      beta_end = y.get<double>(disc, "linear_end", "discretization_config.params", beta_end);
      train_steps = y.get<int64_t>(den, "num_idx", "denoiser_config.params", train_steps);
    }
    const YAML::Node models = y.child(y.child(y.child(p, "conditioner_config", "model.params"), "params",
                                              "conditioner_config"), "emb_models", "conditioner_config.params");
    for (const YAML::Node& m : models) {
      const std::string target = y.get<std::string>(m, "target", "conditioner_config.params.emb_models[]");
      if (ends_with(target, ".ConcatTimestepEmbedderND")) {
        unet.addition_time_embed_dim = y.get<int64_t>(opt(m, "params"), "outdim", "ConcatTimestepEmbedderND.params");
      } else if (ends_with(target, ".FrozenOpenCLIPEmbedder2")) {
        c.text_encoder_2 = text_encoder_from_target(y, target);
      } else {
        c.text_encoder = text_encoder_from_target(y, target);
      }
    }
    if (unet.projection_class_embeddings_input_dim > 0 && unet.addition_time_embed_dim == 0)
      unet.addition_time_embed_dim = 256;
  } else {
    v_prediction = y.get<std::string>(p, "parameterization", "model.params", "eps") == "v";
    beta_start = y.get<double>(p, "linear_start", "model.params", beta_start);
    beta_end = y.get<double>(p, "linear_end", "model.params", beta_end);
    train_steps = y.get<int64_t>(p, "timesteps", "model.params", train_steps);
    c.text_encoder = text_encoder_from_target(
        y, y.get<std::string>(y.child(p, "cond_stage_config", "model.params"), "target", "cond_stage_config"));
  }
  // SD 2.1-v computes attention in float32 (diffusers' stable-diffusion-2-1 config sets upcast_attention).
  unet.upcast_attention = v_prediction && unet.linear_projection;
  if (ldm_tensors) {
    const SDConfigs inferred = infer_sd_configs(*ldm_tensors);
    c.text_encoder = inferred.text_encoder;
    c.text_encoder_2 = inferred.text_encoder_2;
  }
  check(!c.text_encoder.is_null(), path + ": model config names no CLIP text encoder");
  c.unet = unet_config_json(unet);
  c.vae = vae_config_json(vae);
  const SchedulerKind kind = sgm ? SchedulerKind::SDXL : unet.linear_projection ? SchedulerKind::SD2 : SchedulerKind::SD1;
  c.scheduler = scheduler_config_json(kind, v_prediction, beta_start, beta_end, train_steps);
  return c;
}

}  // namespace easel::models
