// PyTorch checkpoints (.ckpt/.pt/.pth) written by torch.save since PyTorch 1.6: a zip holding <folder>/data.pkl
// (a pickle of the state dict in which each tensor's storage is a persistent id), <folder>/data/<key> (the raw
// little-endian bytes of each storage), <folder>/byteorder and <folder>/version (torch/serialization.py,
// _save / _load).
//
// Loading is SAFE: a restricted unpickler interprets the opcodes state dicts use (protocols 0-5, minus the
// object-construction ones nothing here needs) and never executes anything. It accepts only these globals:
//   collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter(_with_state),
//   torch.{Float,Half,BFloat16,Double,Long,Int,Short,Char,Byte,Bool}Storage;
// plus a few inert names that real Lightning / CompVis .ckpt files carry in their training metadata (numpy
// scalars and dtypes, _codecs.encode, builtins.set, Lightning's ModelCheckpoint): these are never called, they
// only stand for an opaque value that is then ignored. Any other global (os.system, builtins.eval, ...) is an
// easel::Error "<file>: refusing pickle global 'module.name' ...".
//
// Which tensors a StateDict gets: if the pickled top-level dict has a "state_dict" entry that is a dict
// (PyTorch Lightning / CompVis .ckpt), only that dict is used; otherwise the top-level dict. Tensor values are
// kept under their key; nested dicts are flattened with '.' ("first_stage_model": {"encoder.conv_in.weight": t}
// -> "first_stage_model.encoder.conv_in.weight"); non-tensor leaves (ints, strings, lists, opaque values) are
// ignored. Tensors are views (as_strided) on their storage, so tensors that share a storage share memory.
//
// Every malformed input (truncated zip, bad opcode, stack underflow, unknown memo index, missing storage,
// storage too small for the tensor's size/stride) is a one-line easel::Error naming the file.
#pragma once
#include "io/state_dict.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace easel::io {

// Loads a torch.save zip checkpoint from a file. Legacy (pre-1.6, non-zip) files are refused with a clear error.
StateDict load_torch_checkpoint(const std::string& path);

// Same, from a zip held in memory. `name` is used in error messages.
StateDict parse_torch_checkpoint(const uint8_t* data, size_t size, const std::string& name);

// Returns storage `key` as a 1-D tensor of `numel` elements of `dtype`; throws easel::Error when it is absent or
// holds fewer bytes than that.
using StorageReader = std::function<torch::Tensor(const std::string& key, torch::ScalarType dtype, int64_t numel)>;

// Interprets one data.pkl (the unpickler alone, for callers that hold the storages elsewhere, and for fuzzing).
StateDict unpickle_state_dict(const uint8_t* pickle, size_t size, const StorageReader& storages,
                              const std::string& name);

// True when the file starts with a zip local-file header (what torch.save writes).
bool is_zip_file(const std::string& path);

}  // namespace easel::io
