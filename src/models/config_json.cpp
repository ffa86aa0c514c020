#include "models/config_json.h"

#include <fstream>

namespace easel::models {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  check(bool(in), path + ": cannot open config file");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

std::vector<int64_t> json_per_block(const nlohmann::json& j, const std::string& key, size_t n, int64_t fallback,
                                    const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::vector<int64_t>(n, fallback);
  if (it->is_number_integer()) return std::vector<int64_t>(n, it->get<int64_t>());
  auto list = json_get<std::vector<int64_t>>(j, key, {}, source);
  check(list.size() == n, source + ": config key '" + key + "' has " + std::to_string(list.size()) +
                              " entries, expected " + std::to_string(n) + " (one per block)");
  return list;
}

void json_require(const nlohmann::json& j, const std::string& key, const std::vector<nlohmann::json>& allowed,
                  const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  for (const auto& a : allowed)
    if (*it == a) return;
  throw Error(source + ": unsupported config value " + key + " = " + it->dump());
}

}  // namespace easel::models
