// Model hashes: SHA-256 as the standard defines it, a file's hash as A1111 shows it, and a folder's hash that
// follows its weight files and nothing else.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>

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
  EXPECT_EQ(ha, io::model_hash(b.path.string() + "/"));
  // A folder of symlinks to the weights (how people share a checkpoint between tools) has the same hash.
  TempDir links;
  std::filesystem::create_directories(links / "unet");
  std::filesystem::create_directories(links / "vae");
  std::filesystem::create_symlink(a / "unet" / "diffusion_pytorch_model.safetensors",
                                  links / "unet" / "diffusion_pytorch_model.safetensors");
  std::filesystem::create_symlink(a / "vae" / "diffusion_pytorch_model.bin",
                                  links / "vae" / "diffusion_pytorch_model.bin");
  EXPECT_EQ(ha, io::model_hash(links.path.string()));
  write_file(b / "vae" / "diffusion_pytorch_model.bin", "vae weights, fine-tuned");
  EXPECT_NE(ha, io::model_hash(b.path.string()));
}

TEST(FileHash, TheCacheAnswersForAnUnchangedFileOnly) {
  TempDir dir;
  const auto weights = dir / "model.safetensors";
  const std::string cache = (dir / "cache" / "file-hashes.tsv").string();
  write_file(weights, "abc");
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_EQ(io::sha256_file_cached(weights.string(), cache), abc);  // computed, then recorded
  std::string line;
  std::getline(std::ifstream(cache), line);
  ASSERT_NE(line.find(abc), std::string::npos) << line;
  // Proof that the recorded line is what answers: forge its hash and ask again.
  const std::string forged(64, 'f');
  std::ofstream(cache, std::ios::trunc) << line.substr(0, line.size() - 64) + forged << "\n";
  EXPECT_EQ(io::sha256_file_cached(weights.string(), cache), forged);
  // New contents (another size) or a new modification time are hashed again.
  write_file(weights, "abcd");
  EXPECT_EQ(io::sha256_file_cached(weights.string(), cache), io::sha256_hex("abcd", 4));
  std::ofstream(cache, std::ios::trunc) << line.substr(0, line.size() - 64) + forged << "\n";
  write_file(weights, "abc");
  std::filesystem::last_write_time(weights, std::filesystem::last_write_time(weights) + std::chrono::seconds(5));
  EXPECT_EQ(io::sha256_file_cached(weights.string(), cache), abc);
  // A damaged cache is ignored and rewritten; entries of other files are kept.
  std::ofstream(cache, std::ios::trunc) << "garbage\n/other/file\t3\t7\t" << forged << "\n";
  EXPECT_EQ(io::sha256_file_cached(weights.string(), cache), abc);
  std::ifstream in(cache);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all.find("garbage"), std::string::npos);
  EXPECT_NE(all.find("/other/file"), std::string::npos);
  EXPECT_NE(all.find(abc), std::string::npos);
  // A cache that cannot be written does not stop the hashing.
  EXPECT_EQ(io::sha256_file_cached(weights.string(), (weights / "not-a-dir" / "c.tsv").string()), abc);
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
