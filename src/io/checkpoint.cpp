#include "io/checkpoint.h"

#include <filesystem>
#include <fstream>

#include "io/safetensors.h"
#include "io/torch_pickle.h"
#include "util/error.h"

namespace easel::io {

CheckpointFormat checkpoint_format(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": no such file");
  if (fs::is_directory(path, ec))
    throw Error(path + ": is a folder, not a checkpoint file (a diffusers folder loads per component)");
  const std::string index_suffix = ".safetensors.index.json";
  if (path.size() >= index_suffix.size() &&
      path.compare(path.size() - index_suffix.size(), index_suffix.size(), index_suffix) == 0)
    return CheckpointFormat::SafetensorsIndex;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  if (is_safetensors(path)) return CheckpointFormat::Safetensors;
  char first = 0;
  in.get(first);
  // A zip, or a bare pickle (PROTO opcode 0x80: torch.save before PyTorch 1.6).
  if (is_zip_file(path) || static_cast<uint8_t>(first) == 0x80) return CheckpointFormat::TorchSave;
  throw Error(path + ": not a checkpoint easel reads (expected safetensors or a PyTorch zip checkpoint)");
}

StateDict load_checkpoint(const std::string& path) {
  switch (checkpoint_format(path)) {
    case CheckpointFormat::Safetensors:
    case CheckpointFormat::SafetensorsIndex:
      return load_safetensors(path);
    case CheckpointFormat::TorchSave:
      return load_torch_checkpoint(path);
  }
  throw Error(path + ": unreadable checkpoint");
}

}  // namespace easel::io
