#include "pipelines/sd_model.h"

#include <filesystem>

#include "io/checkpoint.h"
#include "io/ldm_layout.h"
#include "io/safetensors.h"
#include "models/component.h"
#include "models/config_json.h"
#include "models/load.h"
#include "text/default_vocab.h"
#include "util/error.h"

namespace easel::pipelines {

namespace fs = std::filesystem;
using nlohmann::json;

SDConfigs read_diffusers_configs(const std::string& folder) {
  const fs::path root(folder);
  check(fs::is_directory(root), folder + ": config folder not found (expected a diffusers model folder)");
  auto read = [&](const char* component, const char* file) {
    return models::read_json_file((root / component / file).string());
  };
  SDConfigs c;
  c.unet = read("unet", "config.json");
  c.vae = read("vae", "config.json");
  c.text_encoder = read("text_encoder", "config.json");
  if (fs::exists(root / "text_encoder_2" / "config.json")) c.text_encoder_2 = read("text_encoder_2", "config.json");
  c.scheduler = read("scheduler", "scheduler_config.json");
  return c;
}

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

ComponentWeights single_file_weights(const std::string& path) {
  io::StateDict sd = io::load_checkpoint(path);
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
  std::string config_dir = options.config_dir;
  if (folder) {
    check(fs::exists(fs::path(path) / "model_index.json"),
          path + ": not a diffusers model folder (no model_index.json)");
    if (config_dir.empty()) config_dir = path;
  } else {
    check(!config_dir.empty(), path + ": single-file checkpoint needs its configs: pass --config DIR (a diffusers "
                                      "folder of the same architecture)");
  }
  const SDConfigs configs = read_diffusers_configs(config_dir);

  SDModel m;
  m.name = fs::path(path).filename().replace_extension().string();
  if (m.name.empty()) m.name = fs::path(path).parent_path().filename().string();  // "dir/" spelling
  const io::FamilyInfo family = io::detect_family_diffusers(config_dir);
  m.family = family.family;
  const json index = models::read_json_file((fs::path(config_dir) / "model_index.json").string());
  m.force_zeros_for_empty_prompt = index.value("force_zeros_for_empty_prompt", false);

  const bool two = !configs.text_encoder_2.is_null();
  ComponentWeights weights = folder ? folder_weights(path, two) : single_file_weights(path);

  m.unet = models::UNet2DConditionModel(models::UNetConfig::from_json(configs.unet, config_dir + "/unet"));
  load_component(m.unet, weights, "unet", path);
  m.is_inpaint_unet = m.unet->config.in_channels == 9;
  m.vae = models::AutoencoderKL(models::AutoencoderKLConfig::from_json(configs.vae, config_dir + "/vae"));
  load_component(m.vae, weights, "vae", path);

  const bool sd2 = family.family == io::ModelFamily::SD2;
  m.encoders.push_back(make_encoder(config_dir, 0, sd2));
  m.encoders[0].model =
      models::CLIPTextModel(models::CLIPTextConfig::from_json(configs.text_encoder, config_dir + "/text_encoder"));
  load_component(m.encoders[0].model, weights, "text_encoder", path);
  if (two) {
    m.encoders.push_back(make_encoder(config_dir, 1, true));
    m.encoders[1].model = models::CLIPTextModel(
        models::CLIPTextConfig::from_json(configs.text_encoder_2, config_dir + "/text_encoder_2"));
    load_component(m.encoders[1].model, weights, "text_encoder_2", path);
  }
  m.noise = sampling::NoiseConfig::from_json(configs.scheduler);

  if (options.dtype != torch::kFloat) {
    m.unet->to(options.dtype);
    for (auto& e : m.encoders) e.model->to(options.dtype);
  }
  return m;
}

}  // namespace easel::pipelines
