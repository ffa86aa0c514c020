// infer_sd_configs and sd_configs_from_yaml on the real SD families, without the real files: shape-only LDM/SGM
// tensor maps (zero-stride expanded tensors, no memory) with the key layout of the released checkpoints, and the
// original yaml configs; the results are checked against the published diffusers config values.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "io/state_dict.h"
#include "models/sd_configs.h"
#include "sd_yaml_fixtures.h"
#include "test_util.h"
#include "util/error.h"

namespace easel::test {
namespace {

torch::Tensor shaped(std::vector<int64_t> shape) { return torch::zeros({}).expand(shape); }

// The UNet / VAE / text tower structure of a released checkpoint.
struct LdmSpec {
  int64_t in = 4, model_channels = 320;
  std::vector<int64_t> mult{1, 2, 4, 4};
  std::vector<bool> attention{true, true, true, false};
  std::vector<int64_t> depth{1, 1, 1, 1};
  int64_t context = 768;
  bool linear = false;
  int64_t adm = 0;  // SDXL label_emb input size
  enum Text { OpenAI, OpenClipH, SdxlPair } text = OpenAI;
};

void add_resblock(io::TensorMap& t, const std::string& p, int64_t in, int64_t out) {
  t[p + "in_layers.0.weight"] = shaped({in});
  t[p + "in_layers.2.weight"] = shaped({out, in, 3, 3});
  t[p + "emb_layers.1.weight"] = shaped({out, 1280});
  t[p + "out_layers.3.weight"] = shaped({out, out, 3, 3});
  if (in != out) t[p + "skip_connection.weight"] = shaped({out, in, 1, 1});
}

void add_transformer(io::TensorMap& t, const std::string& p, int64_t ch, int64_t depth, const LdmSpec& s) {
  t[p + "norm.weight"] = shaped({ch});
  t[p + "proj_in.weight"] = s.linear ? shaped({ch, ch}) : shaped({ch, ch, 1, 1});
  for (int64_t d = 0; d < depth; ++d) {
    const std::string b = p + "transformer_blocks." + std::to_string(d) + ".";
    for (const char* m : {"attn1.to_q.", "attn1.to_k.", "attn1.to_v.", "attn2.to_q."}) t[b + m + "weight"] = shaped({ch, ch});
    t[b + "attn2.to_k.weight"] = shaped({ch, s.context});
    t[b + "attn2.to_v.weight"] = shaped({ch, s.context});
    t[b + "ff.net.0.proj.weight"] = shaped({8 * ch, ch});
  }
  t[p + "proj_out.weight"] = s.linear ? shaped({ch, ch}) : shaped({ch, ch, 1, 1});
}

void add_clip_hf(io::TensorMap& t, const std::string& p, int64_t hidden, int64_t layers) {
  t[p + "text_model.embeddings.token_embedding.weight"] = shaped({49408, hidden});
  t[p + "text_model.embeddings.position_embedding.weight"] = shaped({77, hidden});
  for (int64_t l = 0; l < layers; ++l) {
    const std::string b = p + "text_model.encoder.layers." + std::to_string(l) + ".";
    t[b + "self_attn.q_proj.weight"] = shaped({hidden, hidden});
    t[b + "mlp.fc1.weight"] = shaped({4 * hidden, hidden});
  }
}

void add_open_clip(io::TensorMap& t, const std::string& p, int64_t hidden, int64_t layers, int64_t proj) {
  t[p + "token_embedding.weight"] = shaped({49408, hidden});
  t[p + "positional_embedding"] = shaped({77, hidden});
  for (int64_t l = 0; l < layers; ++l) {
    const std::string b = p + "transformer.resblocks." + std::to_string(l) + ".";
    t[b + "attn.in_proj_weight"] = shaped({3 * hidden, hidden});
    t[b + "mlp.c_fc.weight"] = shaped({4 * hidden, hidden});
  }
  t[p + "text_projection"] = shaped({hidden, proj});
}

io::TensorMap ldm_tensors(const LdmSpec& s) {
  io::TensorMap t;
  const std::string u = "model.diffusion_model.";
  const int64_t c0 = s.model_channels, temb = 4 * c0, lpb = 2;
  t[u + "time_embed.0.weight"] = shaped({temb, c0});
  if (s.adm) t[u + "label_emb.0.0.weight"] = shaped({temb, s.adm});
  t[u + "input_blocks.0.0.weight"] = shaped({c0, s.in, 3, 3});
  int idx = 1;
  int64_t ch = c0;
  std::vector<int64_t> skips{c0};
  for (size_t i = 0; i < s.mult.size(); ++i) {
    const int64_t out = c0 * s.mult[i];
    for (int l = 0; l < lpb; ++l, ++idx) {
      const std::string p = u + "input_blocks." + std::to_string(idx) + ".";
      add_resblock(t, p + "0.", ch, out);
      if (s.attention[i]) add_transformer(t, p + "1.", out, s.depth[i], s);
      ch = out;
      skips.push_back(ch);
    }
    if (i + 1 < s.mult.size()) {
      t[u + "input_blocks." + std::to_string(idx++) + ".0.op.weight"] = shaped({ch, ch, 3, 3});
      skips.push_back(ch);
    }
  }
  add_resblock(t, u + "middle_block.0.", ch, ch);
  add_transformer(t, u + "middle_block.1.", ch, s.depth.back(), s);
  add_resblock(t, u + "middle_block.2.", ch, ch);
  idx = 0;
  for (size_t r = 0; r < s.mult.size(); ++r) {
    const size_t i = s.mult.size() - 1 - r;
    const int64_t out = c0 * s.mult[i];
    for (int l = 0; l <= lpb; ++l, ++idx) {
      const std::string p = u + "output_blocks." + std::to_string(idx) + ".";
      const int64_t skip = skips.back();
      skips.pop_back();
      add_resblock(t, p + "0.", ch + skip, out);
      ch = out;
      if (s.attention[i]) add_transformer(t, p + "1.", out, s.depth[i], s);
      if (i > 0 && l == lpb) t[p + (s.attention[i] ? "2" : "1") + ".conv.weight"] = shaped({ch, ch, 3, 3});
    }
  }
  t[u + "out.0.weight"] = shaped({c0});
  t[u + "out.2.weight"] = shaped({4, c0, 3, 3});

  const std::string v = "first_stage_model.";
  const std::vector<int64_t> vch{128, 256, 512, 512};
  t[v + "encoder.conv_in.weight"] = shaped({128, 3, 3, 3});
  int64_t prev = 128;
  for (size_t i = 0; i < vch.size(); ++i) {
    for (int j = 0; j < 2; ++j) {
      t[v + "encoder.down." + std::to_string(i) + ".block." + std::to_string(j) + ".conv1.weight"] =
          shaped({vch[i], prev, 3, 3});
      prev = vch[i];
    }
    if (i + 1 < vch.size()) t[v + "encoder.down." + std::to_string(i) + ".downsample.conv.weight"] = shaped({prev, prev, 3, 3});
    t[v + "decoder.up." + std::to_string(i) + ".block.0.conv1.weight"] = shaped({vch[i], vch[i], 3, 3});
  }
  t[v + "encoder.mid.attn_1.q.weight"] = shaped({512, 512, 1, 1});
  t[v + "encoder.conv_out.weight"] = shaped({8, 512, 3, 3});
  t[v + "quant_conv.weight"] = shaped({8, 8, 1, 1});
  t[v + "post_quant_conv.weight"] = shaped({4, 4, 1, 1});
  t[v + "decoder.conv_in.weight"] = shaped({512, 4, 3, 3});
  t[v + "decoder.conv_out.weight"] = shaped({3, 128, 3, 3});

  switch (s.text) {
    case LdmSpec::OpenAI: add_clip_hf(t, "cond_stage_model.transformer.", 768, 12); break;
    case LdmSpec::OpenClipH: add_open_clip(t, "cond_stage_model.model.", 1024, 24, 1024); break;
    case LdmSpec::SdxlPair:
      add_clip_hf(t, "conditioner.embedders.0.transformer.", 768, 12);
      add_open_clip(t, "conditioner.embedders.1.model.", 1280, 32, 1280);
      break;
  }
  return t;
}

LdmSpec sd1() { return {}; }
LdmSpec sd2() {
  LdmSpec s;
  s.context = 1024;
  s.linear = true;
  s.text = LdmSpec::OpenClipH;
  return s;
}
LdmSpec sdxl() {
  LdmSpec s;
  s.mult = {1, 2, 4};
  s.attention = {false, true, true};
  s.depth = {1, 2, 10};
  s.context = 2048;
  s.linear = true;
  s.adm = 2816;
  s.text = LdmSpec::SdxlPair;
  return s;
}

// The values of the published diffusers configs (runwayml/stable-diffusion-v1-5 and -inpainting,
// stabilityai/stable-diffusion-2-1 and -2-inpainting, stabilityai/stable-diffusion-xl-base-1.0).
void expect_sd1_unet(const nlohmann::json& u) {
  EXPECT_EQ(u["block_out_channels"], nlohmann::json({320, 640, 1280, 1280}));
  EXPECT_EQ(u["down_block_types"], nlohmann::json({"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                                   "CrossAttnDownBlock2D", "DownBlock2D"}));
  EXPECT_EQ(u["up_block_types"], nlohmann::json({"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                                                 "CrossAttnUpBlock2D"}));
  EXPECT_EQ(u["layers_per_block"], 2);
  EXPECT_EQ(u["attention_head_dim"], 8);
  EXPECT_EQ(u["cross_attention_dim"], 768);
  EXPECT_EQ(u["use_linear_projection"], false);
  EXPECT_EQ(u["transformer_layers_per_block"], 1);
  EXPECT_EQ(u["sample_size"], 64);
}

void expect_sd_vae(const nlohmann::json& v, double scaling) {
  EXPECT_EQ(v["block_out_channels"], nlohmann::json({128, 256, 512, 512}));
  EXPECT_EQ(v["layers_per_block"], 2);
  EXPECT_EQ(v["latent_channels"], 4);
  EXPECT_DOUBLE_EQ(v["scaling_factor"].get<double>(), scaling);
}

void expect_clip(const nlohmann::json& c, int64_t hidden, int64_t inter, int64_t layers, int64_t heads,
                 const char* act) {
  EXPECT_EQ(c["hidden_size"], hidden);
  EXPECT_EQ(c["intermediate_size"], inter);
  EXPECT_EQ(c["num_hidden_layers"], layers);
  EXPECT_EQ(c["num_attention_heads"], heads);
  EXPECT_EQ(c["hidden_act"], act);
  EXPECT_EQ(c["vocab_size"], 49408);
  EXPECT_EQ(c["max_position_embeddings"], 77);
}

void expect_sd1(const models::SDConfigs& c, int64_t in_channels) {
  expect_sd1_unet(c.unet);
  EXPECT_EQ(c.unet["in_channels"], in_channels);
  expect_sd_vae(c.vae, 0.18215);
  expect_clip(c.text_encoder, 768, 3072, 12, 12, "quick_gelu");
  EXPECT_TRUE(c.text_encoder_2.is_null());
  EXPECT_EQ(c.scheduler["prediction_type"], "epsilon");
  EXPECT_EQ(c.scheduler["beta_schedule"], "scaled_linear");
  EXPECT_DOUBLE_EQ(c.scheduler["beta_start"].get<double>(), 0.00085);
  EXPECT_DOUBLE_EQ(c.scheduler["beta_end"].get<double>(), 0.012);
  EXPECT_FALSE(c.scheduler.contains("timestep_spacing"));
}

void expect_sd2(const models::SDConfigs& c, int64_t in_channels, bool v) {
  EXPECT_EQ(c.unet["in_channels"], in_channels);
  EXPECT_EQ(c.unet["block_out_channels"], nlohmann::json({320, 640, 1280, 1280}));
  EXPECT_EQ(c.unet["attention_head_dim"], nlohmann::json({5, 10, 20, 20}));
  EXPECT_EQ(c.unet["cross_attention_dim"], 1024);
  EXPECT_EQ(c.unet["use_linear_projection"], true);
  EXPECT_EQ(c.unet["upcast_attention"], v);
  expect_sd_vae(c.vae, 0.18215);
  expect_clip(c.text_encoder, 1024, 4096, 23, 16, "gelu");
  EXPECT_EQ(c.text_encoder["architectures"][0], "CLIPTextModel");
  EXPECT_EQ(c.scheduler["prediction_type"], v ? "v_prediction" : "epsilon");
}

void expect_sdxl(const models::SDConfigs& c) {
  const auto& u = c.unet;
  EXPECT_EQ(u["block_out_channels"], nlohmann::json({320, 640, 1280}));
  EXPECT_EQ(u["down_block_types"], nlohmann::json({"DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"}));
  EXPECT_EQ(u["up_block_types"], nlohmann::json({"CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"}));
  EXPECT_EQ(u["attention_head_dim"], nlohmann::json({5, 10, 20}));
  EXPECT_EQ(u["transformer_layers_per_block"], nlohmann::json({1, 2, 10}));
  EXPECT_EQ(u["cross_attention_dim"], 2048);
  EXPECT_EQ(u["use_linear_projection"], true);
  EXPECT_EQ(u["addition_embed_type"], "text_time");
  EXPECT_EQ(u["addition_time_embed_dim"], 256);
  EXPECT_EQ(u["projection_class_embeddings_input_dim"], 2816);
  EXPECT_EQ(u["sample_size"], 128);
  expect_sd_vae(c.vae, 0.13025);
  expect_clip(c.text_encoder, 768, 3072, 12, 12, "quick_gelu");
  expect_clip(c.text_encoder_2, 1280, 5120, 32, 20, "gelu");
  EXPECT_EQ(c.text_encoder_2["architectures"][0], "CLIPTextModelWithProjection");
  EXPECT_EQ(c.text_encoder_2["projection_dim"], 1280);
  EXPECT_EQ(c.scheduler["_class_name"], "EulerDiscreteScheduler");
  EXPECT_EQ(c.scheduler["timestep_spacing"], "leading");
  EXPECT_EQ(c.scheduler["steps_offset"], 1);
  EXPECT_EQ(c.scheduler["prediction_type"], "epsilon");
}

TEST(SDConfigsReal, InferSd15AndInpainting) {
  expect_sd1(models::infer_sd_configs(ldm_tensors(sd1())), 4);
  LdmSpec inpaint = sd1();
  inpaint.in = 9;
  expect_sd1(models::infer_sd_configs(ldm_tensors(inpaint)), 9);
}

// v-prediction is not in the weights: an SD2 UNet is taken to be 2.x-768-v, its inpainting variant epsilon.
TEST(SDConfigsReal, InferSd2VAndInpainting) {
  const auto c = models::infer_sd_configs(ldm_tensors(sd2()));
  expect_sd2(c, 4, true);
  EXPECT_EQ(c.unet["sample_size"], 96);
  LdmSpec inpaint = sd2();
  inpaint.in = 9;
  expect_sd2(models::infer_sd_configs(ldm_tensors(inpaint)), 9, false);
}

TEST(SDConfigsReal, InferSdxlBase) { expect_sdxl(models::infer_sd_configs(ldm_tensors(sdxl()))); }

TEST(SDConfigsReal, Sd2TextEncoderDropsTheUnusedLastLayer) {
  io::TensorMap te;
  for (int l = 0; l < 24; ++l) te["text_model.encoder.layers." + std::to_string(l) + ".mlp.fc1.weight"] = shaped({1});
  te["text_model.final_layer_norm.weight"] = shaped({1});
  models::trim_text_encoder_layers(te, models::infer_sd_configs(ldm_tensors(sd2())).text_encoder);
  EXPECT_EQ(te.size(), 24u);
  EXPECT_EQ(te.count("text_model.encoder.layers.23.mlp.fc1.weight"), 0u);
  EXPECT_EQ(te.count("text_model.encoder.layers.22.mlp.fc1.weight"), 1u);
}

TEST(SDConfigsReal, MissingUNetTensorIsNamed) {
  io::TensorMap t = ldm_tensors(sd1());
  t.erase("model.diffusion_model.time_embed.0.weight");
  try {
    models::infer_sd_configs(t);
    FAIL() << "accepted a UNet without time embedding";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("time_embedding.linear_1.weight"), std::string::npos) << e.what();
  }
  EXPECT_THROW(models::infer_sd_configs({{"foo", shaped({1})}}), Error);
}

// ---- the original yaml configs (tests/models/sd_yaml_fixtures.h) ----

models::SDConfigs from_yaml_text(const std::string& text, const io::TensorMap* tensors = nullptr) {
  TempDir tmp;
  std::ofstream(tmp / "model.yaml") << text;
  return models::sd_configs_from_yaml((tmp / "model.yaml").string(), tensors);
}

TEST(SDConfigsReal, YamlV1) { expect_sd1(from_yaml_text(ldm_yaml(false)), 4); }

TEST(SDConfigsReal, YamlV2V) {
  expect_sd2(from_yaml_text(ldm_yaml(true)), 4, true);
  const io::TensorMap t = ldm_tensors(sd2());
  expect_sd2(from_yaml_text(ldm_yaml(true), &t), 4, true);  // text encoder from the shapes: the same
}

TEST(SDConfigsReal, YamlSdxlBase) {
  expect_sdxl(from_yaml_text(sgm_yaml(false)));
  const io::TensorMap t = ldm_tensors(sdxl());
  expect_sdxl(from_yaml_text(sgm_yaml(false), &t));
}

}  // namespace
}  // namespace easel::test
