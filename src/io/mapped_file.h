// A whole file memory-mapped privately (copy-on-write): readers hand out views into it, and writes through a
// view change only this process's copy, never the file. Shared ownership keeps the mapping alive as long as
// any tensor viewing it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace easel::io {

class MappedFile {
 public:
  // Maps `path`; throws easel::Error naming it when it cannot be opened or mapped. An empty file maps to size 0.
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile(uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t* data_;
  size_t size_;
};

}  // namespace easel::io
