// libFuzzer harness for the safetensors parser: any input must either parse or throw easel::Error. Anything else
// (a crash, a sanitizer report, another exception type escaping) is a bug. Seeds: fuzz/corpus/safetensors/
// (minimized with -set_cover_merge=1 -use_counters=0), tokens: -dict=fuzz/safetensors.dict.
#include "io/safetensors.h"
#include "util/error.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    easel::io::StateDict sd = easel::io::parse_safetensors(data, size, "fuzz.safetensors");
    for (const auto& [name, t] : sd.tensors) (void)t.sum();  // touch every element of the copied tensors
  } catch (const easel::Error&) {
  }
  return 0;
}
