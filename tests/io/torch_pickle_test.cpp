#include "io/torch_pickle.h"

#include <fstream>

#include "io/pickle_builder.h"
#include "io/torch_pickle_expected.h"
#include "test_util.h"
#include "util/error.h"

namespace easel::io {
namespace {

using test::PickleBuilder;

void expect_matches(const StateDict& sd, const std::vector<test::ExpectedTensor>& expected) {
  ASSERT_EQ(sd.tensors.size(), expected.size());
  for (const auto& e : expected) {
    auto it = sd.tensors.find(e.name);
    ASSERT_NE(it, sd.tensors.end()) << e.name;
    const torch::Tensor& t = it->second;
    EXPECT_EQ(t.scalar_type(), e.dtype) << e.name;
    EXPECT_EQ(t.sizes().vec(), e.shape) << e.name;
    double sum = t.to(torch::kDouble).sum().item<double>();
    EXPECT_NEAR(sum, e.sum, 1e-9 * std::max(1.0, std::abs(e.sum))) << e.name;
  }
}

TEST(TorchPickle, Taef2DecoderMatchesTorchLoad) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/taesd/taef2_decoder.pth");
  expect_matches(load_torch_checkpoint(path.string()), test::kTaef2Decoder);
}

TEST(TorchPickle, Taef2EncoderMatchesTorchLoad) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/taesd/taef2_encoder.pth");
  expect_matches(load_torch_checkpoint(path.string()), test::kTaef2Encoder);
}

TEST(TorchPickle, MnistDdpmMatchesTorchLoad) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/hot_vs_cold_diffusion/ddpm_mnist_starter.pth");
  StateDict sd = load_torch_checkpoint(path.string());
  expect_matches(sd, test::kDdpmMnist);
  // A size-1 dimension with an unusual stride (49, 49, 7, 1) must still read the right values.
  EXPECT_EQ(sd.tensors.at("gt.blocks.0.net.0.weight").strides().vec(), (std::vector<int64_t>{49, 49, 7, 1}));
}

TEST(TorchPickle, InMemoryZipMatchesFile) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/hot_vs_cold_diffusion/ddpm_mnist_starter.pth");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  StateDict sd = parse_torch_checkpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "mem");
  expect_matches(sd, test::kDdpmMnist);
}

// Lightning layout: only "state_dict" counts; storage offsets and strides are honoured; views share storage.
TEST(TorchPickle, LightningCheckpointWithStridedTensors) {
  PickleBuilder p;
  p.op('}').mark();
  p.str("epoch").integer(3);
  p.str("state_dict").op('}').mark();
  p.str("model.t").tensor("FloatStorage", "0", 10, 2, {2, 3}, {1, 2});  // transposed view from offset 2
  p.str("model.row").tensor("FloatStorage", "0", 10, 8, {2}, {1});
  p.str("model.h").global("torch._utils", "_rebuild_parameter").mark();
  p.tensor("HalfStorage", "1", 2, 0, {2}, {1}).op('\x88').empty_ordered_dict().op('t').op('R');
  p.str("nested").op('}').str("w").tensor("FloatStorage", "0", 10, 0, {1}, {1}).op('s');
  p.str("step").integer(7).op('u');
  p.str("optimizer_states").op(']').mark().op('}').str("exp_avg");
  p.tensor("FloatStorage", "0", 10, 0, {10}, {1}).op('s').op('e');
  p.op('u').stop();
  std::vector<float> values = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::string half_bytes("\x00\x3c\x00\x40", 4);  // 1.0, 2.0 in IEEE half
  test::TempDir dir;
  test::write_torch_zip(dir / "lightning.ckpt", p.bytes(), {{"0", test::float_bytes(values)}, {"1", half_bytes}});

  StateDict sd = load_torch_checkpoint((dir / "lightning.ckpt").string());
  std::vector<std::string> names;
  for (const auto& [name, t] : sd.tensors) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"model.h", "model.row", "model.t", "nested.w"}));
  torch::Tensor t = sd.tensors.at("model.t");
  EXPECT_TRUE(torch::equal(t, torch::tensor({{2.f, 4.f, 6.f}, {3.f, 5.f, 7.f}})));  // element (i, j) = 2 + i + 2j
  EXPECT_TRUE(torch::equal(sd.tensors.at("model.row"), torch::tensor({8.f, 9.f})));
  EXPECT_EQ(sd.tensors.at("model.h").scalar_type(), torch::kHalf);
  EXPECT_TRUE(torch::equal(sd.tensors.at("model.h").to(torch::kFloat), torch::tensor({1.f, 2.f})));
  EXPECT_EQ(sd.tensors.at("nested.w").item<float>(), 0.f);
  EXPECT_EQ(sd.tensors.at("model.t").data_ptr<float>() - 2, sd.tensors.at("nested.w").data_ptr<float>());
  EXPECT_TRUE(sd.metadata.empty());
}

// Without "state_dict" the top-level dict is the state dict; nested dicts are flattened with '.'.
TEST(TorchPickle, NestedDictFlattenedWithDots) {
  PickleBuilder p;
  p.op('}').mark().str("first_stage_model").op('}').str("encoder.w");
  p.tensor("FloatStorage", "0", 1, 0, {}, {}).op('s');
  p.str("name").str("not a tensor").op('u').stop();
  StateDict sd = unpickle_state_dict(
      reinterpret_cast<const uint8_t*>(p.bytes().data()), p.bytes().size(),
      [](const std::string&, torch::ScalarType dtype, int64_t n) { return torch::full({n}, 5, dtype); }, "mem");
  ASSERT_EQ(sd.tensors.size(), 1u);
  EXPECT_EQ(sd.tensors.at("first_stage_model.encoder.w").item<float>(), 5.f);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string unpickle_error(const std::string& pickle) {
  return error_of([&] {
    unpickle_state_dict(
        reinterpret_cast<const uint8_t*>(pickle.data()), pickle.size(),
        [](const std::string& key, torch::ScalarType dtype, int64_t n) -> torch::Tensor {
          if (key != "0") throw Error("mem.pkl: storage '" + key + "' is missing");
          return torch::zeros({n}, dtype);
        },
        "mem.pkl");
  });
}

std::string zip_error(const std::string& pickle, const std::map<std::string, std::string>& storages = {}) {
  test::TempDir dir;
  test::write_torch_zip(dir / "evil.pth", pickle, storages);
  return error_of([&] { load_torch_checkpoint((dir / "evil.pth").string()); });
}

TEST(TorchPickle, RefusesOsSystem) {
  // What pickle writes for a class whose __reduce__ returns (os.system, ("echo pwned",)).
  std::string msg = zip_error(PickleBuilder().global("os", "system").str("touch /tmp/pwned").op('\x85').op('R').stop().bytes());
  EXPECT_NE(msg.find("refusing pickle global 'os.system'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("evil.pth"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST(TorchPickle, RefusesPosixSystemAndBuiltinsEval) {
  std::string posix = zip_error(PickleBuilder().op('}').str("x").global("posix", "system").str("id").op('\x85').op('R')
                                    .op('s').stop().bytes());
  EXPECT_NE(posix.find("'posix.system'"), std::string::npos) << posix;
  std::string eval = zip_error(PickleBuilder().stack_global("builtins", "eval").str("1+1").op('\x85').op('R').stop().bytes());
  EXPECT_NE(eval.find("'builtins.eval'"), std::string::npos) << eval;
  std::string getattr = unpickle_error(PickleBuilder().global("torch", "load").stop().bytes());
  EXPECT_NE(getattr.find("'torch.load'"), std::string::npos) << getattr;
}

TEST(TorchPickle, MalformedPicklesGiveOneLineErrors) {
  PickleBuilder good;
  good.op('}').str("w").tensor("FloatStorage", "0", 4, 0, {4}, {1}).op('s').stop();
  const std::string& g = good.bytes();
  struct Case {
    std::string pickle;
    std::string expected;
  } cases[] = {
      {"", "no STOP"},
      {g.substr(0, g.size() / 2), "truncated"},
      {g.substr(0, g.size() - 1), "no STOP"},
      {"\x80\x02\xff", "unsupported opcode 0xff"},
      {"\x80\x02s.", "stack underflow"},
      {"\x80\x02t.", "no MARK"},
      {"\x80\x02h\x07.", "memo index 7 not defined"},
      {"\x80\x02}}.", "STOP with 2 values"},
      {"\x80\x02X\xff\xff\xff\x7f", "truncated"},
      {"\x80\x02\x8a\x09", "wider than 64 bits"},
      {PickleBuilder().integer(1).stop().bytes(), "holds a int, not a state dict"},
      {PickleBuilder().op('}').str("w").tensor("FloatStorage", "9", 4, 0, {4}, {1}).op('s').stop().bytes(),
       "storage '9' is missing"},
      {PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 4, 1, {4}, {1}).op('s').stop().bytes(),
       "holds 4 elements but a tensor of size/stride/offset there needs 5"},
      {PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 4, 0, {2, 2}, {3, 1}).op('s').stop().bytes(),
       "needs 5"},
      {PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 4, 0, {2}, {1, 1}).op('s').stop().bytes(),
       "size and stride differ"},
      {PickleBuilder().op('}').str("w").tensor("FloatStorage", "0", 4, 0, {-1}, {1}).op('s').stop().bytes(),
       "negative tensor size"},
      {PickleBuilder().op('}').str("w").global("torch", "FloatStorage").op(')').op('R').op('s').stop().bytes(),
       "storage type called directly"},
      {PickleBuilder().op('}').str("w").str("x").op('Q').op('s').stop().bytes(), "persistent id is not"},
  };
  for (const auto& c : cases) {
    std::string msg = unpickle_error(c.pickle);
    EXPECT_NE(msg.find(c.expected), std::string::npos) << "expected '" << c.expected << "', got: " << msg;
    EXPECT_EQ(msg.rfind("mem.pkl", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(TorchPickle, StorageEntryTooSmall) {
  PickleBuilder p;
  p.op('}').str("w").tensor("FloatStorage", "0", 4, 0, {4}, {1}).op('s').stop();
  std::string msg = zip_error(p.bytes(), {{"0", std::string(15, '\0')}});
  EXPECT_NE(msg.find("storage '0' holds 15 bytes"), std::string::npos) << msg;
  EXPECT_NE(zip_error(p.bytes()).find("storage '0' is missing"), std::string::npos);
}

TEST(TorchPickle, BrokenFiles) {
  test::TempDir dir;
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  auto err = [](const std::string& path) { return error_of([&] { load_torch_checkpoint(path); }); };
  EXPECT_NE(err(write("legacy.pt", "\x80\x02\x8a\x0a" "l\xfc\x9c" "F\xf9 j\xa8P\x19.")).find("legacy (non-zip) torch checkpoint not supported"),
            std::string::npos);
  EXPECT_NE(err(write("garbage.pt", "hello world")).find("not a PyTorch zip checkpoint"), std::string::npos);
  EXPECT_NE(err(write("short.pt", "PK\x03\x04garbage")).find("not a readable zip archive"), std::string::npos);
  EXPECT_NE(err((dir / "absent.pt").string()).find("cannot open file"), std::string::npos);
  test::write_zip(dir / "nopkl.pt", {{"archive/other", "x"}});
  EXPECT_NE(err((dir / "nopkl.pt").string()).find("without <folder>/data.pkl"), std::string::npos);
  test::write_zip(dir / "big.pt", {{"a/data.pkl", "\x80\x02}."}, {"a/byteorder", "big"}});
  EXPECT_NE(err((dir / "big.pt").string()).find("byteorder 'big' not supported"), std::string::npos);
}

TEST(TorchPickle, TruncatedRealFileIsAnError) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/taesd/taef2_encoder.pth");
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t keep : {size_t(100), bytes.size() / 2, bytes.size() - 10}) {
    std::string msg = error_of([&] {
      parse_torch_checkpoint(reinterpret_cast<const uint8_t*>(bytes.data()), keep, "cut.pth");
    });
    EXPECT_EQ(msg.rfind("cut.pth: ", 0), 0u) << keep << ": " << msg;
  }
}

}  // namespace
}  // namespace easel::io
