// Reading diffusers / transformers config.json files: typed lookups with defaults, per-block lists, and rejection
// of settings an implementation does not support. Every failure is an easel::Error naming the file and key.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "util/error.h"

namespace easel::models {

// Parses the JSON file at path.
nlohmann::json read_json_file(const std::string& path);

// j[key] converted to T, or fallback when the key is absent or null.
template <typename T>
T json_get(const nlohmann::json& j, const std::string& key, const T& fallback, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(source + ": config key '" + key + "' has an unexpected type: " + it->dump());
  }
}

// j[key] as n integers: a scalar is repeated n times, a list must have n entries; fallback when absent/null.
std::vector<int64_t> json_per_block(const nlohmann::json& j, const std::string& key, size_t n, int64_t fallback,
                                    const std::string& source);

// Throws unless j[key] is absent, null, or equal to one of `allowed` (the settings an implementation supports).
void json_require(const nlohmann::json& j, const std::string& key, const std::vector<nlohmann::json>& allowed,
                  const std::string& source);

}  // namespace easel::models
