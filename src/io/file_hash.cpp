#include "io/file_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include <unistd.h>

#include "io/mapped_file.h"
#include "util/error.h"

namespace easel::io {

namespace fs = std::filesystem;

namespace {

std::string hex(const unsigned char* d, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string s(size_t(n) * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    s[2 * i] = digits[d[i] >> 4];
    s[2 * i + 1] = digits[d[i] & 15];
  }
  return s;
}

bool is_weight_file(const fs::path& p) {
  const std::string e = p.extension().string();
  return e == ".safetensors" || e == ".ckpt" || e == ".bin" || e == ".pt";
}

struct FileStamp {
  std::string path;  // absolute
  uintmax_t size = 0;
  long long mtime_ns = 0;
};

FileStamp stamp_of(const std::string& path) {
  std::error_code ec;
  FileStamp s;
  s.path = fs::absolute(path, ec).lexically_normal().string();
  if (ec) s.path = path;
  s.size = fs::file_size(path, ec);
  check(!ec, "sha256: cannot read " + path + ": " + ec.message());
  s.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   fs::last_write_time(path, ec).time_since_epoch())
                   .count();
  check(!ec, "sha256: cannot read " + path + ": " + ec.message());
  return s;
}

constexpr size_t kMaxCacheEntries = 1000;

// A weight file's sha256; big ones through the cache (hashing 4 GB takes seconds, a small file milliseconds).
std::string weight_file_sha256(const std::string& path) {
  constexpr uintmax_t kCacheFrom = uintmax_t(64) << 20;
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  const std::string cache = default_hash_cache();
  if (ec || size < kCacheFrom || cache.empty()) return sha256_file(path);
  return sha256_file_cached(path, cache);
}

}  // namespace

std::string sha256_hex(const void* data, size_t size) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  check(ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1, "sha256: OpenSSL could not start a digest");
  // EVP_DigestUpdate takes any size; chunks keep a huge mapped file's pages streaming rather than one call.
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t off = 0; off < size;) {
    const size_t len = std::min<size_t>(size - off, size_t(64) << 20);
    check(EVP_DigestUpdate(ctx.get(), p + off, len) == 1, "sha256: digest update failed");
    off += len;
  }
  check(EVP_DigestFinal_ex(ctx.get(), digest, &n) == 1, "sha256: digest failed");
  return hex(digest, n);
}

std::string sha256_file(const std::string& path) {
  std::shared_ptr<MappedFile> f = MappedFile::open(path);
  return sha256_hex(f->data(), f->size());
}

std::string sha256_file_cached(const std::string& path, const std::string& cache_file) {
  const FileStamp st = stamp_of(path);
  std::vector<std::string> keep;  // other files' entries, written back
  {
    std::ifstream in(cache_file);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string p, size, mtime, hash;
      if (!std::getline(fields, p, '\t') || !std::getline(fields, size, '\t') ||
          !std::getline(fields, mtime, '\t') || !std::getline(fields, hash) || hash.size() != 64)
        continue;  // a damaged line is dropped
      if (p != st.path) {
        keep.push_back(line);
        continue;
      }
      if (size == std::to_string(st.size) && mtime == std::to_string(st.mtime_ns)) return hash;
    }
  }
  const std::string hash = sha256_file(path);
  if (keep.size() >= kMaxCacheEntries) keep.erase(keep.begin(), keep.end() - (kMaxCacheEntries - 1));
  keep.push_back(st.path + "\t" + std::to_string(st.size) + "\t" + std::to_string(st.mtime_ns) + "\t" + hash);
  // Written beside the cache and renamed over it, so a reader never sees half a file.
  std::error_code ec;
  fs::create_directories(fs::path(cache_file).parent_path(), ec);
  const std::string tmp = cache_file + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& l : keep) out << l << "\n";
    if (!out) {
      fs::remove(tmp, ec);
      return hash;
    }
  }
  fs::rename(tmp, cache_file, ec);
  if (ec) fs::remove(tmp, ec);
  return hash;
}

std::string default_hash_cache() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  if (!env("EASEL_CACHE_DIR").empty()) return (fs::path(env("EASEL_CACHE_DIR")) / "file-hashes.tsv").string();
  if (!env("XDG_CACHE_HOME").empty())
    return (fs::path(env("XDG_CACHE_HOME")) / "easel" / "file-hashes.tsv").string();
  if (!env("HOME").empty()) return (fs::path(env("HOME")) / ".cache" / "easel" / "file-hashes.tsv").string();
  return {};
}

std::string model_hash(const std::string& path) {
  std::error_code ec;
  check(fs::exists(path, ec), "model hash: " + path + " does not exist");
  if (!fs::is_directory(path, ec)) return weight_file_sha256(path).substr(0, 10);
  fs::path base(path);
  if (!base.has_filename()) base = base.parent_path();  // "dir/" -> "dir"
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file() && is_weight_file(it->path()))
      files.push_back(it->path().lexically_relative(base).generic_string());  // fs::relative would follow symlinks
  check(!ec, "model hash: cannot list " + path + ": " + ec.message());
  check(!files.empty(), "model hash: " + path + " holds no weight files");
  std::sort(files.begin(), files.end());
  std::string lines;
  for (const auto& f : files) lines += f + " " + weight_file_sha256((base / f).string()) + "\n";
  return sha256_hex(lines.data(), lines.size()).substr(0, 10);
}

}  // namespace easel::io
