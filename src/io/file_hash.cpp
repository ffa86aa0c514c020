#include "io/file_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

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

std::string model_hash(const std::string& path) {
  std::error_code ec;
  check(fs::exists(path, ec), "model hash: " + path + " does not exist");
  if (!fs::is_directory(path, ec)) return sha256_file(path).substr(0, 10);
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file() && is_weight_file(it->path()))
      files.push_back(fs::relative(it->path(), path).generic_string());
  check(!ec, "model hash: cannot list " + path + ": " + ec.message());
  check(!files.empty(), "model hash: " + path + " holds no weight files");
  std::sort(files.begin(), files.end());
  std::string lines;
  for (const auto& f : files) lines += f + " " + sha256_file((fs::path(path) / f).string()) + "\n";
  return sha256_hex(lines.data(), lines.size()).substr(0, 10);
}

}  // namespace easel::io
