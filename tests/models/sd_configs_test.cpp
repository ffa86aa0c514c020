// models/sd_configs: the configurations of single-file checkpoints, from the tensor shapes and from the original
// LDM/SGM yaml, checked against the diffusers configs (the oracle's tiny folders, and the published diffusers
// configs of SD1.5, SD2.x, SDXL base for real-size shape-only checkpoints).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "io/ldm_layout.h"
#include "io/safetensors.h"
#include "models/component.h"
#include "models/load.h"
#include "models/sd_configs.h"
#include "model_test_util.h"
#include "sampling/schedule.h"
#include "sd_yaml_fixtures.h"
#include "test_util.h"
#include "util/error.h"

namespace easel::test {
namespace {

using models::AutoencoderKLConfig;
using models::CLIPTextConfig;
using models::UNetConfig;

// Every architectural field of the built configs must agree (sample_size is informational only).
void expect_same_unet(const UNetConfig& a, const UNetConfig& e) {
  EXPECT_EQ(a.in_channels, e.in_channels);
  EXPECT_EQ(a.out_channels, e.out_channels);
  EXPECT_EQ(a.block_out_channels, e.block_out_channels);
  EXPECT_EQ(a.down_block_types, e.down_block_types);
  EXPECT_EQ(a.up_block_types, e.up_block_types);
  EXPECT_EQ(a.layers_per_block, e.layers_per_block);
  EXPECT_EQ(a.heads, e.heads);
  EXPECT_EQ(a.transformer_layers, e.transformer_layers);
  EXPECT_EQ(a.reverse_transformer_layers, e.reverse_transformer_layers);
  EXPECT_EQ(a.mid_transformer_layers, e.mid_transformer_layers);
  EXPECT_EQ(a.cross_attention_dim, e.cross_attention_dim);
  EXPECT_EQ(a.norm_num_groups, e.norm_num_groups);
  EXPECT_EQ(a.use_linear_projection, e.use_linear_projection);
  EXPECT_EQ(a.upcast_attention, e.upcast_attention);
  EXPECT_EQ(a.time_embed_dim, e.time_embed_dim);
  EXPECT_EQ(a.addition_embed_type, e.addition_embed_type);
  EXPECT_EQ(a.addition_time_embed_dim, e.addition_time_embed_dim);
  EXPECT_EQ(a.projection_class_embeddings_input_dim, e.projection_class_embeddings_input_dim);
}

void expect_same_vae(const AutoencoderKLConfig& a, const AutoencoderKLConfig& e) {
  EXPECT_EQ(a.in_channels, e.in_channels);
  EXPECT_EQ(a.out_channels, e.out_channels);
  EXPECT_EQ(a.latent_channels, e.latent_channels);
  EXPECT_EQ(a.block_out_channels, e.block_out_channels);
  EXPECT_EQ(a.layers_per_block, e.layers_per_block);
  EXPECT_EQ(a.norm_num_groups, e.norm_num_groups);
  EXPECT_EQ(a.mid_block_add_attention, e.mid_block_add_attention);
  EXPECT_EQ(a.use_quant_conv, e.use_quant_conv);
  EXPECT_DOUBLE_EQ(a.scaling_factor, e.scaling_factor);
}

void expect_same_clip(const nlohmann::json& actual, const nlohmann::json& expected) {
  ASSERT_EQ(actual.is_null(), expected.is_null());
  if (expected.is_null()) return;
  const auto a = CLIPTextConfig::from_json(actual), e = CLIPTextConfig::from_json(expected);
  EXPECT_EQ(a.vocab_size, e.vocab_size);
  EXPECT_EQ(a.hidden_size, e.hidden_size);
  EXPECT_EQ(a.intermediate_size, e.intermediate_size);
  EXPECT_EQ(a.num_hidden_layers, e.num_hidden_layers);
  EXPECT_EQ(a.num_attention_heads, e.num_attention_heads);
  EXPECT_EQ(a.max_position_embeddings, e.max_position_embeddings);
  EXPECT_EQ(a.hidden_act, e.hidden_act);
  EXPECT_EQ(a.eos_token_id, e.eos_token_id);
  EXPECT_EQ(a.with_projection, e.with_projection);
  if (e.with_projection) {
    EXPECT_EQ(a.projection_dim, e.projection_dim);
  }
}

void expect_same_scheduler(const nlohmann::json& actual, const nlohmann::json& expected) {
  const auto a = sampling::NoiseConfig::from_json(actual), e = sampling::NoiseConfig::from_json(expected);
  EXPECT_EQ(a.num_train_timesteps, e.num_train_timesteps);
  EXPECT_DOUBLE_EQ(a.beta_start, e.beta_start);
  EXPECT_DOUBLE_EQ(a.beta_end, e.beta_end);
  EXPECT_EQ(a.beta_schedule, e.beta_schedule);
  EXPECT_EQ(a.prediction_type, e.prediction_type);
  EXPECT_EQ(a.timestep_spacing, e.timestep_spacing);
  EXPECT_EQ(a.steps_offset, e.steps_offset);
  EXPECT_EQ(a.set_alpha_to_one, e.set_alpha_to_one);
}

void expect_same_configs(const models::SDConfigs& a, const models::SDConfigs& e) {
  expect_same_unet(UNetConfig::from_json(a.unet), UNetConfig::from_json(e.unet));
  expect_same_vae(AutoencoderKLConfig::from_json(a.vae), AutoencoderKLConfig::from_json(e.vae));
  expect_same_clip(a.text_encoder, e.text_encoder);
  expect_same_clip(a.text_encoder_2, e.text_encoder_2);
  expect_same_scheduler(a.scheduler, e.scheduler);
}

// ---- tiny oracle models: configs, loading and outputs ----

// Builds every component from `configs`, loads the split single file into it (load_weights throws on any
// missing or unexpected key) and checks the outputs equal those of the same weights in models built from the
// diffusers folder's configs.
void expect_loads_and_matches(const models::SDConfigs& configs, const models::SDConfigs& diffusers,
                              const io::LdmSplit& split, int64_t context_dim, bool sdxl) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  auto build_unet = [&](const nlohmann::json& j) {
    models::UNet2DConditionModel m(UNetConfig::from_json(j));
    models::load_weights(*m, io::StateDict{split.components.at("unet"), {}}, "single file unet");
    return m;
  };
  auto unet = build_unet(configs.unet), unet_ref = build_unet(diffusers.unet);
  const torch::Tensor x = torch::randn({2, 4, 8, 8}), t = torch::tensor({999, 1}),
                      ctx = torch::randn({2, 77, context_dim});
  models::UNetAddedCond added;
  if (sdxl) added = {torch::randn({2, configs.text_encoder_2["projection_dim"].get<int64_t>()}),
                     torch::tensor({64.f, 64.f, 0.f, 0.f, 64.f, 64.f}).repeat({2, 1})};
  EXPECT_TRUE(torch::equal(unet->forward(x, t, ctx, added), unet_ref->forward(x, t, ctx, added)));

  auto build_vae = [&](const nlohmann::json& j) {
    models::AutoencoderKL m(AutoencoderKLConfig::from_json(j));
    models::load_weights(*m, io::StateDict{split.components.at("vae"), {}}, "single file vae");
    return m;
  };
  const torch::Tensor z = torch::randn({1, 4, 8, 8});
  EXPECT_TRUE(torch::equal(build_vae(configs.vae)->decode(z), build_vae(diffusers.vae)->decode(z)));

  for (const char* name : {"text_encoder", "text_encoder_2"}) {
    const nlohmann::json& j = std::string(name) == "text_encoder" ? configs.text_encoder : configs.text_encoder_2;
    const nlohmann::json& jr = std::string(name) == "text_encoder" ? diffusers.text_encoder : diffusers.text_encoder_2;
    if (j.is_null()) continue;
    auto build = [&](const nlohmann::json& cj) {
      models::CLIPTextModel m(CLIPTextConfig::from_json(cj));
      models::load_weights(*m, io::StateDict{split.components.at(name), {}}, name);
      return m;
    };
    const torch::Tensor ids = torch::tensor({49406, 320, 1125, 539, 320, 2368, 49407}).unsqueeze(0);
    auto out = build(j)->forward(ids), out_ref = build(jr)->forward(ids);
    EXPECT_TRUE(torch::equal(out.last_hidden_state, out_ref.last_hidden_state)) << name;
    if (out_ref.text_embeds.defined()) {
      EXPECT_TRUE(torch::equal(out.text_embeds, out_ref.text_embeds)) << name;
    }
  }
}

TEST(SDConfigs, DiffusersFolder) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sdxl_tiny/diffusers");
  const auto c = models::sd_configs_from_diffusers_dir(dir.string());
  EXPECT_EQ(c.unet["addition_embed_type"], "text_time");
  EXPECT_EQ(c.text_encoder_2["hidden_act"], "gelu");
  EXPECT_EQ(c.scheduler["_class_name"], "EulerDiscreteScheduler");
  EASEL_SHARED_OR_SKIP(sd1, "oracle/sd1_tiny/diffusers");
  EXPECT_TRUE(models::sd_configs_from_diffusers_dir(sd1.string()).text_encoder_2.is_null());
  TempDir empty;
  EXPECT_THROW(models::sd_configs_from_diffusers_dir(empty.path.string()), Error);
}

TEST(SDConfigs, InferSd1TinyMatchesDiffusersAndOracle) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  const auto sd = io::load_safetensors((dir / "single_file/sd1_tiny.safetensors").string());
  const auto inferred = models::infer_sd_configs(sd.tensors);
  const auto diffusers = models::sd_configs_from_diffusers_dir((dir / "diffusers").string());
  expect_same_configs(inferred, diffusers);
  const auto split = io::split_ldm_checkpoint(sd.tensors);
  expect_loads_and_matches(inferred, diffusers, split, 32, false);

  // And against the oracle's diffusers output directly.
  torch::NoGradGuard no_grad;
  models::UNet2DConditionModel unet(UNetConfig::from_json(inferred.unet));
  models::load_weights(*unet, io::StateDict{split.components.at("unet"), {}}, "sd1_tiny unet");
  const auto refs = io::load_safetensors((dir / "refs/unet.safetensors").string());
  expect_close(unet->forward(ref(refs, "case0.sample"), ref(refs, "case0.timestep"),
                             ref(refs, "case0.encoder_hidden_states")),
               ref(refs, "case0.out"), "case0.out");
}

TEST(SDConfigs, InferSdxlTinyMatchesDiffusers) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sdxl_tiny");
  const auto sd = io::load_safetensors((dir / "single_file/sdxl_tiny.safetensors").string());
  const auto inferred = models::infer_sd_configs(sd.tensors);
  const auto diffusers = models::sd_configs_from_diffusers_dir((dir / "diffusers").string());
  expect_same_configs(inferred, diffusers);
  expect_loads_and_matches(inferred, diffusers, io::split_ldm_checkpoint(sd.tensors), 48, true);
}

TEST(SDConfigs, YamlSd1Tiny) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sd1_tiny");
  const std::string yaml = (dir / "single_file/v1-inference-tiny.yaml").string();
  const auto sd = io::load_safetensors((dir / "single_file/sd1_tiny.safetensors").string());
  const auto diffusers = models::sd_configs_from_diffusers_dir((dir / "diffusers").string());
  const auto configs = models::sd_configs_from_yaml(yaml, &sd.tensors);
  expect_same_configs(configs, diffusers);
  expect_loads_and_matches(configs, diffusers, io::split_ldm_checkpoint(sd.tensors), 32, false);
  // Without the tensors, the text encoder is the one the yaml names: OpenAI CLIP ViT-L/14.
  const auto named = models::sd_configs_from_yaml(yaml);
  EXPECT_EQ(named.text_encoder["hidden_size"], 768);
  EXPECT_EQ(named.text_encoder["num_hidden_layers"], 12);
}

void write_file(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

TEST(SDConfigs, YamlSdxlTiny) {
  EASEL_SHARED_OR_SKIP(dir, "oracle/sdxl_tiny");
  TempDir tmp;
  write_file(tmp / "sdxl_tiny.yaml", sgm_yaml(true));  // the oracle has no SGM yaml
  const auto sd = io::load_safetensors((dir / "single_file/sdxl_tiny.safetensors").string());
  const auto diffusers = models::sd_configs_from_diffusers_dir((dir / "diffusers").string());
  const auto configs = models::sd_configs_from_yaml((tmp / "sdxl_tiny.yaml").string(), &sd.tensors);
  expect_same_configs(configs, diffusers);
  expect_loads_and_matches(configs, diffusers, io::split_ldm_checkpoint(sd.tensors), 48, true);
  const auto named = models::sd_configs_from_yaml((tmp / "sdxl_tiny.yaml").string());
  EXPECT_EQ(named.text_encoder_2["hidden_size"], 1280);
  EXPECT_EQ(named.text_encoder_2["architectures"][0], "CLIPTextModelWithProjection");
}

TEST(SDConfigs, YamlErrorsNameTheFile) {
  TempDir tmp;
  write_file(tmp / "bad.yaml", "model: [unclosed\n");
  write_file(tmp / "other.yaml", "model:\n  params:\n    foo: 1\n");
  for (const char* name : {"bad.yaml", "other.yaml", "missing.yaml"}) {
    try {
      models::sd_configs_from_yaml((tmp / name).string());
      ADD_FAILURE() << name << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace easel::test
