// The single-file layouts split into exactly the tensors of the diffusers folders (oracle README sections 2-3:
// both files were written from those folders by diffusers' conversion scripts).
#include "io/ldm_layout.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "io/safetensors.h"
#include "test_util.h"
#include "util/error.h"

namespace {

using easel::io::TensorMap;

// Every tensor of the diffusers component equals the converted one (after `cast`), and no extra names.
void expect_same_component(const TensorMap& converted, const std::filesystem::path& file,
                           torch::ScalarType cast, const std::set<std::string>& skip = {}) {
  TensorMap ref = easel::io::load_safetensors(file.string()).tensors;
  size_t compared = 0;
  for (const auto& [name, t] : ref) {
    if (skip.count(name)) continue;
    auto it = converted.find(name);
    ASSERT_NE(it, converted.end()) << file << ": converted checkpoint lacks " << name;
    ASSERT_EQ(it->second.sizes(), t.sizes()) << name;
    EXPECT_TRUE(torch::equal(it->second.to(torch::kFloat), t.to(cast).to(torch::kFloat))) << name;
    ++compared;
  }
  EXPECT_EQ(compared, converted.size()) << file << ": converted checkpoint has tensors the folder lacks";
}

TEST(LdmLayout, Sd1SingleFileMatchesDiffusersFolder) {
  EASEL_SHARED_OR_SKIP(root, "oracle/sd1_tiny");
  TensorMap file = easel::io::load_safetensors((root / "single_file/sd1_tiny.safetensors").string()).tensors;
  ASSERT_TRUE(easel::io::is_ldm_layout(file));
  auto split = easel::io::split_ldm_checkpoint(file);
  EXPECT_TRUE(split.unused.empty()) << split.unused.front();
  ASSERT_EQ(split.components.size(), 3u);
  auto d = root / "diffusers";
  expect_same_component(split.components["unet"], d / "unet/diffusion_pytorch_model.safetensors", torch::kFloat);
  expect_same_component(split.components["vae"], d / "vae/diffusion_pytorch_model.safetensors", torch::kFloat);
  expect_same_component(split.components["text_encoder"], d / "text_encoder/model.safetensors", torch::kFloat,
                        {"text_model.embeddings.position_ids"});
}

// The inverse writes the SD1 single file that diffusers' conversion script wrote from the same folder.
TEST(LdmLayout, Sd1JoinWritesTheSingleFile) {
  EASEL_SHARED_OR_SKIP(root, "oracle/sd1_tiny");
  const auto d = root / "diffusers";
  std::map<std::string, TensorMap> components;
  components["unet"] = easel::io::load_safetensors((d / "unet/diffusion_pytorch_model.safetensors").string()).tensors;
  components["vae"] = easel::io::load_safetensors((d / "vae/diffusion_pytorch_model.safetensors").string()).tensors;
  components["text_encoder"] = easel::io::load_safetensors((d / "text_encoder/model.safetensors").string()).tensors;
  const TensorMap joined = easel::io::join_ldm_checkpoint(components);
  const TensorMap file = easel::io::load_safetensors((root / "single_file/sd1_tiny.safetensors").string()).tensors;
  const std::string position_ids = "cond_stage_model.transformer.text_model.embeddings.position_ids";
  size_t compared = 0;
  for (const auto& [name, t] : file) {
    if (name == position_ids) continue;  // a buffer; either side may carry it
    auto it = joined.find(name);
    ASSERT_NE(it, joined.end()) << "join lacks " << name;
    ASSERT_EQ(it->second.sizes(), t.sizes()) << name;
    EXPECT_TRUE(torch::equal(it->second, t)) << name;
    ++compared;
  }
  EXPECT_EQ(compared, joined.size() - joined.count(position_ids)) << "join wrote names the file lacks";
  // And split gives the folder back.
  auto split = easel::io::split_ldm_checkpoint(joined);
  EXPECT_TRUE(split.unused.empty());
  expect_same_component(split.components["unet"], d / "unet/diffusion_pytorch_model.safetensors", torch::kFloat);
  expect_same_component(split.components["vae"], d / "vae/diffusion_pytorch_model.safetensors", torch::kFloat);
}

TEST(LdmLayout, JoinNamesWhatItCannotPlace) {
  std::map<std::string, TensorMap> components;
  components["unet"]["down_blocks.0.strange.weight"] = torch::zeros({1});
  try {
    easel::io::join_ldm_checkpoint(components);
    FAIL() << "no error";
  } catch (const easel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("down_blocks.0.strange.weight"), std::string::npos) << e.what();
  }
  components.clear();
  components["text_encoder_2"]["x"] = torch::zeros({1});
  EXPECT_THROW(easel::io::join_ldm_checkpoint(components), easel::Error);
}

TEST(LdmLayout, SdxlFp16SingleFileMatchesDiffusersFolder) {
  EASEL_SHARED_OR_SKIP(root, "oracle/sdxl_tiny");
  TensorMap file = easel::io::load_safetensors((root / "single_file/sdxl_tiny.safetensors").string()).tensors;
  auto split = easel::io::split_ldm_checkpoint(file);
  EXPECT_TRUE(split.unused.empty());
  ASSERT_EQ(split.components.size(), 4u);
  auto d = root / "diffusers";
  // The single file is float16 (oracle README section 3): compare against the fp16-rounded folder weights.
  expect_same_component(split.components["unet"], d / "unet/diffusion_pytorch_model.safetensors", torch::kHalf);
  expect_same_component(split.components["vae"], d / "vae/diffusion_pytorch_model.safetensors", torch::kHalf);
  expect_same_component(split.components["text_encoder"], d / "text_encoder/model.safetensors", torch::kHalf);
  // OpenCLIP tower: fused in_proj split into q/k/v and text_projection transposed.
  expect_same_component(split.components["text_encoder_2"], d / "text_encoder_2/model.safetensors", torch::kHalf);
}

TEST(LdmLayout, UnknownKeyUnderKnownPrefixIsNamed) {
  TensorMap t;
  t["model.diffusion_model.input_blocks.1.0.strange.weight"] = torch::zeros({1});
  try {
    easel::io::split_ldm_checkpoint(t);
    FAIL() << "no error";
  } catch (const easel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.diffusion_model.input_blocks.1.0.strange.weight"),
              std::string::npos) << e.what();
  }
}

TEST(LdmLayout, ForeignKeysAreReportedUnused) {
  TensorMap t;
  t["model.diffusion_model.time_embed.0.weight"] = torch::zeros({4, 2});
  t["model_ema.decay"] = torch::zeros({});
  auto split = easel::io::split_ldm_checkpoint(t);
  ASSERT_EQ(split.unused, std::vector<std::string>{"model_ema.decay"});
  EXPECT_TRUE(split.components["unet"].count("time_embedding.linear_1.weight"));
}

}  // namespace
