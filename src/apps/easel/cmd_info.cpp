// `easel info PATH`: what a checkpoint file or a diffusers folder holds (tensors, totals, model family).
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/easel/command.h"
#include "io/checkpoint.h"
#include "io/image.h"
#include "io/model_family.h"
#include "pipelines/generation_params.h"
#include "util/error.h"

namespace easel::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Options {
  std::string path;
  bool tensors = false;
  bool no_tensors = false;
  bool json = false;
};

// safetensors dtype names, which read the same for every format.
std::string dtype_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat: return "F32";
    case torch::kHalf: return "F16";
    case torch::kBFloat16: return "BF16";
    case torch::kDouble: return "F64";
    case torch::kLong: return "I64";
    case torch::kInt: return "I32";
    case torch::kShort: return "I16";
    case torch::kChar: return "I8";
    case torch::kByte: return "U8";
    case torch::kBool: return "BOOL";
    default: return c10::toString(t);
  }
}

std::string shape_text(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? ", " : "") + std::to_string(t.size(d));
  return s + "]";
}

struct Totals {
  int64_t tensors = 0, parameters = 0, bytes = 0;
  void add(const io::TensorMap& m) {
    for (const auto& [name, t] : m) {
      tensors += 1;
      parameters += t.numel();
      bytes += t.numel() * static_cast<int64_t>(t.element_size());
    }
  }
};

// "3770530 (3.77M)": exact for scripts and tests, rounded for people.
std::string count_text(int64_t n, const char* unit) {
  std::ostringstream s;
  s << n;
  const char* suffix[] = {"", "K", "M", "G", "T"};
  double v = static_cast<double>(n);
  int k = 0;
  while (v >= 1000 && k < 4) v /= 1000, ++k;
  if (k) s << " (" << std::setprecision(3) << v << suffix[k] << unit << ")";
  return s.str();
}

json family_json(const io::FamilyInfo& f) {
  return {{"name", f.name()}, {"layout", f.layout}, {"inpainting", f.inpainting}, {"note", f.note}};
}

std::string family_text(const io::FamilyInfo& f) {
  std::string s = f.name();
  if (!f.layout.empty()) s += " (" + f.layout + " layout)";
  if (!f.note.empty()) s += "; " + f.note;
  return s;
}

json tensors_json(const io::TensorMap& m) {
  json list = json::array();
  for (const auto& [name, t] : m) list.push_back({{"name", name}, {"dtype", dtype_name(t.scalar_type())}, {"shape", t.sizes().vec()}});
  return list;
}

void print_tensors(const io::TensorMap& m, const std::string& indent) {
  size_t width = 0;
  for (const auto& [name, t] : m) width = std::max(width, std::min<size_t>(name.size(), 72));
  for (const auto& [name, t] : m)
    std::cout << indent << std::left << std::setw(width) << name << "  " << std::setw(4)
              << dtype_name(t.scalar_type()) << "  " << shape_text(t) << "\n";
}

void print_totals(const Totals& t, const std::string& indent) {
  std::cout << indent << "tensors: " << t.tensors << "\n"
            << indent << "parameters: " << count_text(t.parameters, "") << "\n"
            << indent << "bytes: " << count_text(t.bytes, "B") << "\n";
}

int info_file(const Options& o) {
  io::StateDict sd = io::load_checkpoint(o.path);
  Totals totals;
  totals.add(sd.tensors);
  io::FamilyInfo family = io::detect_family(sd);
  bool show = !o.no_tensors;
  if (o.json) {
    json j = {{"path", o.path}, {"kind", "file"}, {"tensor_count", totals.tensors},
              {"parameters", totals.parameters}, {"bytes", totals.bytes}, {"family", family_json(family)},
              {"metadata", sd.metadata}};
    if (show) j["tensors"] = tensors_json(sd.tensors);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  if (show) print_tensors(sd.tensors, "");
  std::cout << "file: " << o.path << "\n";
  print_totals(totals, "");
  std::cout << "family: " << family_text(family) << "\n";
  return 0;
}

// The weights of one diffusers component folder, in the order diffusers itself prefers them; "" when none.
std::string find_weights(const fs::path& dir) {
  for (const char* name : {"diffusion_pytorch_model.safetensors", "model.safetensors",
                           "diffusion_pytorch_model.safetensors.index.json", "model.safetensors.index.json",
                           "diffusion_pytorch_model.bin", "pytorch_model.bin"})
    if (fs::is_regular_file(dir / name)) return (dir / name).string();
  return "";
}

// The config facts worth a glance, from whichever config file the component has.
json config_facts(const fs::path& dir) {
  static const char* keys[] = {"in_channels", "out_channels", "latent_channels", "block_out_channels",
                               "layers_per_block", "cross_attention_dim", "attention_head_dim", "sample_size",
                               "addition_embed_type", "scaling_factor", "hidden_size", "num_hidden_layers",
                               "num_attention_heads", "projection_dim", "hidden_act", "vocab_size",
                               "num_train_timesteps", "beta_schedule", "prediction_type", "timestep_spacing",
                               "model_max_length", "pad_token"};
  json facts = json::object();
  for (const char* file : {"config.json", "scheduler_config.json", "tokenizer_config.json", "preprocessor_config.json"}) {
    std::ifstream in(dir / file);
    if (!in) continue;
    json config = json::parse(in, nullptr, false);
    if (config.is_discarded()) throw Error((dir / file).string() + ": not valid JSON");
    for (const char* k : keys)
      if (config.contains(k) && !config[k].is_null()) facts[k] = config[k];
    break;
  }
  return facts;
}

int info_folder(const Options& o) {
  fs::path root(o.path);
  std::ifstream in(root / "model_index.json");
  if (!in) {  // a single component folder (e.g. unet/): describe its weights as a file
    std::string weights = find_weights(root);
    if (weights.empty()) throw Error(o.path + ": not a diffusers folder (no model_index.json) and holds no weights");
    Options file = o;
    file.path = weights;
    return info_file(file);
  }
  json index = json::parse(in, nullptr, false);
  if (index.is_discarded() || !index.is_object()) throw Error((root / "model_index.json").string() + ": not valid JSON");
  io::FamilyInfo family = io::detect_family_diffusers(o.path);
  bool show = o.tensors;
  Totals all;
  json components = json::array();
  for (const auto& [name, spec] : index.items()) {
    if (name.empty() || name[0] == '_' || !spec.is_array() || spec.size() != 2 || !spec[1].is_string()) continue;
    json c = {{"name", name}, {"library", spec[0].is_string() ? spec[0].get<std::string>() : ""},
              {"class", spec[1].get<std::string>()}, {"config", config_facts(root / name)}};
    std::string weights = find_weights(root / name);
    io::StateDict sd;
    if (!weights.empty()) {
      sd = io::load_checkpoint(weights);
      Totals t;
      t.add(sd.tensors);
      all.tensors += t.tensors, all.parameters += t.parameters, all.bytes += t.bytes;
      c["weights"] = {{"file", fs::path(weights).filename().string()}, {"tensor_count", t.tensors},
                      {"parameters", t.parameters}, {"bytes", t.bytes}};
      if (show) c["weights"]["tensors"] = tensors_json(sd.tensors);
      if (name == "unet" && family.family == io::ModelFamily::Unknown) family = io::detect_family(sd);
    }
    if (!o.json) {
      std::cout << name << ": " << c["class"].get<std::string>();
      if (!c["library"].get<std::string>().empty()) std::cout << " (" << c["library"].get<std::string>() << ")";
      std::cout << "\n";
      if (!c["config"].empty()) {
        std::cout << "  config:";
        for (const auto& [k, v] : c["config"].items()) std::cout << " " << k << "=" << v.dump();
        std::cout << "\n";
      }
      if (c.contains("weights")) {
        const json& w = c["weights"];
        std::cout << "  weights: " << w["file"].get<std::string>() << ", " << w["tensor_count"] << " tensors, "
                  << count_text(w["parameters"].get<int64_t>(), "") << " parameters, " << count_text(w["bytes"].get<int64_t>(), "B")
                  << " bytes\n";
        if (show) print_tensors(sd.tensors, "    ");
      }
    }
    components.push_back(std::move(c));
  }
  if (o.json) {
    json j = {{"path", o.path}, {"kind", "diffusers"}, {"pipeline", index.value("_class_name", "")},
              {"components", components}, {"tensor_count", all.tensors}, {"parameters", all.parameters},
              {"bytes", all.bytes}, {"family", family_json(family)}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "pipeline: " << index.value("_class_name", "?") << " (" << o.path << ")\n";
  print_totals(all, "");
  std::cout << "family: " << family_text(family) << "\n";
  return 0;
}

// A generated image: its `parameters` text (A1111 layout; a PNG text chunk or a JPEG comment), or with --json the
// exact `easel` entry.
int info_image(const Options& o) {
  const io::Image img = io::read_image(o.path);
  if (o.json) {
    std::cout << pipelines::GenerationParams::from_png_text(img.text, o.path).to_json().dump(2) << "\n";
    return 0;
  }
  for (const auto& [key, value] : img.text)
    if (key == "parameters") {
      std::cout << value << "\n";
      return 0;
    }
  throw Error(o.path + ": image has no generation parameters (no `parameters` text)");
}

int run_info(const Options& o) {
  std::error_code ec;
  if (!fs::exists(o.path, ec)) throw Error(o.path + ": no such file or folder");
  if (fs::is_directory(o.path, ec)) return info_folder(o);
  return io::is_image_file(o.path) ? info_image(o) : info_file(o);
}

}  // namespace

EASEL_COMMAND("info", "Show what a checkpoint or diffusers folder holds, or the parameters of a generated image",
              [](CLI::App& sub) -> std::function<int()> {
                auto o = std::make_shared<Options>();
                sub.footer(
                    "PATH is a checkpoint file (.safetensors, a sharded *.safetensors.index.json, or a PyTorch\n"
                    ".ckpt/.pt/.pth/.bin zip, read without running any pickled code) or a diffusers folder\n"
                    "(with model_index.json). For a file, prints every tensor (name, dtype, shape), then the\n"
                    "tensor count, parameters and bytes, and the model family (SD1.x, SD2.x, SDXL, unCLIP,\n"
                    "inpainting variants, easel's own) where it can be told. For a folder, prints each\n"
                    "component's class, main config values and weight totals, then the pipeline's totals\n"
                    "and family. For a PNG or JPEG made by easel (or an A1111 PNG), prints its generation parameters\n"
                    "(--json: the exact values `easel generate --from` uses).\n\n"
                    "Examples:\n"
                    "  easel info v1-5-pruned-emaonly.safetensors\n"
                    "  easel info --no-tensors sd_xl_base_1.0.safetensors\n"
                    "  easel info --json stable-diffusion-v1-5/\n"
                    "  easel info out.png");
                sub.add_option("PATH", o->path, "checkpoint file or diffusers folder")->required();
                auto* t = sub.add_flag("--tensors", o->tensors,
                                       "list every tensor (default for a file; for a folder, per component)");
                sub.add_flag("--no-tensors", o->no_tensors, "print only the totals and the family")->excludes(t);
                sub.add_flag("--json", o->json, "machine-readable JSON output instead of text");
                return [o] { return run_info(*o); };
              });

}  // namespace easel::app
