// Builds pickles and torch.save-style zips byte by byte, so tests can make well-formed, hostile and broken
// checkpoints without Python. Opcodes as in CPython's Lib/pickletools.py.
#pragma once
#include <gtest/gtest.h>
#include <zip.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace easel::test {

class PickleBuilder {
 public:
  PickleBuilder() { bytes_ += "\x80\x02"; }  // PROTO 2
  PickleBuilder& op(char c) { bytes_ += c; return *this; }
  PickleBuilder& mark() { return op('('); }
  PickleBuilder& str(const std::string& s) {
    op('X');
    le(s.size(), 4);
    bytes_ += s;
    return *this;
  }
  PickleBuilder& integer(int32_t v) {
    op('J');
    le(static_cast<uint32_t>(v), 4);
    return *this;
  }
  PickleBuilder& global(const std::string& module, const std::string& name) {
    bytes_ += 'c' + module + '\n' + name + '\n';
    return *this;
  }
  PickleBuilder& stack_global(const std::string& module, const std::string& name) {
    str(module).str(name);
    return op('\x93');
  }
  PickleBuilder& ints(const std::vector<int64_t>& v) {
    mark();
    for (int64_t x : v) integer(static_cast<int32_t>(x));
    return op('t');
  }
  PickleBuilder& empty_ordered_dict() { return global("collections", "OrderedDict").op(')').op('R'); }
  // _rebuild_tensor_v2(persistent storage (storage_type, key, numel), offset, size, stride, False, OrderedDict()).
  PickleBuilder& tensor(const std::string& storage_type, const std::string& key, int64_t numel, int64_t offset,
                        const std::vector<int64_t>& size, const std::vector<int64_t>& stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    mark().str("storage").global("torch", storage_type).str(key).str("cpu").integer(numel).op('t').op('Q');
    integer(offset).ints(size).ints(stride).op('\x89').empty_ordered_dict();
    return op('t').op('R');
  }
  PickleBuilder& stop() { return op('.'); }
  const std::string& bytes() const { return bytes_; }

 private:
  void le(uint64_t v, int n) {
    for (int k = 0; k < n; ++k) bytes_ += static_cast<char>((v >> (8 * k)) & 0xff);
  }
  std::string bytes_;
};

// Writes a zip with the given entries (stored, uncompressed, as torch.save does).
inline void write_zip(const std::filesystem::path& path, const std::map<std::string, std::string>& entries) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr) << "cannot create " << path;
  for (const auto& [name, data] : entries) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    zip_int64_t index = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0) << zip_strerror(z);
    zip_set_file_compression(z, index, ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

// Raw little-endian bytes of float values (a storage entry).
inline std::string float_bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// A torch.save zip in folder "archive/" with data.pkl = pickle and data/<key> = storages.
inline void write_torch_zip(const std::filesystem::path& path, const std::string& pickle,
                            const std::map<std::string, std::string>& storages) {
  std::map<std::string, std::string> entries = {{"archive/data.pkl", pickle}, {"archive/byteorder", "little"},
                                                {"archive/version", "3\n"}};
  for (const auto& [key, data] : storages) entries["archive/data/" + key] = data;
  write_zip(path, entries);
}

}  // namespace easel::test
