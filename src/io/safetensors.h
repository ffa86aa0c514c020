// safetensors checkpoints (https://github.com/huggingface/safetensors, README "Format"): an 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {str: str}},
// then the byte buffer, which the tensors must cover exactly (no gaps, no overlaps, no trailing bytes).
// Every header field is validated; any violation is an easel::Error "<file>: tensor '<name>': <problem>".
// dtypes: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL (all read, all written).
#pragma once
#include "io/state_dict.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace easel::io {

// Loads a .safetensors file (memory-mapped, copy-on-write: tensors are zero-copy views that keep the mapping
// alive, except the rare tensor whose data is not aligned to its element size, which is copied) or a sharded
// checkpoint given its *.index.json (weight_map names files relative to the index; every listed tensor must be
// in its shard; the index "metadata" and the shards' __metadata__ are merged, first value of a key wins).
StateDict load_safetensors(const std::string& path);

// Parses an in-memory safetensors buffer (copies tensors out). `name` is used in error messages.
StateDict parse_safetensors(const uint8_t* data, size_t size, const std::string& name);

// Writes tensors (made contiguous, on the CPU) + string metadata, ordered by element size then name so every
// tensor is aligned; atomic (temp file in the same folder, then rename). Throws easel::Error naming the file.
void save_safetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// True when the file starts like a safetensors file (8-byte LE header length then '{'); false if unreadable.
bool is_safetensors(const std::string& path);

}  // namespace easel::io
