// The model sections of the original configs (CompVis v1-inference.yaml, Stability v2-inference-v.yaml and
// sd_xl_base.yaml; training-only keys left out), and the SGM one with other sizes for the oracle's tiny SDXL.
#pragma once
#include <string>

namespace easel::test {

// first_stage_config of every SD yaml: the KL autoencoder with base width `ch` and multipliers `mult`.
inline std::string first_stage_yaml(int ch, const std::string& target) {
  return R"(    first_stage_config:
      target: )" + target + R"(
      params:
        embed_dim: 4
        monitor: val/rec_loss
        ddconfig:
          double_z: true
          z_channels: 4
          resolution: 256
          in_channels: 3
          out_ch: 3
          ch: )" + std::to_string(ch) + R"(
          ch_mult: [ 1, )" + (ch == 128 ? "2, 4, 4" : "1, 1, 2") + R"( ]
          num_res_blocks: 2
          attn_resolutions: []
          dropout: 0.0
        lossconfig:
          target: torch.nn.Identity
)";
}

// v1-inference.yaml (v2 = false) or v2-inference-v.yaml (v2 = true).
inline std::string ldm_yaml(bool v2) {
  return std::string(R"(model:
  base_learning_rate: 1.0e-04
  target: ldm.models.diffusion.ddpm.LatentDiffusion
  params:
)") + (v2 ? "    parameterization: \"v\"\n" : "") + R"(    linear_start: 0.00085
    linear_end: 0.0120
    num_timesteps_cond: 1
    log_every_t: 200
    timesteps: 1000
    first_stage_key: "jpg"
    cond_stage_key: "txt"
    image_size: 64
    channels: 4
    cond_stage_trainable: false
    conditioning_key: crossattn
    monitor: val/loss_simple_ema
    scale_factor: 0.18215
    use_ema: False
    unet_config:
      target: ldm.modules.diffusionmodules.openaimodel.UNetModel
      params:
        use_checkpoint: True
        image_size: 32 # unused
        in_channels: 4
        out_channels: 4
        model_channels: 320
        attention_resolutions: [ 4, 2, 1 ]
        num_res_blocks: 2
        channel_mult: [ 1, 2, 4, 4 ]
)" + (v2 ? "        num_head_channels: 64\n        use_linear_in_transformer: True\n" : "        num_heads: 8\n") +
         R"(        use_spatial_transformer: True
        transformer_depth: 1
        context_dim: )" + (v2 ? "1024" : "768") + R"(
        legacy: False
)" + first_stage_yaml(128, "ldm.models.autoencoder.AutoencoderKL") + R"(    cond_stage_config:
      target: ldm.modules.encoders.modules.)" + (v2 ? R"(FrozenOpenCLIPEmbedder
      params:
        freeze: True
        layer: "penultimate"
)" : "FrozenCLIPEmbedder\n");
}

// sd_xl_base.yaml with the given sizes (tiny = false: the real ones).
inline std::string sgm_yaml(bool tiny) {
  auto pick = [&](const char* real, const char* small) { return std::string(tiny ? small : real); };
  std::string conditioner;
  for (const char* key : {"original_size_as_tuple", "crop_coords_top_left", "target_size_as_tuple"})
    conditioner += R"(          - is_trainable: False
            input_key: )" + std::string(key) + R"(
            target: sgm.modules.encoders.modules.ConcatTimestepEmbedderND
            params:
              outdim: )" + pick("256", "8") + "\n";
  return R"(model:
  target: sgm.models.diffusion.DiffusionEngine
  params:
    scale_factor: 0.13025
    disable_first_stage_autocast: True
    denoiser_config:
      target: sgm.modules.diffusionmodules.denoiser.DiscreteDenoiser
      params:
        num_idx: 1000
        scaling_config:
          target: sgm.modules.diffusionmodules.denoiser_scaling.EpsScaling
        discretization_config:
          target: sgm.modules.diffusionmodules.discretizer.LegacyDDPMDiscretization
    network_config:
      target: sgm.modules.diffusionmodules.openaimodel.UNetModel
      params:
        adm_in_channels: )" + pick("2816", "72") + R"(
        num_classes: sequential
        use_checkpoint: True
        in_channels: 4
        out_channels: 4
        model_channels: )" + pick("320", "32") + R"(
        attention_resolutions: )" + pick("[4, 2]", "[2]") + R"(
        num_res_blocks: 2
        channel_mult: )" + pick("[1, 2, 4]", "[1, 2]") + R"(
        num_head_channels: )" + pick("64", "16") + R"(
        use_linear_in_transformer: True
        transformer_depth: )" + pick("[1, 2, 10]", "[1, 2]") + R"(
        context_dim: )" + pick("2048", "48") + R"(
        spatial_transformer_attn_type: softmax-xformers
    conditioner_config:
      target: sgm.modules.GeneralConditioner
      params:
        emb_models:
          - is_trainable: False
            input_key: txt
            target: sgm.modules.encoders.modules.FrozenCLIPEmbedder
            params:
              layer: hidden
              layer_idx: 11
          - is_trainable: False
            input_key: txt
            target: sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder2
            params:
              arch: ViT-bigG-14
              version: laion2b_s39b_b160k
              freeze: True
              layer: penultimate
              always_return_pooled: True
              legacy: False
)" + conditioner + first_stage_yaml(tiny ? 32 : 128, "sgm.models.autoencoder.AutoencoderKLInferenceWrapper");
}

}  // namespace easel::test
