// The down / mid / up stages shared by the UNet and the VAE (diffusers unets/unet_2d_blocks.py):
//   DownBlock = CrossAttnDownBlock2D / DownBlock2D / DownEncoderBlock2D: resnets.N, attentions.N, downsamplers.0
//   MidBlock  = UNetMidBlock2DCrossAttn / UNetMidBlock2D: resnets.0, then attentions.i + resnets.i+1
//   UpBlock   = CrossAttnUpBlock2D / UpBlock2D (with skip connections) / UpDecoderBlock2D (without): resnets.N,
//               attentions.N, upsamplers.0
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include <optional>

#include "models/attention.h"
#include "models/resample.h"
#include "models/resnet.h"
#include "models/transformer2d.h"

namespace easel::models {

// What every stage shares. transformer: the spatial transformer after each resnet, if any (its `channels` is
// filled in by the block).
struct StageOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t temb_channels = 0;  // 0: no time embedding (VAE)
  int64_t num_layers = 1;     // resnets in the stage
  int64_t groups = 32;
  double eps = 1e-5;
  bool scale_shift = false;   // the resnets' time embedding as a scale and shift (resnet.h)
  std::optional<TransformerOptions> transformer;
};

struct DownBlockImpl : torch::nn::Module {
  // add_downsample: end with Downsample2D(out_channels, downsample_padding).
  DownBlockImpl(const StageOptions& options, bool add_downsample, int64_t downsample_padding);
  // Runs the stage; when skips is given, appends the output of every resnet(+attention) and of the downsampler
  // (the UNet's skip connections).
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb_act, const torch::Tensor& context,
                        std::vector<torch::Tensor>* skips = nullptr);
  std::vector<ResnetBlock2D> resnets;
  std::vector<Transformer2DModel> attentions;
  Downsample2D downsampler{nullptr};
};
TORCH_MODULE(DownBlock);

struct MidBlockImpl : torch::nn::Module {
  // options.in_channels == out_channels. Attention is either options.transformer (UNet, one per extra resnet),
  // or, when vae_attention, a single-head self-attention with biases and group_norm (VAE). Neither: resnets only.
  MidBlockImpl(const StageOptions& options, bool vae_attention);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb_act, const torch::Tensor& context);
  std::vector<ResnetBlock2D> resnets;
  std::vector<Transformer2DModel> transformers;
  std::vector<Attention> self_attentions;
};
TORCH_MODULE(MidBlock);

struct UpBlockImpl : torch::nn::Module {
  // options.in_channels is the channel count entering the block (diffusers prev_output_channel). skip_channels:
  // per resnet, the channels of the skip concatenated before it (empty: no skips, the VAE decoder).
  UpBlockImpl(const StageOptions& options, std::vector<int64_t> skip_channels, bool add_upsample);
  // Pops one skip per resnet from the back of skips (when the block has skips). The upsampler targets the size of
  // the next remaining skip, so odd sizes round-trip as in diffusers (forward_upsample_size).
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb_act, const torch::Tensor& context,
                        std::vector<torch::Tensor>* skips = nullptr);
  std::vector<int64_t> skip_channels;
  std::vector<ResnetBlock2D> resnets;
  std::vector<Transformer2DModel> attentions;
  Upsample2D upsampler{nullptr};
};
TORCH_MODULE(UpBlock);

}  // namespace easel::models
