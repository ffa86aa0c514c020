// One entry point for every checkpoint file easel reads: the format is told from the content, not the extension.
#pragma once
#include <string>

#include "io/state_dict.h"

namespace easel::io {

enum class CheckpointFormat {
  Safetensors,       // a .safetensors file (8-byte header length, then a JSON header)
  SafetensorsIndex,  // a sharded checkpoint's *.safetensors.index.json
  TorchSave,         // torch.save output (.ckpt/.pt/.pth/.bin): a zip, or a legacy bare pickle that the loader
                     // refuses with a clear message
};

// The format of the file at `path`. Throws easel::Error naming the file when it is missing, a folder, or
// nothing easel reads.
CheckpointFormat checkpoint_format(const std::string& path);

// Loads any supported checkpoint: safetensors (single or sharded index) via load_safetensors, torch zips via the
// safe unpickler (load_torch_checkpoint). Errors are easel::Error naming the file.
StateDict load_checkpoint(const std::string& path);

}  // namespace easel::io
