// A checkpoint's contents, whatever file format it came from: named tensors plus string metadata.
// Loaders (safetensors.h, torch_pickle.h) fill it; models load from it by parameter name; pipelines never see
// which format it was.
#pragma once
#include <torch/types.h>

#include <map>
#include <string>

namespace easel::io {

using TensorMap = std::map<std::string, torch::Tensor>;  // sorted by name

struct StateDict {
  TensorMap tensors;
  std::map<std::string, std::string> metadata;  // safetensors __metadata__; empty for pickles
};

}  // namespace easel::io
