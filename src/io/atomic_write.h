// Whole-file writes that never leave a half-written file under the final name.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace easel::io {

// Writes bytes to path through a unique temporary file in the same folder and a rename (atomic on POSIX), so a
// reader sees the old file or the new one and concurrent writers don't collide. Throws easel::Error naming path.
void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace easel::io
