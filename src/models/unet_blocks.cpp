#include "models/unet_blocks.h"

#include "util/error.h"

namespace easel::models {

namespace {
// Builds resnets.N (and attentions.N when options.transformer is set) into m; resnet i takes in_channel(i).
template <typename InChannels>
void build_layers(torch::nn::Module& m, const StageOptions& o, InChannels in_channel,
                  std::vector<ResnetBlock2D>& resnets, std::vector<Transformer2DModel>& attentions) {
  torch::nn::ModuleList resnet_list, attention_list;
  for (int64_t i = 0; i < o.num_layers; ++i) {
    resnets.emplace_back(in_channel(i), o.out_channels, o.temb_channels, o.groups, o.eps, o.scale_shift);
    resnet_list->push_back(resnets.back());
    if (o.transformer) {
      TransformerOptions t = *o.transformer;
      t.channels = o.out_channels;
      attentions.emplace_back(t);
      attention_list->push_back(attentions.back());
    }
  }
  m.register_module("resnets", resnet_list);
  if (o.transformer) m.register_module("attentions", attention_list);
}

// One resnet (+ transformer) layer of a stage.
torch::Tensor run_layer(ResnetBlock2D& resnet, Transformer2DModel* attention, const torch::Tensor& x,
                        const torch::Tensor& temb_act, const torch::Tensor& context) {
  torch::Tensor h = resnet(x, temb_act);
  return attention ? (*attention)(h, context) : h;
}
}  // namespace

DownBlockImpl::DownBlockImpl(const StageOptions& o, bool add_downsample, int64_t downsample_padding) {
  build_layers(*this, o, [&](int64_t i) { return i == 0 ? o.in_channels : o.out_channels; }, resnets, attentions);
  if (add_downsample) {
    downsampler = Downsample2D(o.out_channels, downsample_padding);
    torch::nn::ModuleList list;
    list->push_back(downsampler);
    register_module("downsamplers", list);
  }
}

torch::Tensor DownBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb_act, const torch::Tensor& context,
                                     std::vector<torch::Tensor>* skips) {
  for (size_t i = 0; i < resnets.size(); ++i) {
    x = run_layer(resnets[i], attentions.empty() ? nullptr : &attentions[i], x, temb_act, context);
    if (skips) skips->push_back(x);
  }
  if (downsampler) {
    x = downsampler(x);
    if (skips) skips->push_back(x);
  }
  return x;
}

MidBlockImpl::MidBlockImpl(const StageOptions& o, bool vae_attention) {
  const int64_t C = o.in_channels;
  torch::nn::ModuleList resnet_list, attention_list;
  resnets.emplace_back(C, C, o.temb_channels, o.groups, o.eps, o.scale_shift);
  resnet_list->push_back(resnets.back());
  for (int64_t i = 0; i < o.num_layers; ++i) {
    if (o.transformer) {
      TransformerOptions t = *o.transformer;
      t.channels = C;
      transformers.emplace_back(t);
      attention_list->push_back(transformers.back());
    } else if (vae_attention) {
      AttentionOptions a;
      a.query_dim = C;
      a.heads = 1;
      a.dim_head = C;
      a.qkv_bias = true;
      a.upcast = true;  // diffusers builds it with upcast_softmax=True
      a.norm_groups = o.groups;
      self_attentions.emplace_back(a);
      attention_list->push_back(self_attentions.back());
    }
    resnets.emplace_back(C, C, o.temb_channels, o.groups, o.eps, o.scale_shift);
    resnet_list->push_back(resnets.back());
  }
  if (!attention_list->is_empty()) register_module("attentions", attention_list);
  register_module("resnets", resnet_list);
}

torch::Tensor MidBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb_act, const torch::Tensor& context) {
  x = resnets[0](x, temb_act);
  for (size_t i = 1; i < resnets.size(); ++i) {
    if (!transformers.empty()) x = transformers[i - 1](x, context);
    if (!self_attentions.empty()) x = self_attentions[i - 1]->forward_spatial(x);
    x = resnets[i](x, temb_act);
  }
  return x;
}

UpBlockImpl::UpBlockImpl(const StageOptions& o, std::vector<int64_t> skips, bool add_upsample)
    : skip_channels(std::move(skips)) {
  check(skip_channels.empty() || int64_t(skip_channels.size()) == o.num_layers,
        "UpBlock: one skip channel count per resnet expected");
  build_layers(
      *this, o,
      [&](int64_t i) {
        return (i == 0 ? o.in_channels : o.out_channels) + (skip_channels.empty() ? 0 : skip_channels[i]);
      },
      resnets, attentions);
  if (add_upsample) {
    upsampler = Upsample2D(o.out_channels);
    torch::nn::ModuleList list;
    list->push_back(upsampler);
    register_module("upsamplers", list);
  }
}

torch::Tensor UpBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb_act, const torch::Tensor& context,
                                   std::vector<torch::Tensor>* skips) {
  const bool use_skips = !skip_channels.empty();
  check(!use_skips || (skips && skips->size() >= resnets.size()), "UpBlock: fewer skip connections than resnets");
  for (size_t i = 0; i < resnets.size(); ++i) {
    if (use_skips) {
      x = torch::cat({x, skips->back()}, 1);
      skips->pop_back();
    }
    x = run_layer(resnets[i], attentions.empty() ? nullptr : &attentions[i], x, temb_act, context);
  }
  if (upsampler) {
    std::vector<int64_t> size;
    if (use_skips && !skips->empty()) size = skips->back().sizes().slice(2).vec();
    x = upsampler(x, size);
  }
  return x;
}

}  // namespace easel::models
