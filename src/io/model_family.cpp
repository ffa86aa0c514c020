#include "io/model_family.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace easel::io {
namespace {

constexpr const char* kSd2Note = "SD2.x 512 (epsilon) and 768 (v-prediction) share weights' shapes; the "
                                 "prediction type comes from the config or model card, not the file";

bool has_prefix(const TensorMap& t, const std::string& prefix) {
  auto it = t.lower_bound(prefix);
  return it != t.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

// conv_in takes 4 latent channels, or 9 for inpainting UNets; -1 when the tensor is absent.
int64_t conv_in_channels(const TensorMap& t, const std::string& key) {
  auto it = t.find(key);
  return it != t.end() && it->second.dim() == 4 ? it->second.size(1) : -1;
}

// A UNet whose transformer proj_in is linear (2-D weight) is SD2.x/SDXL style; a 1x1 conv (4-D) is SD1.x style.
bool linear_proj_in(const TensorMap& t, const std::string& unet_prefix) {
  for (auto it = t.lower_bound(unet_prefix); it != t.end() && it->first.compare(0, unet_prefix.size(), unet_prefix) == 0;
       ++it) {
    const std::string& k = it->first;
    if (k.size() > 15 && k.compare(k.size() - 15, 15, ".proj_in.weight") == 0) return it->second.dim() == 2;
  }
  return false;
}

FamilyInfo detect_ldm(const TensorMap& t) {
  FamilyInfo f;
  f.layout = "ldm";
  const std::string unet = "model.diffusion_model.";
  f.inpainting = conv_in_channels(t, unet + "input_blocks.0.0.weight") == 9;
  if (has_prefix(t, "conditioner.embedders.")) {
    f.family = has_prefix(t, "conditioner.embedders.1.") ? ModelFamily::SDXL : ModelFamily::SDXLRefiner;
  } else if (has_prefix(t, unet + "label_emb.") && has_prefix(t, "embedder.")) {
    f.family = ModelFamily::SD2Unclip;
  } else if (has_prefix(t, "cond_stage_model.model.")) {
    f.family = ModelFamily::SD2;
  } else if (has_prefix(t, "cond_stage_model.transformer.")) {
    f.family = ModelFamily::SD1;
  } else {  // UNet alone: tell SD1 from SD2 by the projection style
    f.family = linear_proj_in(t, unet) ? ModelFamily::SD2 : ModelFamily::SD1;
    f.note = "UNet only; family told from its proj_in layout";
  }
  if (f.family == ModelFamily::SD2 || f.family == ModelFamily::SD2Unclip) f.note = kSd2Note;
  return f;
}

// A diffusers UNet2DConditionModel's own weights (conv_in.weight, down_blocks.*).
FamilyInfo detect_diffusers_unet(const TensorMap& t) {
  FamilyInfo f;
  f.layout = "diffusers";
  f.inpainting = conv_in_channels(t, "conv_in.weight") == 9;
  if (has_prefix(t, "add_embedding.")) {
    f.family = ModelFamily::SDXL;
    f.note = "diffusers UNet only; base and refiner UNets are told apart by the pipeline";
  } else {
    f.family = linear_proj_in(t, "down_blocks.") ? ModelFamily::SD2 : ModelFamily::SD1;
    f.note = f.family == ModelFamily::SD2 ? kSd2Note : "diffusers UNet only; family told from its proj_in layout";
  }
  return f;
}

nlohmann::json read_json(const std::filesystem::path& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (required) throw Error(path.string() + ": cannot open file");
    return nlohmann::json::object();
  }
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": not valid JSON (" + e.what() + ")");
  }
}

// model_index.json lists a component as [library, class] or [null, null] when absent.
bool has_component(const nlohmann::json& index, const char* name) {
  auto it = index.find(name);
  return it != index.end() && it->is_array() && it->size() == 2 && (*it)[1].is_string();
}

}  // namespace

std::string FamilyInfo::name() const {
  std::string base;
  switch (family) {
    case ModelFamily::Unknown: return "unknown";
    case ModelFamily::SD1: base = "SD1.x"; break;
    case ModelFamily::SD2: base = "SD2.x"; break;
    case ModelFamily::SDXL: base = "SDXL base"; break;
    case ModelFamily::SDXLRefiner: base = "SDXL refiner"; break;
    case ModelFamily::SD2Unclip: base = "SD2.x unCLIP"; break;
    case ModelFamily::Karlo: base = "unCLIP (Karlo)"; break;
    case ModelFamily::Easel: base = "easel (" + easel_model + ")"; break;
  }
  return inpainting ? base + " inpainting" : base;
}

FamilyInfo detect_family(const StateDict& sd) {
  auto easel = sd.metadata.find(kEaselModelKey);
  if (easel != sd.metadata.end()) {
    FamilyInfo f;
    f.family = ModelFamily::Easel;
    f.easel_model = easel->second;
    f.layout = "easel";
    return f;
  }
  if (has_prefix(sd.tensors, "model.diffusion_model.")) return detect_ldm(sd.tensors);
  if (sd.tensors.count("conv_in.weight") && has_prefix(sd.tensors, "down_blocks.") &&
      has_prefix(sd.tensors, "time_embedding."))
    return detect_diffusers_unet(sd.tensors);
  return {};
}

FamilyInfo detect_family_diffusers(const std::string& folder) {
  namespace fs = std::filesystem;
  fs::path root(folder);
  nlohmann::json index = read_json(root / "model_index.json", true);
  std::string cls = index.value("_class_name", "");
  FamilyInfo f;
  f.layout = "diffusers";
  nlohmann::json unet = read_json(root / "unet" / "config.json", false);
  if (unet.contains("in_channels") && unet["in_channels"].is_number_integer())
    f.inpainting = unet["in_channels"].get<int64_t>() == 9;
  auto starts = [&](const char* p) { return cls.rfind(p, 0) == 0; };
  if (starts("StableDiffusionXL")) {
    f.family = has_component(index, "text_encoder") ? ModelFamily::SDXL : ModelFamily::SDXLRefiner;
  } else if (starts("StableUnCLIP")) {
    f.family = ModelFamily::SD2Unclip;
    f.note = kSd2Note;
  } else if (starts("UnCLIP")) {
    f.family = ModelFamily::Karlo;
  } else if (starts("StableDiffusion")) {
    // SD1.x uses OpenAI CLIP ViT-L (quick_gelu), SD2.x OpenCLIP ViT-H (gelu) with linear UNet projections.
    nlohmann::json te = read_json(root / "text_encoder" / "config.json", false);
    bool openclip = te.value("hidden_act", "") == "gelu" || unet.value("use_linear_projection", false);
    f.family = openclip ? ModelFamily::SD2 : ModelFamily::SD1;
    if (openclip) {
      std::string prediction = read_json(root / "scheduler" / "scheduler_config.json", false)
                                   .value("prediction_type", "");
      f.note = prediction.empty() ? kSd2Note : "scheduler prediction_type " + prediction;
    }
  }
  return f;
}

}  // namespace easel::io
