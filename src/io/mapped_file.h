// A whole file memory-mapped privately (copy-on-write): readers hand out views into it, and writes through a
// view change only this process's copy, never the file. Shared ownership keeps the mapping alive as long as
// any tensor viewing it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace easel::io {

// Gives the whole pages of [data, data + bytes) that lie in a live MappedFile back to the kernel
// (madvise MADV_DONTNEED): they stop counting towards the process's memory, and a later read faults them in again
// from the file, so views of them stay valid as long as nothing wrote through them (a loaded checkpoint tensor is
// copied into the model, never written). A range outside every mapping (heap memory) is left alone.
void release_mapped_pages(const void* data, size_t bytes);

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
