#include "models/autoencoder_kl.h"

#include "models/activation.h"
#include "models/config_json.h"
#include "util/error.h"

namespace easel::models {

namespace nn = torch::nn;

namespace {
constexpr double kEps = 1e-6;  // every GroupNorm of the diffusers VAE

StageOptions vae_stage(const AutoencoderKLConfig& c, int64_t in, int64_t out, int64_t layers) {
  StageOptions s;
  s.in_channels = in;
  s.out_channels = out;
  s.num_layers = layers;
  s.groups = c.norm_num_groups;
  s.eps = kEps;
  return s;
}

nn::Conv2d conv3x3(int64_t in, int64_t out) { return nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)); }
}  // namespace

AutoencoderKLConfig AutoencoderKLConfig::from_json(const nlohmann::json& j, const std::string& src) {
  using V = std::vector<nlohmann::json>;
  json_require(j, "act_fn", V{"silu"}, src);
  json_require(j, "latents_mean", V{}, src);
  json_require(j, "latents_std", V{}, src);
  AutoencoderKLConfig c;
  c.in_channels = json_get<int64_t>(j, "in_channels", 3, src);
  c.out_channels = json_get<int64_t>(j, "out_channels", 3, src);
  c.latent_channels = json_get<int64_t>(j, "latent_channels", 4, src);
  c.block_out_channels = json_get(j, "block_out_channels", c.block_out_channels, src);
  check(!c.block_out_channels.empty(), src + ": block_out_channels is empty");
  const size_t n = c.block_out_channels.size();
  const auto down = json_get<std::vector<std::string>>(j, "down_block_types", std::vector<std::string>(n), src);
  const auto up = json_get<std::vector<std::string>>(j, "up_block_types", std::vector<std::string>(n), src);
  check(down.size() == n && up.size() == n, src + ": one down and one up block type per block_out_channels entry");
  for (const auto& t : down) check(t.empty() || t == "DownEncoderBlock2D", src + ": unsupported down block " + t);
  for (const auto& t : up) check(t.empty() || t == "UpDecoderBlock2D", src + ": unsupported up block " + t);
  c.layers_per_block = json_get<int64_t>(j, "layers_per_block", 2, src);
  c.norm_num_groups = json_get<int64_t>(j, "norm_num_groups", 32, src);
  c.mid_block_add_attention = json_get<bool>(j, "mid_block_add_attention", true, src);
  c.use_quant_conv = json_get<bool>(j, "use_quant_conv", true, src);
  c.use_post_quant_conv = json_get<bool>(j, "use_post_quant_conv", true, src);
  c.scaling_factor = json_get<double>(j, "scaling_factor", 0.18215, src);
  c.shift_factor = json_get<double>(j, "shift_factor", 0.0, src);
  c.force_upcast = json_get<bool>(j, "force_upcast", true, src);
  c.sample_size = json_get<int64_t>(j, "sample_size", 512, src);
  return c;
}

AutoencoderKLConfig AutoencoderKLConfig::from_file(const std::string& path) {
  return from_json(read_json_file(path), path);
}

torch::Tensor LatentDistribution::sample(c10::optional<at::Generator> generator) const {
  return mean + std * at::randn(mean.sizes(), generator, mean.options());
}

// diffusers autoencoders/vae.py Encoder: conv_in, DownEncoderBlock2D per level (stride-2 conv after all but the
// last, right/bottom zero padding), UNetMidBlock2D with one attention, GroupNorm, SiLU, conv_out to 2*latent.
VAEEncoderImpl::VAEEncoderImpl(const AutoencoderKLConfig& c) {
  const auto& boc = c.block_out_channels;
  const size_t n = boc.size();
  conv_in = register_module("conv_in", conv3x3(c.in_channels, boc[0]));
  nn::ModuleList list;
  for (size_t i = 0; i < n; ++i) {
    down_blocks.emplace_back(vae_stage(c, i == 0 ? boc[0] : boc[i - 1], boc[i], c.layers_per_block), i + 1 < n, 0);
    list->push_back(down_blocks.back());
  }
  register_module("down_blocks", list);
  mid_block = register_module("mid_block",
                              MidBlock(vae_stage(c, boc.back(), boc.back(), 1), c.mid_block_add_attention));
  conv_norm_out =
      register_module("conv_norm_out", nn::GroupNorm(nn::GroupNormOptions(c.norm_num_groups, boc.back()).eps(kEps)));
  conv_out = register_module("conv_out", conv3x3(boc.back(), 2 * c.latent_channels));
}

torch::Tensor VAEEncoderImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = conv_in(x);
  for (auto& block : down_blocks) h = block->forward(h, {}, {});
  h = mid_block->forward(h, {}, {});
  return conv_out(silu_act(norm_in(conv_norm_out, h)));
}

// diffusers autoencoders/vae.py Decoder: conv_in, mid block, UpDecoderBlock2D per level (layers_per_block + 1
// resnets, nearest x2 + conv after all but the last), GroupNorm, SiLU, conv_out.
VAEDecoderImpl::VAEDecoderImpl(const AutoencoderKLConfig& c) {
  const auto& boc = c.block_out_channels;
  const size_t n = boc.size();
  conv_in = register_module("conv_in", conv3x3(c.latent_channels, boc.back()));
  mid_block = register_module("mid_block",
                              MidBlock(vae_stage(c, boc.back(), boc.back(), 1), c.mid_block_add_attention));
  nn::ModuleList list;
  for (size_t i = 0; i < n; ++i) {
    const int64_t prev = boc[n - (i == 0 ? 1 : i)];
    up_blocks.emplace_back(vae_stage(c, prev, boc[n - 1 - i], c.layers_per_block + 1), std::vector<int64_t>{},
                           i + 1 < n);
    list->push_back(up_blocks.back());
  }
  register_module("up_blocks", list);
  conv_norm_out =
      register_module("conv_norm_out", nn::GroupNorm(nn::GroupNormOptions(c.norm_num_groups, boc[0]).eps(kEps)));
  conv_out = register_module("conv_out", conv3x3(boc[0], c.out_channels));
}

torch::Tensor VAEDecoderImpl::forward(const torch::Tensor& z) {
  torch::Tensor h = mid_block->forward(conv_in(z), {}, {});
  for (auto& block : up_blocks) h = block->forward(h, {}, {});
  return conv_out(silu_act(norm_in(conv_norm_out, h)));
}

AutoencoderKLImpl::AutoencoderKLImpl(const AutoencoderKLConfig& c) : config(c) {
  encoder = register_module("encoder", VAEEncoder(c));
  decoder = register_module("decoder", VAEDecoder(c));
  const int64_t z2 = 2 * c.latent_channels, z = c.latent_channels;
  if (c.use_quant_conv) quant_conv = register_module("quant_conv", nn::Conv2d(nn::Conv2dOptions(z2, z2, 1)));
  if (c.use_post_quant_conv)
    post_quant_conv = register_module("post_quant_conv", nn::Conv2d(nn::Conv2dOptions(z, z, 1)));
}

torch::ScalarType AutoencoderKLImpl::dtype() const { return decoder->conv_in->weight.scalar_type(); }

int64_t AutoencoderKLImpl::downscale_factor() const {
  return int64_t(1) << (config.block_out_channels.size() - 1);
}

LatentDistribution AutoencoderKLImpl::encode(const torch::Tensor& image) {
  const int64_t f = downscale_factor();
  check(image.dim() == 4 && image.size(1) == config.in_channels && image.size(2) % f == 0 && image.size(3) % f == 0,
        "vae encode: image must be [B, " + std::to_string(config.in_channels) + ", H, W] with H, W multiples of " +
            std::to_string(f));
  LatentDistribution d;
  d.moments = encoder(image.to(dtype()));
  if (quant_conv) d.moments = quant_conv(d.moments);
  auto parts = d.moments.chunk(2, 1);
  d.mean = parts[0];
  d.logvar = parts[1].clamp(-30.0, 20.0);
  d.std = torch::exp(0.5 * d.logvar);
  return d;
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& latents) {
  check(latents.dim() == 4 && latents.size(1) == config.latent_channels,
        "vae decode: latents must be [B, " + std::to_string(config.latent_channels) + ", h, w]");
  torch::Tensor z = latents.to(dtype());
  if (post_quant_conv) z = post_quant_conv(z);
  return decoder(z);
}

}  // namespace easel::models
