#include "apps/easel/outputs.h"

#include <filesystem>

#include "util/error.h"

namespace easel::app {

namespace fs = std::filesystem;

std::vector<std::string> output_paths(const std::string& out, int n, bool overwrite) {
  const fs::path p(out);
  const fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  check(fs::is_directory(parent), out + ": folder " + parent.string() + " does not exist");
  std::vector<std::string> paths;
  for (int i = 0; i < n; ++i) {
    const std::string path =
        n == 1 ? out
               : (p.parent_path() / (p.stem().string() + "-" + std::to_string(i) + p.extension().string())).string();
    check(overwrite || !fs::exists(path), path + " already exists (pass --overwrite to replace it)");
    paths.push_back(path);
  }
  return paths;
}

}  // namespace easel::app
