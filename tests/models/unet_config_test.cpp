// UNetConfig::from_json: per-block expansion as diffusers does it, and rejection of unsupported settings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "models/unet2d_condition.h"
#include "util/error.h"

namespace easel::test {
namespace {

using models::UNetConfig;

TEST(UNetConfig, Sd2HeadsPerBlockFromAttentionHeadDim) {
  nlohmann::json j = {{"attention_head_dim", {5, 10, 20, 20}}, {"cross_attention_dim", 1024},
                      {"use_linear_projection", true}, {"upcast_attention", true}, {"num_attention_heads", nullptr}};
  UNetConfig c = UNetConfig::from_json(j);
  EXPECT_EQ(c.heads, (std::vector<int64_t>{5, 10, 20, 20}));
  EXPECT_EQ(c.cross_attention_dim, (std::vector<int64_t>{1024, 1024, 1024, 1024}));
  EXPECT_EQ(c.layers_per_block, (std::vector<int64_t>{2, 2, 2, 2}));
  EXPECT_EQ(c.time_embed_dim, 1280);
  EXPECT_TRUE(c.use_linear_projection);
  EXPECT_TRUE(c.upcast_attention);
}

TEST(UNetConfig, SdxlTransformerDepthReversedForUpBlocks) {
  nlohmann::json j = {{"block_out_channels", {320, 640, 1280}},
                      {"down_block_types", {"DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"}},
                      {"up_block_types", {"CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"}},
                      {"attention_head_dim", {5, 10, 20}},
                      {"transformer_layers_per_block", {1, 2, 10}},
                      {"addition_embed_type", "text_time"},
                      {"addition_time_embed_dim", 256},
                      {"projection_class_embeddings_input_dim", 2816}};
  UNetConfig c = UNetConfig::from_json(j);
  EXPECT_EQ(c.reverse_transformer_layers, (std::vector<int64_t>{10, 2, 1}));
  EXPECT_EQ(c.mid_transformer_layers, 10);
  EXPECT_EQ(c.addition_embed_type, "text_time");
}

TEST(UNetConfig, RejectsUnsupportedSettingsNamingTheKey) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"class_embed_type", "timestep"},
           {"resnet_time_scale_shift", "ada_group"},
           {"attention_head_dim", {8, 8}},  // 2 entries for 4 blocks
           {"down_block_types", {"SimpleCrossAttnDownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D"}}}) {
    try {
      UNetConfig::from_json({{key, value}}, "unet/config.json");
      ADD_FAILURE() << key << " accepted";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("unet/config.json"), std::string::npos) << msg;
      EXPECT_TRUE(msg.find(key) != std::string::npos || msg.find("SimpleCrossAttn") != std::string::npos) << msg;
    }
  }
}

}  // namespace
}  // namespace easel::test
