#include "text/default_vocab.h"

#include <cstdlib>
#include <system_error>

#include "util/error.h"

namespace easel::text {
namespace fs = std::filesystem;
namespace {

bool holds_vocab(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "bpe_simple_vocab_16e6.txt.gz", ec) ||
         (fs::exists(dir / "vocab.json", ec) && fs::exists(dir / "merges.txt", ec));
}

}  // namespace

fs::path default_clip_vocab() {
  if (const char* env = std::getenv("EASEL_CLIP_VOCAB"); env && *env) {
    if (!fs::exists(env)) throw Error(std::string("EASEL_CLIP_VOCAB names a missing path: ") + env);
    return env;
  }
  std::error_code ec;
  fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (int up = 0; !ec && up <= 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
    for (const char* sub : {"share/easel/clip-bpe", "data/clip-bpe", "shared/clip-bpe"})
      if (holds_vocab(dir / sub)) return dir / sub;
    if (dir == dir.root_path()) break;
  }
  throw Error("no CLIP vocabulary found: pass --tokenizer PATH (bpe_simple_vocab_16e6.txt.gz, vocab.json or a "
              "model folder) or set EASEL_CLIP_VOCAB");
}

}  // namespace easel::text
