#include "models/unet2d_condition.h"

#include "models/activation.h"
#include "models/config_json.h"
#include "util/error.h"

namespace easel::models {

namespace nn = torch::nn;

UNetConfig UNetConfig::from_json(const nlohmann::json& j, const std::string& src) {
  using V = std::vector<nlohmann::json>;
  // Settings of the SD-family UNets only; anything else would silently compute something different.
  json_require(j, "time_embedding_type", V{"positional"}, src);
  json_require(j, "act_fn", V{"silu"}, src);
  json_require(j, "class_embed_type", V{"identity"}, src);
  json_require(j, "num_class_embeds", V{}, src);
  json_require(j, "encoder_hid_dim_type", V{}, src);
  json_require(j, "addition_embed_type", V{"text_time"}, src);
  json_require(j, "time_cond_proj_dim", V{}, src);
  json_require(j, "time_embedding_act_fn", V{}, src);
  json_require(j, "timestep_post_act", V{}, src);
  json_require(j, "resnet_time_scale_shift", V{"default", "scale_shift"}, src);
  json_require(j, "resnet_skip_time_act", V{false}, src);
  json_require(j, "resnet_out_scale_factor", V{1, 1.0}, src);
  json_require(j, "mid_block_scale_factor", V{1, 1.0}, src);
  json_require(j, "mid_block_type", V{"UNetMidBlock2DCrossAttn", "UNetMidBlock2D"}, src);
  json_require(j, "center_input_sample", V{false}, src);
  json_require(j, "only_cross_attention", V{false}, src);
  json_require(j, "dual_cross_attention", V{false}, src);
  json_require(j, "attention_type", V{"default"}, src);
  json_require(j, "cross_attention_norm", V{}, src);
  json_require(j, "class_embeddings_concat", V{false}, src);

  UNetConfig c;
  c.in_channels = json_get<int64_t>(j, "in_channels", 4, src);
  c.out_channels = json_get<int64_t>(j, "out_channels", 4, src);
  c.block_out_channels = json_get(j, "block_out_channels", c.block_out_channels, src);
  const size_t n = c.block_out_channels.size();
  check(n > 0, src + ": block_out_channels is empty");
  c.down_block_types = json_get<std::vector<std::string>>(
      j, "down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"},
      src);
  c.up_block_types = json_get<std::vector<std::string>>(
      j, "up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"}, src);
  check(c.down_block_types.size() == n && c.up_block_types.size() == n,
        src + ": down_block_types / up_block_types must have one entry per block_out_channels entry");
  for (const auto& t : c.down_block_types)
    check(t == "CrossAttnDownBlock2D" || t == "DownBlock2D", src + ": unsupported down block type " + t);
  for (const auto& t : c.up_block_types)
    check(t == "CrossAttnUpBlock2D" || t == "UpBlock2D", src + ": unsupported up block type " + t);

  c.layers_per_block = json_per_block(j, "layers_per_block", n, 2, src);
  // diffusers names the head count attention_head_dim for the SD UNets; num_attention_heads wins when set.
  const bool has_heads = j.contains("num_attention_heads") && !j["num_attention_heads"].is_null();
  c.heads = json_per_block(j, has_heads ? "num_attention_heads" : "attention_head_dim", n, 8, src);
  c.transformer_layers = json_per_block(j, "transformer_layers_per_block", n, 1, src);
  const bool has_reverse =
      j.contains("reverse_transformer_layers_per_block") && !j["reverse_transformer_layers_per_block"].is_null();
  if (has_reverse) {
    c.reverse_transformer_layers = json_per_block(j, "reverse_transformer_layers_per_block", n, 1, src);
  } else {
    c.reverse_transformer_layers.assign(c.transformer_layers.rbegin(), c.transformer_layers.rend());
  }
  c.mid_transformer_layers = c.transformer_layers.back();
  c.cross_attention_dim = json_per_block(j, "cross_attention_dim", n, 1280, src);
  c.norm_num_groups = json_get<int64_t>(j, "norm_num_groups", 32, src);
  c.norm_eps = json_get<double>(j, "norm_eps", 1e-5, src);
  c.flip_sin_to_cos = json_get<bool>(j, "flip_sin_to_cos", true, src);
  c.freq_shift = json_get<double>(j, "freq_shift", 0, src);
  c.use_linear_projection = json_get<bool>(j, "use_linear_projection", false, src);
  c.upcast_attention = json_get<bool>(j, "upcast_attention", false, src);
  c.downsample_padding = json_get<int64_t>(j, "downsample_padding", 1, src);
  c.conv_in_kernel = json_get<int64_t>(j, "conv_in_kernel", 3, src);
  c.conv_out_kernel = json_get<int64_t>(j, "conv_out_kernel", 3, src);
  c.time_embed_dim = json_get<int64_t>(j, "time_embedding_dim", c.block_out_channels[0] * 4, src);
  c.addition_embed_type = json_get<std::string>(j, "addition_embed_type", "", src);
  c.addition_time_embed_dim = json_get<int64_t>(j, "addition_time_embed_dim", 0, src);
  c.projection_class_embeddings_input_dim = json_get<int64_t>(j, "projection_class_embeddings_input_dim", 0, src);
  c.sample_size = json_get<int64_t>(j, "sample_size", 64, src);
  c.class_embed_type = json_get<std::string>(j, "class_embed_type", "", src);
  c.mid_block_type = json_get<std::string>(j, "mid_block_type", "UNetMidBlock2DCrossAttn", src);
  c.resnet_time_scale_shift = json_get<std::string>(j, "resnet_time_scale_shift", "default", src) == "scale_shift";
  if (c.addition_embed_type == "text_time")
    check(c.addition_time_embed_dim > 0 && c.projection_class_embeddings_input_dim > 0,
          src + ": text_time needs addition_time_embed_dim and projection_class_embeddings_input_dim");
  for (size_t i = 0; i < n; ++i)
    check(c.heads[i] > 0 && c.block_out_channels[i] % c.heads[i] == 0,
          src + ": block " + std::to_string(i) + " channels not divisible by its head count");
  return c;
}

UNetConfig UNetConfig::from_file(const std::string& path) { return from_json(read_json_file(path), path); }

UNet2DConditionModelImpl::UNet2DConditionModelImpl(const UNetConfig& c) : config(c) {
  const auto& boc = c.block_out_channels;
  const size_t n = boc.size();
  const int64_t temb = c.time_embed_dim;
  auto transformer = [&](int64_t heads, int64_t layers, int64_t cross_dim) {
    TransformerOptions t;
    t.heads = heads;
    t.layers = layers;
    t.cross_attention_dim = cross_dim;
    t.groups = c.norm_num_groups;
    t.linear_projection = c.use_linear_projection;
    t.upcast_attention = c.upcast_attention;
    return t;
  };
  auto stage = [&](int64_t in, int64_t out, int64_t layers) {
    StageOptions s;
    s.in_channels = in;
    s.out_channels = out;
    s.temb_channels = temb;
    s.num_layers = layers;
    s.groups = c.norm_num_groups;
    s.eps = c.norm_eps;
    s.scale_shift = c.resnet_time_scale_shift;
    return s;
  };

  conv_in = register_module(
      "conv_in", nn::Conv2d(nn::Conv2dOptions(c.in_channels, boc[0], c.conv_in_kernel).padding(c.conv_in_kernel / 2)));
  time_embedding = register_module("time_embedding", TimestepEmbedding(boc[0], temb));
  if (c.addition_embed_type == "text_time")
    add_embedding = register_module("add_embedding", TimestepEmbedding(c.projection_class_embeddings_input_dim, temb));

  nn::ModuleList down_list;
  for (size_t i = 0; i < n; ++i) {
    StageOptions s = stage(i == 0 ? boc[0] : boc[i - 1], boc[i], c.layers_per_block[i]);
    if (c.down_block_types[i] == "CrossAttnDownBlock2D")
      s.transformer = transformer(c.heads[i], c.transformer_layers[i], c.cross_attention_dim[i]);
    down_blocks.emplace_back(s, i + 1 < n, c.downsample_padding);
    down_list->push_back(down_blocks.back());
  }
  register_module("down_blocks", down_list);

  // UNetMidBlock2D as UNet2DConditionModel builds it: num_layers 0, no attention, i.e. a single resnet.
  const bool mid_attention = c.mid_block_type == "UNetMidBlock2DCrossAttn";
  StageOptions mid = stage(boc.back(), boc.back(), mid_attention ? 1 : 0);
  if (mid_attention)
    mid.transformer = transformer(c.heads.back(), c.mid_transformer_layers, c.cross_attention_dim.back());
  mid_block = register_module("mid_block", MidBlock(mid, false));

  // Up path: the mirror image; resnet j of up block i also takes skip j (diffusers get_up_block arguments).
  nn::ModuleList up_list;
  for (size_t i = 0; i < n; ++i) {
    const size_t r = n - 1 - i;  // index into the per-down-block lists
    const int64_t prev = i == 0 ? boc[n - 1] : boc[r + 1];
    const int64_t out = boc[r];
    const int64_t in = boc[r == 0 ? 0 : r - 1];
    const int64_t layers = c.layers_per_block[r] + 1;
    std::vector<int64_t> skips(layers, out);
    skips.back() = in;
    StageOptions s = stage(prev, out, layers);
    if (c.up_block_types[i] == "CrossAttnUpBlock2D")
      s.transformer = transformer(c.heads[r], c.reverse_transformer_layers[i], c.cross_attention_dim[r]);
    up_blocks.emplace_back(s, skips, i + 1 < n);
    up_list->push_back(up_blocks.back());
  }
  register_module("up_blocks", up_list);

  conv_norm_out = register_module("conv_norm_out",
                                  nn::GroupNorm(nn::GroupNormOptions(c.norm_num_groups, boc[0]).eps(c.norm_eps)));
  conv_out = register_module(
      "conv_out",
      nn::Conv2d(nn::Conv2dOptions(boc[0], c.out_channels, c.conv_out_kernel).padding(c.conv_out_kernel / 2)));
}

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& sample, const torch::Tensor& timestep,
                                                const torch::Tensor& context, const UNetAddedCond& added) {
  const auto dtype = conv_in->weight.scalar_type();
  const int64_t B = sample.size(0);
  check(sample.dim() == 4 && sample.size(1) == config.in_channels,
        "unet: sample must be [B, " + std::to_string(config.in_channels) + ", H, W]");
  torch::Tensor t = timestep.reshape({-1});
  if (t.size(0) == 1) t = t.expand({B});
  check(t.size(0) == B, "unet: timestep must be a scalar or have one entry per sample");

  torch::Tensor emb = time_embedding(timestep_embedding(t, config.block_out_channels[0], config.flip_sin_to_cos,
                                                        config.freq_shift).to(dtype));
  if (add_embedding) {
    check(added.text_embeds.defined() && added.time_ids.defined(),
          "unet: this SDXL-type UNet needs text_embeds and time_ids");
    // diffusers add_time_proj: each of the six numbers gets its own sinusoidal embedding, flattened per sample.
    torch::Tensor time_embeds = timestep_embedding(added.time_ids.reshape({-1}), config.addition_time_embed_dim,
                                                   config.flip_sin_to_cos, config.freq_shift)
                                    .reshape({B, -1});
    torch::Tensor add = torch::cat({added.text_embeds.to(torch::kFloat), time_embeds}, -1).to(dtype);
    emb = emb + add_embedding(add);
  }
  if (config.class_embed_type == "identity") {
    // diffusers class_embed_type "identity": the caller's embedding [B, time_embed_dim] is added as is (unCLIP
    // decoders pass their projected CLIP image embedding here).
    check(added.class_labels.defined() && added.class_labels.dim() == 2 && added.class_labels.size(0) == B &&
              added.class_labels.size(1) == config.time_embed_dim,
          "unet: class_embed_type identity needs class_labels [B, " + std::to_string(config.time_embed_dim) + "]");
    emb = emb + added.class_labels.to(dtype);
  }
  const torch::Tensor temb_act = silu_act(emb);
  const torch::Tensor ctx = context.defined() ? context.to(dtype) : context;

  torch::Tensor h = conv_in(sample.to(dtype));
  std::vector<torch::Tensor> skips{h};
  for (auto& block : down_blocks) h = block(h, temb_act, ctx, &skips);
  h = mid_block(h, temb_act, ctx);
  for (auto& block : up_blocks) h = block(h, temb_act, ctx, &skips);
  return conv_out(silu_act(norm_in(conv_norm_out, h)));
}

}  // namespace easel::models
