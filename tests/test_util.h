// Helpers shared by every test: where the shared reference data is, and running the built CLI.
#pragma once
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace easel::test {

// ../shared (overridable with EASEL_SHARED); empty when absent.
inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("EASEL_SHARED")) return env;
  std::filesystem::path p = EASEL_SHARED_DIR;
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

// Path under ../shared, or skips the calling test with a clear message when it is absent.
#define EASEL_SHARED_OR_SKIP(var, relpath)                                                  \
  std::filesystem::path var = ::easel::test::shared_dir() / (relpath);                      \
  if (::easel::test::shared_dir().empty() || !std::filesystem::exists(var))                 \
    GTEST_SKIP() << "shared test data not found: " << (relpath) << " (expected under ../shared)"

// A fresh temporary folder for one test, removed at destruction.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "easel-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::error_code ec; std::filesystem::remove_all(path, ec); }
  std::filesystem::path operator/(const std::string& name) const { return path / name; }
};

struct RunResult {
  int exit_code;
  std::string out;  // stdout and stderr together
};

// Runs the built `easel` binary with the given arguments (shell-quoted by the caller).
inline RunResult run_easel(const std::string& args) {
  std::string cmd = std::string(EASEL_BIN_DIR) + "/easel " + args + " 2>&1";
  RunResult r{0, ""};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace easel::test
