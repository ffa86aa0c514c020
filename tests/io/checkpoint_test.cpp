#include "io/checkpoint.h"

#include <fstream>

#include "test_util.h"
#include "util/error.h"

namespace easel::io {
namespace {

std::string error_of(const std::string& path) {
  try {
    load_checkpoint(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Checkpoint, DispatchesTorchZipByContent) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/hot_vs_cold_diffusion/ddpm_mnist_starter.pth");
  EXPECT_EQ(checkpoint_format(path.string()), CheckpointFormat::TorchSave);
  StateDict sd = load_checkpoint(path.string());
  EXPECT_EQ(sd.tensors.size(), 29u);
  EXPECT_EQ(sd.tensors.at("alpha_t").sizes().vec(), std::vector<int64_t>{1001});
}

TEST(Checkpoint, DispatchesSafetensorsByContent) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sd1_tiny/single_file/sd1_tiny.safetensors");
  EXPECT_EQ(checkpoint_format(path.string()), CheckpointFormat::Safetensors);
  StateDict sd = load_checkpoint(path.string());
  EXPECT_EQ(sd.tensors.size(), 585u);  // counted from the file's JSON header
}

TEST(Checkpoint, ContentNotExtensionDecides) {
  EASEL_SHARED_OR_SKIP(path, "vendor-data/taesd/taef2_encoder.pth");
  test::TempDir dir;
  std::filesystem::copy_file(path, dir / "renamed.safetensors");
  EXPECT_EQ(load_checkpoint((dir / "renamed.safetensors").string()).tensors.size(), 79u);
}

TEST(Checkpoint, UnreadableInputsAreOneLineErrors) {
  test::TempDir dir;
  std::ofstream(dir / "garbage.ckpt") << "this is not a checkpoint";
  std::ofstream(dir / "legacy.pt", std::ios::binary) << std::string("\x80\x02\x8a\x0a", 4);
  std::ofstream(dir / "empty.safetensors");
  EXPECT_NE(error_of((dir / "absent.ckpt").string()).find("absent.ckpt: no such file"), std::string::npos);
  EXPECT_NE(error_of(dir.path.string()).find("is a folder"), std::string::npos);
  EXPECT_NE(error_of((dir / "garbage.ckpt").string()).find("garbage.ckpt: not a checkpoint easel reads"),
            std::string::npos);
  EXPECT_NE(error_of((dir / "legacy.pt").string()).find("legacy (non-zip) torch checkpoint not supported"),
            std::string::npos);
  EXPECT_NE(error_of((dir / "empty.safetensors").string()).find("empty.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace easel::io
