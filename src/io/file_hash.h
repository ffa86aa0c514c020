// Model hashes, so a PNG names the exact weights that made it. A single checkpoint file's hash is the first 10
// hex digits of its SHA-256, as A1111 and civitai show it ("AutoV2"), so a hash printed by easel finds the same file
// there. A folder (diffusers layout, easel-mini) has no such convention: its hash is the SHA-256 of the lines
// "<relative path> <sha256 of the file>\n" of its weight files (*.safetensors, *.ckpt, *.bin, *.pt), sorted by
// path, so renaming the folder keeps it and changing any weight file changes it.
#pragma once
#include <string>

namespace easel::io {

// 64 lowercase hex digits of the SHA-256 of the file's bytes. Throws easel::Error naming the path when it cannot
// be read.
std::string sha256_file(const std::string& path);

// sha256_file remembered in cache_file (lines "<absolute path>\t<size>\t<mtime ns>\t<sha256>"): a file whose path,
// size and modification time are recorded there is not read again, as A1111's hash cache does. A missing or
// unreadable cache is rebuilt; a cache that cannot be written only costs the next call the hashing.
std::string sha256_file_cached(const std::string& path, const std::string& cache_file);

// Where model_hash keeps its cache: $EASEL_CACHE_DIR/file-hashes.tsv, else $XDG_CACHE_HOME/easel/..., else
// $HOME/.cache/easel/...; "" when none of them is set.
std::string default_hash_cache();

// 64 lowercase hex digits of the SHA-256 of bytes.
std::string sha256_hex(const void* data, size_t size);

// The 10-digit model hash of a weights file or folder (see above). Weight files of 64 MiB or more go through the
// default cache, so loading a 4 GB checkpoint again does not spend seconds hashing it. Throws easel::Error naming the path when it
// does not exist, holds no weight files, or cannot be read.
std::string model_hash(const std::string& path);

}  // namespace easel::io
