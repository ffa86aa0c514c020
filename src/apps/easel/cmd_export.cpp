// `easel export IN OUT [--dtype bf16|fp16|fp32] [--weights ema|trained] [--overwrite]`: rewrites an easel model file
// (a trainer's EMA output) with its weights in a smaller dtype, metadata kept: how the built-in model's files under
// models/easel-mini are made. IN may also be a trainer checkpoint: its EMA or its trained weights become the file.
#include <torch/torch.h>

#include <filesystem>
#include <iostream>

#include "apps/easel/command.h"
#include "io/model_family.h"
#include "io/safetensors.h"
#include "train/trainer.h"
#include "util/error.h"

namespace easel::app {
namespace {

std::function<int()> setup(CLI::App& sub) {
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto dtype = std::make_shared<std::string>("bf16");
  auto overwrite = std::make_shared<bool>(false);
  auto weights = std::make_shared<std::string>("ema");
  sub.add_option("input", *in, "an easel model file, or a trainer's checkpoint.safetensors")->required();
  sub.add_option("output", *out, "the file to write (refused if it exists, unless --overwrite)")->required();
  sub.add_flag("--overwrite", *overwrite, "Replace an existing output file (atomically)");
  sub.add_option("--dtype", *dtype, "weights dtype")
      ->check(CLI::IsMember({"bf16", "fp16", "fp32"}))
      ->capture_default_str();
  sub.add_option("--weights", *weights, "of a checkpoint: its EMA weights or its trained (raw) weights")
      ->check(CLI::IsMember({"ema", "trained"}))
      ->capture_default_str();
  return [=]() -> int {
    check(*overwrite || !std::filesystem::exists(*out), *out + " already exists (pass --overwrite to replace it)");
    io::StateDict sd = io::load_safetensors(*in);
    if (sd.metadata.count("easel.train")) sd = train::model_file_of_checkpoint(sd, *weights == "ema", *in);
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
