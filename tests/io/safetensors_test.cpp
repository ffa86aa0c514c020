#include "io/mapped_file.h"
#include "io/safetensors.h"
#include "util/error.h"

#include "test_util.h"

#include <torch/torch.h>

#include <fstream>
#include <functional>
#include <iterator>

#include <unistd.h>

namespace {

using easel::io::StateDict;
using easel::io::TensorMap;
using easel::test::TempDir;
namespace fs = std::filesystem;

// A safetensors byte string with a raw header (no padding) and `data_bytes` bytes of data 0, 1, 2, ...
std::string build(const std::string& header, size_t data_bytes) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(uint64_t(header.size()) >> (8 * i));
  out += header;
  for (size_t i = 0; i < data_bytes; ++i) out += static_cast<char>(i & 0x7f);
  return out;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

StateDict parse(const std::string& bytes, const std::string& name = "mem.safetensors") {
  return easel::io::parse_safetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
}

// `read` must throw easel::Error with one line that starts with `prefix` (the file) and contains `problem`.
void expect_error(const std::function<void()>& read, const std::string& prefix, const std::string& problem) {
  try {
    read();
    ADD_FAILURE() << prefix << " was accepted; expected an error containing: " << problem;
  } catch (const easel::Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
    EXPECT_NE(msg.find(problem), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

void expect_load_error(const std::string& path, const std::string& problem) {
  expect_error([&] { easel::io::load_safetensors(path); }, fs::path(path).parent_path().string() + "/", problem);
}

// Both readers (in-memory and memory-mapped) must reject `bytes` with one line naming the file and `problem`.
void expect_rejected(const std::string& bytes, const std::string& problem) {
  expect_error([&] { parse(bytes, "bad.safetensors"); }, "bad.safetensors: ", problem);
  TempDir dir;
  fs::path file = dir / "hostile.safetensors";
  write_file(file, bytes);
  expect_error([&] { easel::io::load_safetensors(file.string()); }, file.string() + ": ", problem);
}

std::string f32_entry(const std::string& name, const std::string& shape, uint64_t begin, uint64_t end) {
  return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + std::to_string(begin) +
         "," + std::to_string(end) + "]}";
}

TensorMap every_dtype() {
  torch::manual_seed(0);
  TensorMap m;
  m["f64"] = torch::randn({3, 5}, torch::kDouble);
  m["f32"] = torch::randn({2, 3, 4});
  m["f16"] = torch::randn({7}).to(torch::kHalf);
  m["bf16"] = torch::randn({3, 3}).to(torch::kBFloat16);
  m["i64"] = torch::randint(-(int64_t(1) << 40), int64_t(1) << 40, {5}, torch::kLong);
  m["i32"] = torch::randint(-100000, 100000, {2, 2}, torch::kInt);
  m["i16"] = torch::randint(-30000, 30000, {3}, torch::kShort);
  m["i8"] = torch::randint(-128, 128, {9}, torch::kChar);
  m["u8"] = torch::randint(0, 256, {4, 1}, torch::kByte);
  m["bool"] = torch::randint(0, 2, {5}).to(torch::kBool);
  m["scalar"] = torch::tensor(3.5);
  m["empty"] = torch::zeros({0, 3});
  m["transposed"] = torch::arange(6, torch::kFloat).reshape({2, 3}).t();  // non-contiguous input
  return m;
}

void expect_same(const TensorMap& a, const TensorMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    const torch::Tensor& u = b.at(name);
    EXPECT_EQ(t.scalar_type(), u.scalar_type()) << name;
    EXPECT_EQ(t.sizes(), u.sizes()) << name;
    EXPECT_TRUE(torch::equal(t, u)) << name;
  }
}

TEST(Safetensors, RoundTripsEveryDtypeThroughFileAndBuffer) {
  TempDir dir;
  fs::path file = dir / "all.safetensors";
  TensorMap tensors = every_dtype();
  std::map<std::string, std::string> meta = {{"format", "pt"}, {"note", "{\"json\": [1, 2]}"}};
  easel::io::save_safetensors(file.string(), tensors, meta);

  StateDict loaded = easel::io::load_safetensors(file.string());
  expect_same(tensors, loaded.tensors);
  EXPECT_EQ(loaded.metadata, meta);

  StateDict parsed = parse(read_file(file));
  expect_same(tensors, parsed.tensors);
  EXPECT_EQ(parsed.metadata, meta);
  EXPECT_TRUE(easel::io::is_safetensors(file.string()));
  EXPECT_FALSE(fs::exists(dir / ("all.safetensors.tmp-" + std::to_string(getpid()))));
}

TEST(Safetensors, WriterAlignsEveryTensorAndHeaderToItsElementSize) {
  TempDir dir;
  fs::path file = dir / "aligned.safetensors";
  easel::io::save_safetensors(file.string(), every_dtype());
  std::string bytes = read_file(file);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  EXPECT_EQ((8 + n) % 8, 0u);
  for (const auto& [name, t] : easel::io::load_safetensors(file.string()).tensors)
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % t.element_size(), 0u) << name;
}

TEST(Safetensors, LoadedTensorsAreCopyOnWriteViews) {
  TempDir dir;
  fs::path file = dir / "cow.safetensors";
  easel::io::save_safetensors(file.string(), {{"w", torch::ones({4})}});
  {
    StateDict sd = easel::io::load_safetensors(file.string());
    sd.tensors["w"].mul_(7);  // writes the private mapping, never the file
    EXPECT_TRUE(torch::equal(sd.tensors["w"], torch::full({4}, 7.0)));
  }
  EXPECT_TRUE(torch::equal(easel::io::load_safetensors(file.string()).tensors["w"], torch::ones({4})));
}

TEST(Safetensors, LoadedTensorsViewOneMappingWithoutCopies) {
  TempDir dir;
  fs::path file = dir / "views.safetensors";
  easel::io::save_safetensors(file.string(), {{"a", torch::ones({4})}, {"b", torch::ones({4})}});
  StateDict sd = easel::io::load_safetensors(file.string());
  // "a" holds bytes [0, 16) of the buffer and "b" [16, 32): views into one mapping sit exactly 16 bytes apart.
  EXPECT_EQ(static_cast<char*>(sd.tensors["b"].data_ptr()) - static_cast<char*>(sd.tensors["a"].data_ptr()), 16);
}

// Resident pages of this process (/proc/self/statm, second field).
size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

TEST(Safetensors, ReleasedPagesLeaveMemoryAndReadBackFromTheFile) {
  TempDir dir;
  fs::path file = dir / "big.safetensors";
  const int64_t n = 16 << 20;  // 64 MiB of float32
  easel::io::save_safetensors(file.string(), {{"w", torch::arange(n, torch::kFloat)}});
  StateDict sd = easel::io::load_safetensors(file.string());
  const torch::Tensor& w = sd.tensors["w"];
  const double want = (double(n) - 1) * n / 2;
  EXPECT_EQ(w.sum(torch::kDouble).item<double>(), want);  // every page touched
  const size_t before = resident_bytes();
  easel::io::release_mapped_pages(w.data_ptr(), w.nbytes());
  EXPECT_GT(before - resident_bytes(), size_t(48) << 20);
  EXPECT_EQ(w.sum(torch::kDouble).item<double>(), want);  // faulted back in from the file
  // Heap memory is never a mapping: asking to release it leaves it alone.
  torch::Tensor heap = torch::arange(n, torch::kFloat);
  easel::io::release_mapped_pages(heap.data_ptr(), heap.nbytes());
  EXPECT_EQ(heap.sum(torch::kDouble).item<double>(), want);
}

TEST(Safetensors, TensorsOutliveTheirStateDict) {
  TempDir dir;
  fs::path file = dir / "keep.safetensors";
  easel::io::save_safetensors(file.string(), {{"w", torch::arange(1000, torch::kFloat)}});
  torch::Tensor w = easel::io::load_safetensors(file.string()).tensors["w"];
  fs::remove(file);
  EXPECT_EQ(w.sum().item<float>(), 499500.0f);
}

TEST(Safetensors, MisalignedDataIsCopiedAndReadCorrectly) {
  // Pad the header so the data starts one byte past a multiple of 4.
  std::string header = "{" + f32_entry("w", "[2]", 0, 8) + "}";
  while ((8 + header.size()) % 4 != 1) header += ' ';
  std::string bytes = build(header, 0);
  float values[2] = {1.5f, -2.25f};
  bytes.append(reinterpret_cast<const char*>(values), sizeof values);
  TempDir dir;
  write_file(dir / "odd.safetensors", bytes);
  torch::Tensor w = easel::io::load_safetensors((dir / "odd.safetensors").string()).tensors["w"];
  EXPECT_TRUE(torch::equal(w, torch::tensor({1.5f, -2.25f})));
}

TEST(Safetensors, WriterOverwritesAtomically) {
  TempDir dir;
  fs::path file = dir / "w.safetensors";
  easel::io::save_safetensors(file.string(), {{"a", torch::ones({2})}});
  easel::io::save_safetensors(file.string(), {{"b", torch::zeros({3})}});
  StateDict sd = easel::io::load_safetensors(file.string());
  ASSERT_EQ(sd.tensors.size(), 1u);
  EXPECT_TRUE(sd.tensors.count("b"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
}

TEST(Safetensors, WriterRejectsWhatTheFormatCannotHold) {
  TempDir dir;
  std::string file = (dir / "x.safetensors").string();
  EXPECT_THROW(easel::io::save_safetensors(file, {{"c", torch::zeros({2}, torch::kComplexFloat)}}), easel::Error);
  EXPECT_THROW(easel::io::save_safetensors(file, {{"u", torch::Tensor()}}), easel::Error);
  EXPECT_THROW(easel::io::save_safetensors(file, {{"__metadata__", torch::zeros({1})}}), easel::Error);
  EXPECT_THROW(easel::io::save_safetensors((dir / "missing" / "x.safetensors").string(), {{"a", torch::ones(1)}}),
               easel::Error);
  EXPECT_FALSE(fs::exists(file));
}

TEST(Safetensors, IsSafetensorsLooksAtTheFirstNineBytes) {
  TempDir dir;
  write_file(dir / "text.txt", "hello world, not a checkpoint");
  write_file(dir / "short", std::string("\x02\0\0\0\0\0\0\0{", 9));  // header length past the end
  write_file(dir / "ok", build("{}", 0));
  EXPECT_FALSE(easel::io::is_safetensors((dir / "text.txt").string()));
  EXPECT_FALSE(easel::io::is_safetensors((dir / "short").string()));
  EXPECT_FALSE(easel::io::is_safetensors((dir / "absent").string()));
  EXPECT_TRUE(easel::io::is_safetensors((dir / "ok").string()));
}

TEST(Safetensors, EmptyHeaderAndZeroSizedTensorsAreValid) {
  EXPECT_TRUE(parse(build("{}", 0)).tensors.empty());
  StateDict sd = parse(build("{" + f32_entry("e", "[0, 5]", 0, 0) + "," + f32_entry("s", "[]", 0, 4) + "}", 4));
  EXPECT_EQ(sd.tensors.at("e").sizes(), torch::IntArrayRef({0, 5}));
  EXPECT_EQ(sd.tensors.at("s").dim(), 0);
}

// ---- Real checkpoints from the oracle; expected values read independently with Python's struct + json. ----

TEST(SafetensorsOracle, Sd1DiffusersUnet) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sd1_tiny/diffusers/unet/diffusion_pytorch_model.safetensors");
  StateDict sd = easel::io::load_safetensors(path.string());
  EXPECT_EQ(sd.tensors.size(), 304u);
  for (const auto& [name, t] : sd.tensors) EXPECT_EQ(t.scalar_type(), torch::kFloat) << name;
  EXPECT_EQ(sd.metadata, (std::map<std::string, std::string>{{"format", "pt"}}));
  torch::Tensor w = sd.tensors.at("conv_in.weight");
  EXPECT_EQ(w.sizes(), torch::IntArrayRef({32, 4, 3, 3}));
  EXPECT_EQ(w.flatten()[0].item<float>(), 0.0858772024512291f);
  EXPECT_EQ(w.flatten()[-1].item<float>(), 0.01829119585454464f);
  EXPECT_NEAR(w.to(torch::kDouble).sum().item<double>(), 0.4196256804279983, 1e-9);
}

TEST(SafetensorsOracle, Sd1SingleFile) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sd1_tiny/single_file/sd1_tiny.safetensors");
  StateDict sd = easel::io::load_safetensors(path.string());
  EXPECT_EQ(sd.tensors.size(), 585u);
  EXPECT_TRUE(sd.metadata.empty());
  torch::Tensor ids = sd.tensors.at("cond_stage_model.transformer.text_model.embeddings.position_ids");
  EXPECT_EQ(ids.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(ids, torch::arange(77, torch::kLong).unsqueeze(0)));
  torch::Tensor bias = sd.tensors.at("model.diffusion_model.out.2.bias");
  EXPECT_TRUE(torch::equal(bias, torch::tensor({-0.032652851194143295f, -0.04267847537994385f,
                                                -0.05032312124967575f, 0.015671877190470695f})));
  int64_t f32 = 0;
  for (const auto& [name, t] : sd.tensors) f32 += t.scalar_type() == torch::kFloat;
  EXPECT_EQ(f32, 584);
}

TEST(SafetensorsOracle, SdxlSingleFileFp16) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sdxl_tiny/single_file/sdxl_tiny.safetensors");
  StateDict sd = easel::io::load_safetensors(path.string());
  EXPECT_EQ(sd.tensors.size(), 765u);
  for (const auto& [name, t] : sd.tensors) EXPECT_EQ(t.scalar_type(), torch::kHalf) << name;
  torch::Tensor bias = sd.tensors.at("model.diffusion_model.out.2.bias").to(torch::kFloat);
  EXPECT_TRUE(torch::equal(bias, torch::tensor({-0.04254150390625f, -0.0316162109375f, -0.0142974853515625f,
                                                -0.015777587890625f})));
}

TEST(SafetensorsOracle, UnetRefsHoldScalarsAndMetadata) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sd1_tiny/refs/unet.safetensors");
  StateDict sd = easel::io::load_safetensors(path.string());
  EXPECT_EQ(sd.tensors.size(), 12u);
  EXPECT_EQ(sd.tensors.at("case1.timestep").dim(), 0);
  EXPECT_EQ(sd.tensors.at("case0.timestep").scalar_type(), torch::kLong);
  EXPECT_EQ(sd.tensors.at("case2.sample").sizes(), torch::IntArrayRef({1, 9, 8, 8}));
  EXPECT_EQ(sd.metadata.at("note").rfind("case0/case1: sd1_tiny/diffusers/unet;", 0), 0u);
}

TEST(SafetensorsOracle, EveryOracleFileLoadsAndCoversItsData) {
  EASEL_SHARED_OR_SKIP(root, "oracle");
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".safetensors") continue;
    ++files;
    std::string head = read_file(entry.path()).substr(0, 8);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(head[i]);
    uint64_t bytes = 0;
    for (const auto& [name, t] : easel::io::load_safetensors(entry.path().string()).tensors) bytes += t.nbytes();
    EXPECT_EQ(bytes, entry.file_size() - 8 - n) << entry.path();
    EXPECT_TRUE(easel::io::is_safetensors(entry.path().string())) << entry.path();
  }
  EXPECT_GE(files, 39);  // the 39 files of the oracle's SD1/SDXL sections
}

// ---- Sharded checkpoints. ----

struct Sharded : testing::Test {
  TempDir dir;
  void SetUp() override {
    easel::io::save_safetensors((dir / "model-00001-of-00002.safetensors").string(),
                                {{"a", torch::ones({2})}, {"b", torch::zeros({3}, torch::kHalf)}}, {{"format", "pt"}});
    easel::io::save_safetensors((dir / "model-00002-of-00002.safetensors").string(),
                                {{"c", torch::arange(4, torch::kLong)}}, {{"format", "pt"}, {"shard", "2"}});
  }
  std::string index(const std::string& weight_map) {
    fs::path p = dir / "model.safetensors.index.json";
    write_file(p, "{\"metadata\": {\"total_size\": 46}, \"weight_map\": {" + weight_map + "}}");
    return p.string();
  }
};

TEST_F(Sharded, MergesShardsAndMetadata) {
  StateDict sd = easel::io::load_safetensors(index("\"a\": \"model-00001-of-00002.safetensors\", "
                                                   "\"b\": \"model-00001-of-00002.safetensors\", "
                                                   "\"c\": \"model-00002-of-00002.safetensors\""));
  ASSERT_EQ(sd.tensors.size(), 3u);
  EXPECT_TRUE(torch::equal(sd.tensors.at("c"), torch::arange(4, torch::kLong)));
  EXPECT_EQ(sd.tensors.at("b").scalar_type(), torch::kHalf);
  EXPECT_EQ(sd.metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"shard", "2"}, {"total_size", "46"}}));
}

TEST_F(Sharded, ListedTensorMissingFromItsShardIsAnError) {
  expect_load_error(index("\"a\": \"model-00001-of-00002.safetensors\", \"c\": \"model-00001-of-00002.safetensors\""),
                    "model.safetensors.index.json: tensor 'c': listed in weight_map but missing from shard "
                    "'model-00001-of-00002.safetensors'");
}

TEST_F(Sharded, MissingShardFileIsNamed) {
  expect_load_error(index("\"a\": \"model-00009.safetensors\""), "model-00009.safetensors: cannot open");
}

TEST_F(Sharded, ShardOutsideTheIndexFolderIsRefused) {
  expect_load_error(index("\"a\": \"../model-00001-of-00002.safetensors\""), "is not a file beside the index");
}

TEST_F(Sharded, IndexWithoutWeightMapIsAnError) {
  fs::path p = dir / "bad.index.json";
  write_file(p, "{\"metadata\": {}}");
  EXPECT_THROW(easel::io::load_safetensors(p.string()), easel::Error);
}

// ---- Hostile inputs: each one is a clear error, never a crash. ----

TEST(SafetensorsHostile, FuzzCorpusParsesOrThrowsEaselError) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(EASEL_SOURCE_DIR) / "fuzz/corpus/safetensors")) {
    ++files;
    std::string bytes = read_file(entry.path());
    try {
      parse(bytes);
    } catch (const easel::Error& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << entry.path();
    }
  }
  EXPECT_GT(files, 0);
}

TEST(SafetensorsHostile, TruncatedBeforeHeaderLength) { expect_rejected(std::string("\x10\0\0", 3), "truncated: 3 bytes"); }

TEST(SafetensorsHostile, EmptyFile) { expect_rejected("", "truncated: 0 bytes"); }

TEST(SafetensorsHostile, HeaderLengthPastEndOfFile) {
  std::string bytes = build("{}", 0);
  bytes[0] = 100;
  expect_rejected(bytes, "header length 100 runs past the end of the file (10 bytes)");
}

TEST(SafetensorsHostile, JsonBombHeaderOver100MB) {
  std::string bytes = build("{}", 0);
  bytes[3] = 0x10;  // 2^28 + 2 bytes
  expect_rejected(bytes, "exceeds the 100 MB limit");
}

TEST(SafetensorsHostile, HeaderNotAnObject) { expect_rejected(build("[1, 2]", 0), "does not start with '{'"); }

TEST(SafetensorsHostile, InvalidJson) { expect_rejected(build("{\"w\": {\"dtype\": ", 0), "invalid JSON"); }

TEST(SafetensorsHostile, DeeplyNestedJson) {
  expect_rejected(build("{\"w\": {\"shape\": [[[[[1]]]]]}}", 0), "nested deeper than 3 levels");
}

TEST(SafetensorsHostile, NonObjectEntry) { expect_rejected(build("{\"w\": 5}", 0), "tensor 'w': entry is not an object"); }

TEST(SafetensorsHostile, MissingField) {
  expect_rejected(build("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "tensor 'w': missing data_offsets");
}

TEST(SafetensorsHostile, UnexpectedField) {
  expect_rejected(build("{\"w\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4], \"x\": 1}}", 4),
                  "tensor 'w': unexpected field 'x'");
}

TEST(SafetensorsHostile, UnknownDtype) {
  expect_rejected(build("{\"w\": {\"dtype\": \"Q7\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1),
                  "tensor 'w': unknown dtype 'Q7'");
}

TEST(SafetensorsHostile, DtypeWithoutTorchType) {
  expect_rejected(build("{\"w\": {\"dtype\": \"U16\", \"shape\": [1], \"data_offsets\": [0, 2]}}", 2),
                  "tensor 'w': dtype U16 is not supported");
}

TEST(SafetensorsHostile, NegativeDimension) {
  expect_rejected(build("{" + f32_entry("w", "[2, -2]", 0, 16) + "}", 16), "tensor 'w': negative dimension -2");
}

TEST(SafetensorsHostile, NonIntegerDimension) {
  expect_rejected(build("{" + f32_entry("w", "[2.5]", 0, 8) + "}", 8), "tensor 'w': shape holds a non-integer 2.5");
}

TEST(SafetensorsHostile, ShapeOverflow) {
  expect_rejected(build("{" + f32_entry("w", "[4294967296, 4294967296]", 0, 0) + "}", 0),
                  "tensor 'w': shape [4294967296,4294967296] overflows");
  // Zero elements, but the strides of the other dimensions would still overflow.
  expect_rejected(build("{" + f32_entry("z", "[0, 9223372036854775807, 4]", 0, 0) + "}", 0), "overflows");
  expect_rejected(build("{" + f32_entry("w", "[18446744073709551615]", 0, 0) + "}", 0), "overflows int64");
}

TEST(SafetensorsHostile, OffsetsNotTwoIntegers) {
  expect_rejected(build("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4),
                  "tensor 'w': data_offsets must be two non-negative integers");
  expect_rejected(build("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]}}", 4),
                  "data_offsets must be two non-negative integers");
}

TEST(SafetensorsHostile, OffsetsOutOfRange) {
  expect_rejected(build("{" + f32_entry("w", "[4]", 0, 16) + "}", 12),
                  "tensor 'w': data_offsets end 16 is past the end of the data (12 bytes)");
}

TEST(SafetensorsHostile, BeginAfterEnd) {
  expect_rejected(build("{" + f32_entry("w", "[1]", 8, 4) + "}", 8), "tensor 'w': data_offsets begin 8 > end 4");
}

TEST(SafetensorsHostile, ByteSizeMismatch) {
  expect_rejected(build("{" + f32_entry("w", "[3]", 0, 16) + "}", 16),
                  "tensor 'w': data_offsets cover 16 bytes but shape [3] of F32 needs 12");
}

TEST(SafetensorsHostile, OverlappingOffsets) {
  expect_rejected(build("{" + f32_entry("a", "[2]", 0, 8) + "," + f32_entry("b", "[2]", 4, 12) + "}", 12),
                  "tensor 'b': data_offsets [4, 12) overlap tensor 'a'");
}

TEST(SafetensorsHostile, GapBetweenTensors) {
  expect_rejected(build("{" + f32_entry("a", "[1]", 0, 4) + "," + f32_entry("b", "[1]", 8, 12) + "}", 12),
                  "tensor 'b': gap of 4 unused bytes");
}

TEST(SafetensorsHostile, TrailingBytes) {
  expect_rejected(build("{" + f32_entry("a", "[1]", 0, 4) + "}", 7), "3 trailing bytes after the last tensor");
}

TEST(SafetensorsHostile, DuplicateTensorNames) {
  expect_rejected(build("{" + f32_entry("a", "[1]", 0, 4) + "," + f32_entry("a", "[1]", 4, 8) + "}", 8),
                  "duplicate key 'a'");
}

TEST(SafetensorsHostile, MetadataNotStringToString) {
  expect_rejected(build("{\"__metadata__\": {\"k\": 1}}", 0),
                  "__metadata__ must map strings to strings; 'k' holds a number");
  expect_rejected(build("{\"__metadata__\": [\"k\"]}", 0), "__metadata__ is not an object");
}

TEST(SafetensorsHostile, BoolOutsideZeroOne) {
  expect_rejected(build("{\"m\": {\"dtype\": \"BOOL\", \"shape\": [3], \"data_offsets\": [0, 3]}}", 3),
                  "tensor 'm': BOOL element 2 is 2, not 0 or 1");
}

TEST(SafetensorsHostile, ControlCharactersInNamesStayOnOneLine) {
  expect_rejected(build("{\"a\\nb\": 1}", 0), "tensor 'a\\x0ab': entry is not an object");
}

}  // namespace
