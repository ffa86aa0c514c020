#include "models/vae_tiling.h"

#include <torch/torch.h>

#include <vector>

#include "util/error.h"
#include "util/tiles.h"

namespace easel::models {
namespace {

// Blend weights [len] in image pixels for a tile: ramps of `ramp` pixels, (d + 0.5) / ramp at distance d from a
// tile edge that lies inside the image, 1 elsewhere. Two tiles overlapping by exactly `ramp` pixels cross-fade
// with weights summing to 1; larger overlaps are normalised by the accumulated weight.
torch::Tensor axis_weights(int64_t len, int64_t ramp, bool ramp_start, bool ramp_end) {
  torch::Tensor d = torch::arange(len, torch::kFloat);
  torch::Tensor w = torch::ones({len});
  if (ramp <= 0) return w;
  if (ramp_start) w = torch::minimum(w, (d + 0.5) / ramp);
  if (ramp_end) w = torch::minimum(w, (len - 1 - d + 0.5) / ramp);
  return w;
}

}  // namespace

torch::Tensor decode_tiled(AutoencoderKLImpl& vae, const torch::Tensor& latents, int64_t tile, int64_t overlap) {
  check(overlap >= 0 && tile > overlap, "vae tiled decode: need 0 <= overlap < tile (got tile " +
                                            std::to_string(tile) + ", overlap " + std::to_string(overlap) + ")");
  check(latents.dim() == 4, "vae tiled decode: latents must be [B, C, h, w]");
  const int64_t h = latents.size(2), w = latents.size(3);
  if (h <= tile && w <= tile) return vae.decode(latents);
  const int64_t f = vae.downscale_factor();
  const auto ys = tile_starts(h, tile, overlap), xs = tile_starts(w, tile, overlap);
  torch::Tensor out, weight_sum = torch::zeros({h * f, w * f});
  for (size_t yi = 0; yi < ys.size(); ++yi) {
    for (size_t xi = 0; xi < xs.size(); ++xi) {
      const int64_t y0 = ys[yi], x0 = xs[xi], th = std::min(tile, h), tw = std::min(tile, w);
      // Decode with up to `overlap` latent pixels of context around the tile, then keep the tile: the decoder's
      // convolutions then see real neighbours instead of zero padding near the tile's inner edges.
      const int64_t cy0 = std::max<int64_t>(0, y0 - overlap), cy1 = std::min(h, y0 + th + overlap);
      const int64_t cx0 = std::max<int64_t>(0, x0 - overlap), cx1 = std::min(w, x0 + tw + overlap);
      torch::Tensor img = vae.decode(latents.slice(2, cy0, cy1).slice(3, cx0, cx1))
                              .slice(2, (y0 - cy0) * f, (y0 - cy0 + th) * f)
                              .slice(3, (x0 - cx0) * f, (x0 - cx0 + tw) * f)
                              .to(torch::kFloat);
      if (!out.defined()) out = torch::zeros({latents.size(0), img.size(1), h * f, w * f});
      const torch::Tensor wy = axis_weights(th * f, overlap * f, yi > 0, yi + 1 < ys.size());
      const torch::Tensor wx = axis_weights(tw * f, overlap * f, xi > 0, xi + 1 < xs.size());
      const torch::Tensor wt = wy.unsqueeze(1) * wx.unsqueeze(0);
      out.slice(2, y0 * f, (y0 + th) * f).slice(3, x0 * f, (x0 + tw) * f).add_(img * wt);
      weight_sum.slice(0, y0 * f, (y0 + th) * f).slice(1, x0 * f, (x0 + tw) * f).add_(wt);
    }
  }
  return out.div_(weight_sum).to(vae.dtype());
}

}  // namespace easel::models
