#include "io/mapped_file.h"

#include "util/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>

namespace easel::io {

namespace {
// Live mappings, start address -> size: release_mapped_pages must never discard anonymous (heap) pages.
std::mutex g_mappings_mutex;
std::map<uintptr_t, size_t> g_mappings;
}  // namespace

void release_mapped_pages(const void* data, size_t bytes) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data), end = begin + bytes;
  std::lock_guard<std::mutex> lock(g_mappings_mutex);
  auto it = g_mappings.upper_bound(begin);
  if (it == g_mappings.begin()) return;
  --it;
  if (end > it->first + it->second) return;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;  // whole pages only
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(path + ": not a regular file");
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* data = nullptr;
  if (size > 0) {
    // PROT_WRITE + MAP_PRIVATE: writes to a loaded tensor copy the page instead of faulting on a read-only page.
    data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int err = errno;
    ::close(fd);
    if (data == MAP_FAILED) throw Error(path + ": cannot memory-map (" + std::strerror(err) + ")");
  } else {
    ::close(fd);
  }
  if (data) {
    std::lock_guard<std::mutex> lock(g_mappings_mutex);
    g_mappings[reinterpret_cast<uintptr_t>(data)] = size;
  }
  return std::shared_ptr<MappedFile>(new MappedFile(static_cast<uint8_t*>(data), size));
}

MappedFile::~MappedFile() {
  if (!data_) return;
  {
    std::lock_guard<std::mutex> lock(g_mappings_mutex);
    g_mappings.erase(reinterpret_cast<uintptr_t>(data_));
  }
  ::munmap(data_, size_);
}

}  // namespace easel::io
