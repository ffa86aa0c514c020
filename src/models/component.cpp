#include "models/component.h"

#include <filesystem>

#include "io/safetensors.h"
#include "models/load.h"
#include "util/error.h"

namespace easel::models {

namespace fs = std::filesystem;

std::string component_weights_path(const std::string& dir) {
  for (const char* name : {"diffusion_pytorch_model.safetensors", "model.safetensors",
                           "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors"}) {
    fs::path p = fs::path(dir) / name;
    if (fs::exists(p)) return p.string();
  }
  throw Error(dir + ": no diffusion_pytorch_model.safetensors or model.safetensors in this folder");
}

namespace {
template <typename Model, typename Config>
Model load_component(const std::string& dir) {
  check(fs::is_directory(dir), dir + ": model component folder not found");
  Model model(Config::from_file((fs::path(dir) / "config.json").string()));
  const std::string weights = component_weights_path(dir);
  load_weights(*model, io::load_safetensors(weights), weights);
  model->eval();
  return model;
}
}  // namespace

UNet2DConditionModel load_unet(const std::string& dir) {
  return load_component<UNet2DConditionModel, UNetConfig>(dir);
}
AutoencoderKL load_vae(const std::string& dir) { return load_component<AutoencoderKL, AutoencoderKLConfig>(dir); }
CLIPTextModel load_clip_text_model(const std::string& dir) {
  return load_component<CLIPTextModel, CLIPTextConfig>(dir);
}

}  // namespace easel::models
