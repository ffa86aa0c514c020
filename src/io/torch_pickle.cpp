// The zip side of torch checkpoints (torch/serialization.py _save: "<folder>/data.pkl", "<folder>/data/<key>",
// "<folder>/byteorder"); the pickle itself is interpreted by torch_unpickler.cpp.
#include "io/torch_pickle.h"

#include <zip.h>

#include <ATen/ATen.h>
#include <fstream>
#include <memory>

#include "util/error.h"

namespace easel::io {
namespace {

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

constexpr uint64_t kMaxPickleBytes = uint64_t(1) << 30;  // real data.pkl files are a few MB at most
constexpr uint64_t kMaxDeflateRatio = 1032;              // the most zlib's deflate can compress

// Size of entry `entry`, after checking the archive's claims are plausible; -1 when absent.
int64_t entry_size(zip_t* z, const std::string& entry, const std::string& name, zip_int64_t* index) {
  *index = zip_name_locate(z, entry.c_str(), 0);
  if (*index < 0) return -1;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(z, *index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
    throw Error(name + ": zip entry '" + entry + "' has no readable size");
  bool plausible = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_STORE
                       ? st.comp_size >= st.size
                       : st.size / kMaxDeflateRatio <= st.comp_size;
  if (!plausible || st.size > uint64_t(INT64_MAX))
    throw Error(name + ": zip entry '" + entry + "' claims an impossible size " + std::to_string(st.size));
  return static_cast<int64_t>(st.size);
}

// Reads the first n bytes of entry `index` into dst.
void read_entry(zip_t* z, zip_int64_t index, void* dst, uint64_t n, const std::string& entry,
                const std::string& name) {
  std::unique_ptr<zip_file_t, ZipFileClose> f(zip_fopen_index(z, index, 0));
  if (!f) throw Error(name + ": cannot open zip entry '" + entry + "': " + zip_strerror(z));
  zip_int64_t got = n ? zip_fread(f.get(), dst, n) : 0;
  if (got < 0 || static_cast<uint64_t>(got) != n)
    throw Error(name + ": zip entry '" + entry + "' is truncated or corrupt (read " + std::to_string(got) + " of " +
                std::to_string(n) + " bytes)");
}

std::string read_small_entry(zip_t* z, const std::string& entry, uint64_t max_bytes, const std::string& name,
                             bool* found) {
  zip_int64_t index;
  int64_t size = entry_size(z, entry, name, &index);
  *found = size >= 0;
  if (size < 0) return "";
  if (static_cast<uint64_t>(size) > max_bytes)
    throw Error(name + ": zip entry '" + entry + "' is implausibly large (" + std::to_string(size) + " bytes)");
  std::string bytes(size, '\0');
  read_entry(z, index, bytes.data(), size, entry, name);
  return bytes;
}

// The archive's folder prefix ("archive/", "model/", ...): the folder holding data.pkl.
std::string find_prefix(zip_t* z, const std::string& name) {
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t k = 0; k < n; ++k) {
    const char* entry = zip_get_name(z, k, 0);
    if (!entry) continue;
    std::string e(entry);
    size_t slash = e.find('/');
    if (slash != std::string::npos && e.compare(slash + 1, std::string::npos, "data.pkl") == 0)
      return e.substr(0, slash + 1);
  }
  if (zip_name_locate(z, "constants.pkl", 0) >= 0 || zip_name_locate(z, "archive/constants.pkl", 0) >= 0)
    throw Error(name + ": a TorchScript archive, not a state dict checkpoint");
  throw Error(name + ": zip archive without <folder>/data.pkl (not a torch.save checkpoint)");
}

StateDict load_from_zip(zip_t* z, const std::string& name) {
  std::string prefix = find_prefix(z, name);
  bool found = false;
  std::string order = read_small_entry(z, prefix + "byteorder", 16, name, &found);
  if (found && order != "little")  // files without the entry predate it and are little-endian
    throw Error(name + ": byteorder '" + order.substr(0, 16) + "' not supported (only little-endian checkpoints)");
  std::string pickle = read_small_entry(z, prefix + "data.pkl", kMaxPickleBytes, name, &found);

  StorageReader reader = [&](const std::string& key, at::ScalarType dtype, int64_t numel) {
    std::string entry = prefix + "data/" + key;
    zip_int64_t index;
    int64_t size = entry_size(z, entry, name, &index);
    if (size < 0) throw Error(name + ": storage '" + key + "' is missing (no zip entry " + entry + ")");
    int64_t need;
    if (__builtin_mul_overflow(numel, static_cast<int64_t>(at::elementSize(dtype)), &need) || size < need)
      throw Error(name + ": storage '" + key + "' holds " + std::to_string(size) + " bytes, its " +
                  std::to_string(numel) + " " + std::string(at::toString(dtype)) + " elements need more");
    at::Tensor t;
    try {
      t = at::empty({numel}, at::TensorOptions().dtype(dtype));
    } catch (const c10::Error&) {
      throw Error(name + ": cannot allocate storage '" + key + "' (" + std::to_string(need) + " bytes)");
    }
    read_entry(z, index, t.data_ptr(), need, entry, name);
    return t;
  };
  return unpickle_state_dict(reinterpret_cast<const uint8_t*>(pickle.data()), pickle.size(), reader, name);
}

std::string zip_error_text(zip_error_t* err) {
  std::string text = zip_error_strerror(err);
  zip_error_fini(err);
  return text;
}

}  // namespace

namespace {
// Whether the file starts with a zip local-file header; throws when it cannot be read at all.
bool starts_like_zip(const std::string& path, uint8_t* first_byte) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file");
  unsigned char magic[4] = {};
  in.read(reinterpret_cast<char*>(magic), 4);
  *first_byte = magic[0];
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}
}  // namespace

bool is_zip_file(const std::string& path) {
  uint8_t first;
  try {
    return starts_like_zip(path, &first);
  } catch (const Error&) {
    return false;
  }
}

StateDict load_torch_checkpoint(const std::string& path) {
  uint8_t first = 0;
  if (!starts_like_zip(path, &first)) {
    if (first == 0x80)
      throw Error(path + ": legacy (non-zip) torch checkpoint not supported (re-save it with torch.save from "
                         "PyTorch >= 1.6, or convert it to safetensors)");
    throw Error(path + ": not a PyTorch zip checkpoint");
  }
  int code = 0;
  ZipPtr z(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!z) {
    zip_error_t err;
    zip_error_init_with_code(&err, code);
    throw Error(path + ": not a readable zip archive (" + zip_error_text(&err) + ")");
  }
  return load_from_zip(z.get(), path);
}

StateDict parse_torch_checkpoint(const uint8_t* data, size_t size, const std::string& name) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(data, size, 0, &err);
  if (!src) throw Error(name + ": cannot read zip from memory (" + zip_error_text(&err) + ")");
  ZipPtr z(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!z) {
    zip_source_free(src);
    throw Error(name + ": not a readable zip archive (" + zip_error_text(&err) + ")");
  }
  zip_error_fini(&err);
  return load_from_zip(z.get(), name);
}

}  // namespace easel::io
