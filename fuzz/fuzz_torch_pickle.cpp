// libFuzzer harness for the restricted unpickler (and, for inputs that start like a zip, the whole torch.save
// reader). Every input must end in a StateDict or an easel::Error; anything else (crash, sanitizer report, other
// exception) is a bug. Storages are served as zeros, up to a small size, so the fuzzer explores the pickle logic.
#include <torch/types.h>

#include "io/torch_pickle.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const easel::io::StorageReader storages = [](const std::string& key, torch::ScalarType dtype,
                                                      int64_t numel) {
    if (key == "missing" || numel > 4096) throw easel::Error("fuzz: storage '" + key + "' unavailable");
    return torch::zeros({numel}, torch::TensorOptions().dtype(dtype));
  };
  try {
    if (size >= 2 && data[0] == 'P' && data[1] == 'K')
      easel::io::parse_torch_checkpoint(data, size, "fuzz.pth");
    else
      easel::io::unpickle_state_dict(data, size, storages, "fuzz.pkl");
  } catch (const easel::Error&) {
  }
  return 0;
}
