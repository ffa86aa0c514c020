// easel-mini's decoder (Ramesh et al. 2022, sec. 2.1): a diffusion UNet (unet2d_condition.h, small) that makes a
// 32x32 (config) image from a CLIP image embedding. As in the paper (and diffusers' UnCLIPTextProjModel), the
// embedding is projected and added to the timestep embedding, and projected into 4 extra context tokens that are
// concatenated to the caption's text tokens for cross-attention. Classifier-free guidance is learned by replacing
// the image embedding with the learned `null_image_embed` (10%) and the caption with the empty caption (50%).
//
// With `text_layers` > 0 the decoder refines the caption's tokens with transformer layers of its own (CLIP's
// encoder layer, unmasked), trained with it: GLIDE's decoder, which DALL-E 2's builds on, trains its text
// transformer with the diffusion loss (Nichol et al. 2021, "GLIDE"), while CLIP's frozen tokens keep each word
// mostly to itself (MODEL_CARD.md, seventh try), so nothing tells the token of a shape which colour was named with
// it. Their output projections start at zero: a new layer starts as the identity, so a trained decoder grows
// them without changing what it draws.
//
// With `word_layers` > 0 the decoder also reads the caption's words themselves: CLIP's token + position embeddings
// (the text encoder's input), through transformer layers of its own trained with the diffusion loss, as GLIDE's text
// transformer reads the caption's ids. CLIP's last hidden states have lost the relation word ("above" and "below"
// leave its encoder at cosine 0.974, enter it at 0.066: MODEL_CARD.md, twenty-second try). The result is added to
// CLIP's tokens through a projection that starts at zero, so a trained decoder grows it without changing what it
// draws.
//
// Names: unet.* (diffusers UNet2DConditionModel keys), image_to_time, text_to_time, image_to_tokens,
// text_layers.N.*, word_layers.N.* (transformers CLIP encoder-layer keys), word_norm, word_proj, text_hidden_proj,
// text_norm, null_image_embed.
#pragma once
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

#include "models/clip_text_model.h"
#include "models/unet2d_condition.h"

namespace easel::models {

struct MiniDecoderConfig {
  nlohmann::json unet;          // a diffusers UNet config with class_embed_type "identity"
  int64_t embed_dim = 128;      // CLIP embedding size
  int64_t text_hidden = 128;    // CLIP text encoder hidden size
  int64_t context_tokens = 4;   // extra tokens made from the image embedding
  int64_t image_size = 32;
  int64_t text_layers = 0;      // the decoder's own transformer layers over the caption tokens (0: none)
  int64_t word_layers = 0;      // the decoder's own transformer layers over the caption's word embeddings (0: none)

  nlohmann::json to_json() const;
  static MiniDecoderConfig from_json(const nlohmann::json& j, const std::string& source);
};

struct MiniDecoderImpl : torch::nn::Module {
  explicit MiniDecoderImpl(const MiniDecoderConfig& config);
  // x_t [B, 3, S, S], t [B] or scalar; image_embeds, text_embeds [B, embed_dim]; text_hidden [B, L, text_hidden]
  // words [B, L, text_hidden] (CLIP's token + position embeddings; required with word_layers, else unused)
  // -> predicted noise [B, 3, S, S].
  torch::Tensor forward(const torch::Tensor& x_t, const torch::Tensor& t, const torch::Tensor& image_embeds,
                        const torch::Tensor& text_embeds, const torch::Tensor& text_hidden,
                        const torch::Tensor& words = {});

  MiniDecoderConfig config;
  UNet2DConditionModel unet{nullptr};
  std::vector<CLIPEncoderLayer> text_layers, word_layers;
  torch::nn::Linear image_to_time{nullptr}, text_to_time{nullptr}, image_to_tokens{nullptr},
      text_hidden_proj{nullptr}, word_proj{nullptr};
  torch::nn::LayerNorm text_norm{nullptr}, word_norm{nullptr};
  torch::Tensor null_image_embed;
};
TORCH_MODULE(MiniDecoder);

}  // namespace easel::models
