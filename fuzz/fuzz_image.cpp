// libFuzzer harness for io::decode_image: the PNG and JPEG decoders, their setjmp error paths and size checks.
// Every decodable input is also re-encoded as PNG and decoded again, which must give the same pixels.
//   build-fuzz/bin/fuzz_image -max_len=65536 fuzz/corpus/image
#include <cstdint>

#include "io/image.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace easel::io;
  try {
    // 4 Mpixels keeps each run inside libFuzzer's default 2 GB memory limit; the tests cover the real cap.
    Image img = decode_image(data, size, "fuzz", size_t{2048} * 2048);
    if (img.channels < 1 || img.channels > 4 || img.pixels.size() != size_t(img.width) * img.height * img.channels)
      __builtin_trap();
    img.text.clear();  // keys read from files need not be valid for writing (Latin-1, spaces)
    std::vector<uint8_t> png = encode_png(img);
    if (decode_image(png.data(), png.size(), "fuzz-reencoded").pixels != img.pixels) __builtin_trap();
  } catch (const easel::Error&) {
  }
  return 0;
}
