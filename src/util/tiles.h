// Tile origins along one axis, shared by every tiled computation (VAE decode, windowed upsampling).
#pragma once
#include <cstdint>
#include <vector>

namespace easel {

// Starts of tiles of length `tile` along an axis of length `size`: every tile - overlap, the last tile flush with
// the end; {0} when the axis fits in one tile.
inline std::vector<int64_t> tile_starts(int64_t size, int64_t tile, int64_t overlap) {
  if (size <= tile) return {0};
  std::vector<int64_t> starts;
  for (int64_t s = 0; s + tile < size; s += tile - overlap) starts.push_back(s);
  starts.push_back(size - tile);
  return starts;
}

}  // namespace easel
