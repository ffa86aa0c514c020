#include "pipelines/sd_model.h"

#include <malloc.h>

#include <filesystem>

#include "io/checkpoint.h"
#include "io/file_hash.h"
#include "io/ldm_layout.h"
#include "io/safetensors.h"
#include "models/build_dtype.h"
#include "models/component.h"
#include "models/config_json.h"
#include "models/load.h"
#include "models/sd_configs.h"
#include "text/default_vocab.h"
#include "util/error.h"

namespace easel::pipelines {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Tokenizer of encoder k (0 or 1): the folder's tokenizer/ or tokenizer_2/, else the default vocabulary padded
// as the family's reference tokenizer pads (SD1 and SDXL's first: <|endoftext|>; SD2 and SDXL's second: "!").
SDTextEncoder make_encoder(const std::string& config_dir, int k, bool pad_zero) {
  const fs::path dir = fs::path(config_dir) / (k == 0 ? "tokenizer" : "tokenizer_2");
  SDTextEncoder e{config_dir.empty() || !fs::is_directory(dir) ? text::ClipTokenizer::load(text::default_clip_vocab())
                                                               : text::ClipTokenizer::load(dir)};
  if (config_dir.empty() || !fs::is_directory(dir))
    e.pad = pad_zero ? text::ClipTokenizer::Pad::Zero : text::ClipTokenizer::Pad::Eos;
  return e;
}

// The weights of each component, keyed "unet", "vae", "text_encoder", "text_encoder_2".
using ComponentWeights = std::map<std::string, io::StateDict>;

ComponentWeights folder_weights(const std::string& folder, bool two_encoders) {
  ComponentWeights w;
  std::vector<std::string> names{"unet", "vae", "text_encoder"};
  if (two_encoders) names.push_back("text_encoder_2");
  for (const auto& name : names)
    w[name] = io::load_safetensors(models::component_weights_path((fs::path(folder) / name).string()));
  return w;
}

ComponentWeights split_single_file(const io::StateDict& sd, const std::string& path) {
  check(io::is_ldm_layout(sd.tensors),
        path + ": not a Stable Diffusion single file (no model.diffusion_model.* tensors)");
  ComponentWeights w;
  for (auto& [name, tensors] : io::split_ldm_checkpoint(sd.tensors).components) w[name].tensors = std::move(tensors);
  return w;
}

template <typename Module>
void load_component(Module& module, ComponentWeights& weights, const std::string& name, const std::string& path) {
  auto it = weights.find(name);
  check(it != weights.end(), path + ": no " + name + " weights in this checkpoint");
  models::load_weights(*module, it->second, path + " (" + name + ")");
  weights.erase(it);  // release the mapped tensors as soon as they are copied
  module->eval();
}

}  // namespace

SDModel load_sd_model(const std::string& path, const SDLoadOptions& options) {
  check(fs::exists(path), path + ": model not found");
  const bool folder = fs::is_directory(path);
  // Configs, as diffusers' from_single_file finds them: a diffusers folder (the model's own, or --config DIR), the
  // original LDM/SGM yaml (--config model.yaml), or, for a single file with neither, its tensor shapes.
  std::string config_dir = options.config_dir;
  const bool yaml = !config_dir.empty() && fs::is_regular_file(config_dir);
  ComponentWeights weights;
  models::SDConfigs configs;
  io::FamilyInfo family;
  if (folder) {
    check(fs::exists(fs::path(path) / "model_index.json"),
          path + ": not a diffusers model folder (no model_index.json)");
    check(!yaml, options.config_dir + ": a diffusers folder takes no yaml config");
    if (config_dir.empty()) config_dir = path;
  }
  if (!yaml && !config_dir.empty()) {
    configs = models::sd_configs_from_diffusers_dir(config_dir);
    family = io::detect_family_diffusers(config_dir);
  }
  if (folder) {
    weights = folder_weights(path, !configs.text_encoder_2.is_null());
  } else {
    io::StateDict sd = io::load_checkpoint(path);
    if (config_dir.empty() || yaml) {
      configs = yaml ? models::sd_configs_from_yaml(config_dir, &sd.tensors) : models::infer_sd_configs(sd.tensors);
      family = io::detect_family(sd);
      config_dir.clear();  // no tokenizer folders: the default vocabulary
    }
    weights = split_single_file(sd, path);
    if (auto it = weights.find("text_encoder"); it != weights.end())
      models::trim_text_encoder_layers(it->second.tensors, configs.text_encoder);
  }

  SDModel m;
  m.name = fs::path(path).filename().replace_extension().string();
  if (m.name.empty()) m.name = fs::path(path).parent_path().filename().string();  // "dir/" spelling
  m.hash = io::model_hash(path);
  m.family = family.family;
  if (!config_dir.empty()) {
    const json index = models::read_json_file((fs::path(config_dir) / "model_index.json").string());
    m.force_zeros_for_empty_prompt = index.value("force_zeros_for_empty_prompt", false);
  } else {
    m.force_zeros_for_empty_prompt = family.family == io::ModelFamily::SDXL;  // as SDXL base's model_index.json
  }
  const bool two = !configs.text_encoder_2.is_null();
  const std::string source =
      config_dir.empty() ? (yaml ? options.config_dir : path + " (inferred config)") : config_dir;

  // The UNet and text encoders are built in the run's dtype and filled in place tensor by tensor, the file's
  // pages given back as each is converted (models/load.h): a bf16 run never holds a float32 copy of them, nor the
  // file. The VAE stays float32: a tenth of the weights, and its output is the image.
  m.unet = models::build_in<models::UNet2DConditionModel>(
      options.dtype, models::UNetConfig::from_json(configs.unet, source + " unet"));
  load_component(m.unet, weights, "unet", path);
  m.is_inpaint_unet = m.unet->config.in_channels == 9;
  m.vae = models::AutoencoderKL(models::AutoencoderKLConfig::from_json(configs.vae, source + " vae"));
  load_component(m.vae, weights, "vae", path);

  const bool sd2 = family.family == io::ModelFamily::SD2;
  m.encoders.push_back(make_encoder(config_dir, 0, sd2));
  m.encoders[0].model = models::build_in<models::CLIPTextModel>(
      options.dtype, models::CLIPTextConfig::from_json(configs.text_encoder, source + " text_encoder"));
  load_component(m.encoders[0].model, weights, "text_encoder", path);
  if (two) {
    m.encoders.push_back(make_encoder(config_dir, 1, true));
    m.encoders[1].model = models::build_in<models::CLIPTextModel>(
        options.dtype, models::CLIPTextConfig::from_json(configs.text_encoder_2, source + " text_encoder_2"));
    load_component(m.encoders[1].model, weights, "text_encoder_2", path);
  }
  m.noise = sampling::NoiseConfig::from_json(configs.scheduler);
  // Parameters that took the file's pages as they are freed their construction-time storage, which the tuned
  // allocator (util/allocator.h) would keep resident: up to a second copy of the model.
  malloc_trim(0);
  return m;
}

}  // namespace easel::pipelines
