#include "io/model_family.h"

#include "io/checkpoint.h"
#include "test_util.h"

namespace easel::io {
namespace {

FamilyInfo family_of(const std::filesystem::path& p) { return detect_family(load_checkpoint(p.string())); }

TEST(ModelFamily, Sd1SingleFile) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sd1_tiny/single_file/sd1_tiny.safetensors");
  FamilyInfo f = family_of(path);
  EXPECT_EQ(f.family, ModelFamily::SD1);
  EXPECT_EQ(f.layout, "ldm");
  EXPECT_EQ(f.name(), "SD1.x");
}

TEST(ModelFamily, SdxlSingleFile) {
  EASEL_SHARED_OR_SKIP(path, "oracle/sdxl_tiny/single_file/sdxl_tiny.safetensors");
  EXPECT_EQ(family_of(path).name(), "SDXL base");
}

TEST(ModelFamily, DiffusersUnetsAlone) {
  EASEL_SHARED_OR_SKIP(sd1, "oracle/sd1_tiny/diffusers/unet/diffusion_pytorch_model.safetensors");
  EASEL_SHARED_OR_SKIP(inpaint, "oracle/sd1_tiny/unet_inpaint/diffusion_pytorch_model.safetensors");
  EASEL_SHARED_OR_SKIP(sdxl, "oracle/sdxl_tiny/diffusers/unet/diffusion_pytorch_model.safetensors");
  EXPECT_EQ(family_of(sd1).name(), "SD1.x");
  EXPECT_EQ(family_of(sd1).layout, "diffusers");
  EXPECT_EQ(family_of(inpaint).name(), "SD1.x inpainting");
  EXPECT_EQ(family_of(sdxl).family, ModelFamily::SDXL);
}

TEST(ModelFamily, DiffusersFolders) {
  EASEL_SHARED_OR_SKIP(sd1, "oracle/sd1_tiny/diffusers");
  EASEL_SHARED_OR_SKIP(sdxl, "oracle/sdxl_tiny/diffusers");
  EXPECT_EQ(detect_family_diffusers(sd1.string()).name(), "SD1.x");
  EXPECT_EQ(detect_family_diffusers(sdxl.string()).name(), "SDXL base");
}

TEST(ModelFamily, NonDiffusionFilesAreUnknown) {
  EASEL_SHARED_OR_SKIP(taef2, "vendor-data/taesd/taef2_decoder.pth");
  EASEL_SHARED_OR_SKIP(mnist, "vendor-data/hot_vs_cold_diffusion/ddpm_mnist_starter.pth");
  EXPECT_EQ(family_of(taef2).name(), "unknown");
  EXPECT_EQ(family_of(mnist).name(), "unknown");
}

// Layouts the shared data has no file for, made from their key names (shapes only where a rule reads them).
TEST(ModelFamily, SyntheticLayouts) {
  auto w = [](std::vector<int64_t> shape) { return torch::zeros(shape); };
  StateDict sd2;
  sd2.tensors = {{"model.diffusion_model.input_blocks.0.0.weight", w({320, 9, 3, 3})},
                 {"cond_stage_model.model.token_embedding.weight", w({1})}};
  FamilyInfo f = detect_family(sd2);
  EXPECT_EQ(f.name(), "SD2.x inpainting");
  EXPECT_NE(f.note.find("v-prediction"), std::string::npos);

  StateDict refiner;
  refiner.tensors = {{"model.diffusion_model.input_blocks.0.0.weight", w({384, 4, 3, 3})},
                     {"conditioner.embedders.0.model.ln_final.weight", w({1})}};
  EXPECT_EQ(detect_family(refiner).name(), "SDXL refiner");

  StateDict unclip;
  unclip.tensors = {{"model.diffusion_model.label_emb.0.0.weight", w({1})},
                    {"embedder.model.visual.proj", w({1})},
                    {"cond_stage_model.model.token_embedding.weight", w({1})}};
  EXPECT_EQ(detect_family(unclip).name(), "SD2.x unCLIP");

  StateDict unet_sd2;
  unet_sd2.tensors = {{"model.diffusion_model.input_blocks.1.1.proj_in.weight", w({320, 320})}};
  EXPECT_EQ(detect_family(unet_sd2).family, ModelFamily::SD2);

  StateDict own;
  own.metadata[kEaselModelKey] = "shapes-v1";
  EXPECT_EQ(detect_family(own).name(), "easel (shapes-v1)");
}

}  // namespace
}  // namespace easel::io
