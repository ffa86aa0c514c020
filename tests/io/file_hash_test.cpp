// Model hashes: SHA-256 as the standard defines it, a file's hash as A1111 shows it, and a folder's hash that
// follows its weight files and nothing else.
#include <gtest/gtest.h>

#include <fstream>

#include "io/file_hash.h"
#include "test_util.h"
#include "util/error.h"

namespace easel::test {
namespace {

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

TEST(FileHash, Sha256MatchesTheStandardVectors) {
  // FIPS 180-2 appendix B.1 and the empty message.
  EXPECT_EQ(io::sha256_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(io::sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  TempDir dir;
  write_file(dir / "abc.safetensors", "abc");
  EXPECT_EQ(io::sha256_file((dir / "abc.safetensors").string()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // A single checkpoint's model hash is the first 10 hex digits of its sha256 (A1111's "AutoV2").
  EXPECT_EQ(io::model_hash((dir / "abc.safetensors").string()), "ba7816bf8f");
}

TEST(FileHash, AFoldersHashFollowsItsWeightFilesOnly) {
  TempDir a, b;
  for (const TempDir* d : {&a, &b}) {
    write_file(*d / "unet" / "diffusion_pytorch_model.safetensors", "unet weights");
    write_file(*d / "vae" / "diffusion_pytorch_model.bin", "vae weights");
  }
  write_file(b / "model_index.json", "{}");  // not weights: does not count
  const std::string ha = io::model_hash(a.path.string());
  EXPECT_EQ(ha.size(), 10u);
  EXPECT_EQ(ha, io::model_hash(b.path.string()));  // same weights, other folder name and other extra files
  write_file(b / "vae" / "diffusion_pytorch_model.bin", "vae weights, fine-tuned");
  EXPECT_NE(ha, io::model_hash(b.path.string()));
}

TEST(FileHash, ErrorsNameThePath) {
  TempDir dir;
  write_file(dir / "config.json", "{}");
  for (const std::string& p : {(dir / "missing.safetensors").string(), dir.path.string()}) {
    try {
      io::model_hash(p);
      ADD_FAILURE() << "no error for " << p;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace easel::test
