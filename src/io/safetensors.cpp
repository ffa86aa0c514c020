#include "io/safetensors.h"

#include "io/mapped_file.h"
#include "util/error.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace easel::io {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The reference implementation's limit (safetensors README "Benefits": 100 MB header against JSON bombs).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// Deepest legal nesting: top object > tensor entry > shape array. Anything deeper is rejected while parsing.
constexpr int kMaxJsonDepth = 3;
constexpr size_t kMaxRank = 64;

struct Dtype {
  const char* name;
  torch::ScalarType type;
  size_t itemsize;
};
constexpr Dtype kDtypes[] = {
    {"F64", torch::kDouble, 8}, {"F32", torch::kFloat, 4}, {"F16", torch::kHalf, 2}, {"BF16", torch::kBFloat16, 2},
    {"I64", torch::kLong, 8},   {"I32", torch::kInt, 4},   {"I16", torch::kShort, 2}, {"I8", torch::kChar, 1},
    {"U8", torch::kByte, 1},    {"BOOL", torch::kBool, 1},
};
// In the format but without a LibTorch 1.13 scalar type.
const std::set<std::string> kUnsupportedDtypes = {"U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4",
                                                  "F6_E2M3", "F6_E3M2", "C64"};

// Names and parser messages come from the file: keep error messages on one readable line.
std::string printable(const std::string& s) {
  constexpr size_t kMax = 160;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

[[noreturn]] void fail(const std::string& file, const std::string& problem) {
  throw Error(printable(file) + ": " + problem);
}
[[noreturn]] void fail(const std::string& file, const std::string& tensor, const std::string& problem) {
  fail(file, "tensor '" + printable(tensor) + "': " + problem);
}

uint64_t read_le_u64(const uint8_t* p) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | p[i];
  return n;
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// One validated header entry; offsets are relative to the start of the byte buffer.
struct Entry {
  std::string name;
  const Dtype* dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

struct Header {
  std::vector<Entry> entries;
  std::map<std::string, std::string> metadata;
  size_t data_start;  // offset of the byte buffer in the file
};

// Parses the JSON, rejecting duplicate keys at any level (the format disallows them; nlohmann would keep one
// silently) and nesting deeper than any valid header.
json parse_json(const char* begin, const char* end, const std::string& file) {
  std::vector<std::set<std::string>> keys;  // keys seen, per open object
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth)
      fail(file, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.back().insert(parsed.get<std::string>()).second)
      fail(file, "duplicate key '" + printable(parsed.get<std::string>()) + "' in JSON");
    return true;
  };
  try {
    return json::parse(begin, end, callback);
  } catch (const json::exception& e) {
    fail(file, std::string("invalid JSON: ") + printable(e.what()));
  }
}

std::map<std::string, std::string> parse_metadata(const json& j, const std::string& file) {
  if (!j.is_object()) fail(file, "__metadata__ is not an object");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string())
      fail(file, "__metadata__ must map strings to strings; '" + printable(key) + "' holds a " + value.type_name());
    out[key] = value.get<std::string>();
  }
  return out;
}

const Dtype& parse_dtype(const json& j, const std::string& file, const std::string& name) {
  if (!j.is_string()) fail(file, name, "dtype is not a string");
  const std::string& s = j.get_ref<const std::string&>();
  for (const Dtype& d : kDtypes)
    if (s == d.name) return d;
  if (kUnsupportedDtypes.count(s)) fail(file, name, "dtype " + s + " is not supported (no LibTorch type)");
  fail(file, name, "unknown dtype '" + printable(s) + "'");
}

// Returns the shape; checks every dimension is a non-negative integer and that the element count and the
// contiguous strides (product of max(dim, 1)) fit in int64 once multiplied by the element size.
std::vector<int64_t> parse_shape(const json& j, const Dtype& dtype, const std::string& file,
                                 const std::string& name) {
  if (!j.is_array()) fail(file, name, "shape is not a list");
  if (j.size() > kMaxRank) fail(file, name, "shape has " + std::to_string(j.size()) + " dimensions (max 64)");
  std::vector<int64_t> shape;
  uint64_t span = dtype.itemsize;
  constexpr uint64_t kLimit = std::numeric_limits<int64_t>::max();
  for (const json& d : j) {
    if (d.is_number_integer() && !d.is_number_unsigned())
      fail(file, name, "negative dimension " + std::to_string(d.get<int64_t>()) + " in shape");
    if (!d.is_number_unsigned()) fail(file, name, "shape holds a non-integer " + d.dump());
    uint64_t v = d.get<uint64_t>();
    if (v > kLimit) fail(file, name, "dimension " + std::to_string(v) + " in shape overflows int64");
    uint64_t factor = std::max<uint64_t>(v, 1);
    if (span > kLimit / factor) fail(file, name, "shape " + j.dump() + " overflows (too many bytes)");
    span *= factor;
    shape.push_back(static_cast<int64_t>(v));
  }
  return shape;
}

std::pair<uint64_t, uint64_t> parse_offsets(const json& j, const std::string& file, const std::string& name) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number_unsigned() || !j[1].is_number_unsigned())
    fail(file, name, "data_offsets must be two non-negative integers, got " + printable(j.dump()));
  return {j[0].get<uint64_t>(), j[1].get<uint64_t>()};
}

Entry parse_entry(const std::string& name, const json& j, uint64_t buffer_size, const std::string& file) {
  if (!j.is_object()) fail(file, name, "entry is not an object");
  for (const auto& [key, value] : j.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      fail(file, name, "unexpected field '" + printable(key) + "'");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!j.contains(key)) fail(file, name, std::string("missing ") + key);
  Entry e{name, &parse_dtype(j["dtype"], file, name), {}, 0, 0};
  e.shape = parse_shape(j["shape"], *e.dtype, file, name);
  std::tie(e.begin, e.end) = parse_offsets(j["data_offsets"], file, name);
  if (e.begin > e.end)
    fail(file, name, "data_offsets begin " + std::to_string(e.begin) + " > end " + std::to_string(e.end));
  if (e.end > buffer_size)
    fail(file, name, "data_offsets end " + std::to_string(e.end) + " is past the end of the data (" +
                         std::to_string(buffer_size) + " bytes)");
  uint64_t numel = 1;
  for (int64_t d : e.shape) numel *= static_cast<uint64_t>(d);  // cannot overflow: parse_shape bounded it
  uint64_t expected = numel * e.dtype->itemsize;
  if (e.end - e.begin != expected)
    fail(file, name, "data_offsets cover " + std::to_string(e.end - e.begin) + " bytes but shape " +
                         shape_str(e.shape) + " of " + e.dtype->name + " needs " + std::to_string(expected));
  return e;
}

// The format requires the tensors to tile the byte buffer exactly: no overlap, no hole, nothing after the last.
void check_coverage(std::vector<Entry>& entries, uint64_t buffer_size, const std::string& file) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  uint64_t covered = 0;
  const Entry* prev = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < covered)
      fail(file, e.name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                             ") overlap tensor '" + printable(prev->name) + "'");
    if (e.begin > covered)
      fail(file, e.name, "gap of " + std::to_string(e.begin - covered) + " unused bytes before its data");
    covered = e.end;
    prev = &e;
  }
  if (covered != buffer_size)
    fail(file, std::to_string(buffer_size - covered) + " trailing bytes after the last tensor's data");
}

// torch treats bool bytes other than 0 and 1 as undefined behaviour.
void check_bools(const Entry& e, const uint8_t* buffer, const std::string& file) {
  for (uint64_t i = e.begin; i < e.end; ++i)
    if (buffer[i] > 1)
      fail(file, e.name, "BOOL element " + std::to_string(i - e.begin) + " is " + std::to_string(buffer[i]) +
                             ", not 0 or 1");
}

Header parse_header(const uint8_t* data, size_t size, const std::string& file) {
  if (size < 8) fail(file, "truncated: " + std::to_string(size) + " bytes, less than the 8-byte header length");
  uint64_t n = read_le_u64(data);
  if (n > kMaxHeaderBytes)
    fail(file, "header length " + std::to_string(n) + " exceeds the 100 MB limit (JSON bomb?)");
  if (n > size - 8)
    fail(file, "truncated: header length " + std::to_string(n) + " runs past the end of the file (" +
                   std::to_string(size) + " bytes)");
  const char* text = reinterpret_cast<const char*>(data + 8);
  if (n == 0 || text[0] != '{') fail(file, "header does not start with '{'");
  json j = parse_json(text, text + n, file);

  Header h;
  h.data_start = 8 + n;
  uint64_t buffer_size = size - h.data_start;
  for (const auto& [name, value] : j.items()) {
    if (name == "__metadata__")
      h.metadata = parse_metadata(value, file);
    else
      h.entries.push_back(parse_entry(name, value, buffer_size, file));
  }
  check_coverage(h.entries, buffer_size, file);
  for (const Entry& e : h.entries)
    if (e.dtype->type == torch::kBool) check_bools(e, data + h.data_start, file);
  return h;
}

torch::Tensor copy_out(const Entry& e, const uint8_t* buffer) {
  torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype->type));
  if (e.end > e.begin) std::memcpy(t.data_ptr(), buffer + e.begin, e.end - e.begin);
  return t;
}

StateDict load_file(const std::string& path) {
  std::shared_ptr<MappedFile> map = MappedFile::open(path);
  Header h = parse_header(map->data(), map->size(), path);
  StateDict out;
  out.metadata = std::move(h.metadata);
  uint8_t* buffer = map->data() + h.data_start;
  for (const Entry& e : h.entries) {
    uint8_t* p = buffer + e.begin;
    if (reinterpret_cast<uintptr_t>(p) % e.dtype->itemsize != 0) {
      out.tensors[e.name] = copy_out(e, buffer);  // torch kernels assume element-aligned data
      continue;
    }
    out.tensors[e.name] = torch::from_blob(
        p, e.shape, [map](void*) {}, torch::TensorOptions().dtype(e.dtype->type));
  }
  return out;
}

// Sharded checkpoint: {"metadata": {...}, "weight_map": {tensor: shard file relative to the index}}.
StateDict load_index(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const json index = parse_json(text.data(), text.data() + text.size(), path);
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    fail(path, "sharded index has no weight_map object");
  std::map<std::string, std::string> weight_map;
  std::set<std::string> shard_names;
  for (const auto& [tensor, shard] : index["weight_map"].items()) {
    if (!shard.is_string()) fail(path, tensor, "weight_map value is not a file name");
    fs::path rel(shard.get<std::string>());
    if (rel.empty() || rel.is_absolute() || std::find(rel.begin(), rel.end(), "..") != rel.end())
      fail(path, tensor, "shard '" + printable(rel.string()) + "' is not a file beside the index");
    weight_map[tensor] = rel.string();
    shard_names.insert(rel.string());
  }
  StateDict out;
  if (index.contains("metadata")) {
    if (!index["metadata"].is_object()) fail(path, "sharded index metadata is not an object");
    for (const auto& [key, value] : index["metadata"].items())
      out.metadata[key] = value.is_string() ? value.get<std::string>() : value.dump();  // e.g. total_size
  }
  fs::path dir = fs::path(path).parent_path();
  std::map<std::string, StateDict> shards;
  for (const std::string& name : shard_names) {
    StateDict shard = load_file((dir / name).string());
    out.metadata.insert(shard.metadata.begin(), shard.metadata.end());  // keeps existing keys
    shards[name] = std::move(shard);
  }
  for (const auto& [tensor, shard] : weight_map) {
    auto it = shards[shard].tensors.find(tensor);
    if (it == shards[shard].tensors.end())
      fail(path, tensor, "listed in weight_map but missing from shard '" + printable(shard) + "'");
    out.tensors[tensor] = it->second;
  }
  return out;
}

const Dtype& dtype_for_writing(const torch::Tensor& t, const std::string& path, const std::string& name) {
  for (const Dtype& d : kDtypes)
    if (t.scalar_type() == d.type) return d;
  fail(path, name, std::string("dtype ") + c10::toString(t.scalar_type()) + " cannot be stored in safetensors");
}

}  // namespace

StateDict load_safetensors(const std::string& path) {
  return fs::path(path).extension() == ".json" ? load_index(path) : load_file(path);
}

StateDict parse_safetensors(const uint8_t* data, size_t size, const std::string& name) {
  Header h = parse_header(data, size, name);
  StateDict out;
  out.metadata = std::move(h.metadata);
  for (const Entry& e : h.entries) out.tensors[e.name] = copy_out(e, data + h.data_start);
  return out;
}

void save_safetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata) {
  struct Item {
    std::string name;
    const Dtype* dtype;
    torch::Tensor data;
  };
  std::vector<Item> items;
  for (const auto& [name, t] : tensors) {
    if (!t.defined()) fail(path, name, "tensor is undefined");
    if (name == "__metadata__") fail(path, "'__metadata__' is reserved and cannot name a tensor");
    items.push_back({name, &dtype_for_writing(t, path, name), t.to(torch::kCPU).contiguous()});
  }
  // Largest elements first: every offset is then a multiple of its element size (sizes are powers of two).
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.dtype->itemsize != b.dtype->itemsize ? a.dtype->itemsize > b.dtype->itemsize : a.name < b.name;
  });
  json header = json::object();
  uint64_t offset = 0;
  for (const Item& it : items) {
    uint64_t bytes = it.data.numel() * it.dtype->itemsize;
    header[it.name] = {{"dtype", it.dtype->name}, {"shape", it.data.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception&) {
    fail(path, "tensor names and metadata must be valid UTF-8");
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // 8-byte aligned buffer start, as the reference writer does

  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail(path, std::string("cannot write (") + std::strerror(errno) + ")");
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(uint64_t(text.size()) >> (8 * i));
  bool ok = std::fwrite(len, 1, 8, f) == 8 && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  for (const Item& it : items) {
    size_t bytes = it.data.numel() * it.dtype->itemsize;
    ok = ok && (bytes == 0 || std::fwrite(it.data.data_ptr(), 1, bytes, f) == bytes);
  }
  ok = ok && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  int err = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    std::remove(tmp.c_str());
    fail(path, std::string("cannot write (") + std::strerror(err) + ")");
  }
}

bool is_safetensors(const std::string& path) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  uint8_t head[9];
  if (ec || !in.read(reinterpret_cast<char*>(head), 9)) return false;
  uint64_t n = read_le_u64(head);
  return head[8] == '{' && n <= kMaxHeaderBytes && n <= size - 8;
}

}  // namespace easel::io
