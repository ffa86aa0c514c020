// Classifier-free guidance (Ho & Salimans 2022) and its rescale (Lin et al. 2023, "Common Diffusion Noise
// Schedules and Sample Steps are Flawed", eq. 15-16), shared by every pipeline that batches [uncond, cond].
#pragma once
#include <torch/types.h>

namespace easel::sampling {

// uncond + scale * (cond - uncond).
torch::Tensor classifier_free_guidance(const torch::Tensor& uncond, const torch::Tensor& cond, double scale);

// Lin et al. 2023 eq. 15-16 (diffusers rescale_noise_cfg): rescales `guided` so its per-sample std matches
// `cond`'s, then blends: rescale * rescaled + (1 - rescale) * guided. rescale 0 returns `guided` unchanged.
torch::Tensor rescale_guidance(const torch::Tensor& guided, const torch::Tensor& cond, double rescale);

// The model output of a [uncond; cond] batch (first half uncond, as diffusers orders it) guided with
// `scale` and then rescaled by `rescale`. Throws easel::Error if the batch is not even.
torch::Tensor guide_batch(const torch::Tensor& batched_output, double scale, double rescale = 0.0);

}  // namespace easel::sampling
