// easel-mini's CLIP (Radford et al. 2021): a text encoder (the CLIPTextModelWithProjection of clip_text_model.h,
// small) and a small convolutional image encoder, trained contrastively on shapes-world scenes and their
// captions. Both embeddings are L2-normalised and scaled by sqrt(embed_dim) so their entries have unit scale, the
// space the prior diffuses in and the decoder is conditioned on.
//
// Names: text.* (transformers CLIP text keys), vision.{conv_in, resnets.N, downsamplers.N, norm_out, proj},
// logit_scale. The word tokenizer is part of the model (stored in the file's metadata).
#pragma once
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

#include "models/clip_text_model.h"
#include "models/resample.h"
#include "models/resnet.h"

namespace easel::models {

struct MiniClipConfig {
  nlohmann::json text;                          // a transformers CLIPTextConfig (with projection)
  int64_t image_size = 32;                      // images are resized (area) to this before encoding
  std::vector<int64_t> image_channels{32, 64, 128, 128};  // one resnet per level, a downsample between levels
  int64_t embed_dim = 128;

  nlohmann::json to_json() const;
  static MiniClipConfig from_json(const nlohmann::json& j, const std::string& source);
};

struct MiniImageEncoderImpl : torch::nn::Module {
  explicit MiniImageEncoderImpl(const MiniClipConfig& config);
  // images [B, 3, S, S] in [-1, 1], S = image_size -> unnormalised features [B, embed_dim]. The last feature
  // map is flattened, not pooled, so where things are stays in the embedding ("left of", "above").
  torch::Tensor forward(const torch::Tensor& images);

  torch::nn::Conv2d conv_in{nullptr};
  std::vector<ResnetBlock2D> resnets;
  std::vector<Downsample2D> downsamplers;
  torch::nn::GroupNorm norm_out{nullptr};
  torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(MiniImageEncoder);

struct MiniTextEncoding {
  torch::Tensor embeds;  // normalised text embeddings [B, embed_dim] (x sqrt(embed_dim))
  torch::Tensor hidden;  // last_hidden_state [B, L, hidden]: the caption's tokens for the prior and decoder
  torch::Tensor words;   // the text encoder's input, token + position embeddings [B, L, hidden], for a decoder with
                         // word layers of its own (mini_decoder.h)
};

struct MiniClipImpl : torch::nn::Module {
  explicit MiniClipImpl(const MiniClipConfig& config);
  MiniTextEncoding encode_text(const torch::Tensor& ids);  // ids [B, L] int64 from the word tokenizer
  // images [B, 3, H, W] in [-1, 1], any size (area-resized to image_size) -> [B, embed_dim] (x sqrt(embed_dim)).
  torch::Tensor encode_image(const torch::Tensor& images);
  // Symmetric InfoNCE over the batch (CLIP's loss): pair i is (images[i], ids[i]). With hard negatives
  // (negative_ids [B, L], NegCLIP): each image also competes against every negative caption (its own among them),
  // image -> text over 2B captions; negative_valid [B] bool, when given, leaves out the negatives marked false.
  torch::Tensor contrastive_loss(const torch::Tensor& images, const torch::Tensor& ids,
                                 const torch::Tensor& negative_ids = {}, const torch::Tensor& negative_valid = {});

  MiniClipConfig config;
  CLIPTextModel text{nullptr};
  MiniImageEncoder vision{nullptr};
  torch::Tensor logit_scale;
};
TORCH_MODULE(MiniClip);

// Resizes images to size x size with area averaging (antialiased downscale), bilinear when upscaling.
torch::Tensor resize_images(const torch::Tensor& images, int64_t size);

}  // namespace easel::models
