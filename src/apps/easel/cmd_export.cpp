// `easel export IN OUT [--dtype bf16|fp16|fp32]`: rewrites an easel model file (a trainer's EMA output) with its
// weights in a smaller dtype, metadata kept: how the built-in model's files under models/easel-mini are made.
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "apps/easel/command.h"
#include "io/model_family.h"
#include "io/safetensors.h"
#include "util/error.h"

namespace easel::app {
namespace {

std::function<int()> setup(CLI::App& sub) {
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto dtype = std::make_shared<std::string>("bf16");
  sub.add_option("input", *in, "an easel model file (.safetensors)")->required();
  sub.add_option("output", *out, "the file to write (replaced atomically)")->required();
  sub.add_option("--dtype", *dtype, "weights dtype")->check(CLI::IsMember({"bf16", "fp16", "fp32"}))->capture_default_str();
  return [=]() -> int {
    io::StateDict sd = io::load_safetensors(*in);
    check(sd.metadata.count(io::kEaselModelKey) > 0, *in + ": not an easel model file (no easel.model metadata)");
    const auto type = *dtype == "bf16" ? torch::kBFloat16 : *dtype == "fp16" ? torch::kHalf : torch::kFloat;
    io::TensorMap tensors;
    for (const auto& [name, t] : sd.tensors)
      tensors[name] = t.is_floating_point() ? t.to(type).contiguous() : t.contiguous();
    io::save_safetensors(*out, tensors, sd.metadata);
    std::cerr << "wrote " << *out << " (" << std::filesystem::file_size(*out) << " bytes, " << *dtype << ")\n";
    return 0;
  };
}

}  // namespace

EASEL_COMMAND("export", "Rewrite an easel model file in another dtype (bf16 to ship).", setup);

}  // namespace easel::app
