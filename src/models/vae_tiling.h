// Tiled VAE decoding: a large image is decoded as overlapping latent tiles, so peak memory is that of one tile
// (the decoder's activations and its mid-block attention grow with the image; a 1024x1024 SD decode in one piece
// needs a 16384x16384 attention matrix). Overlaps are blended linearly, as diffusers' AutoencoderKL.tiled_decode
// does; the result differs slightly from a whole-image decode because GroupNorm statistics and the mid-block
// attention see one tile at a time.
#pragma once
#include <torch/types.h>

#include "models/autoencoder_kl.h"

namespace easel::models {

// Unscaled latents [B, latent, h, w] -> image [B, 3, h*f, w*f], like vae.decode. `tile` and `overlap` are in latent
// pixels (64 and 16 = 512-pixel tiles overlapping by 128 pixels); a latent no larger than one tile is decoded
// whole. Each tile is decoded with up to `overlap` latent pixels of extra context on every side (cropped away
// after), and each output pixel is the weighted mean of the tiles covering it, with weights ramping linearly from
// the tile edge over `overlap` latent pixels (no ramp on the image border). Memory: one (tile + 2 overlap)^2 decode. Throws easel::Error when
// overlap < 0 or tile <= overlap.
torch::Tensor decode_tiled(AutoencoderKLImpl& vae, const torch::Tensor& latents, int64_t tile = 64,
                           int64_t overlap = 16);

}  // namespace easel::models
