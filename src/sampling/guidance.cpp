#include "sampling/guidance.h"

#include <torch/torch.h>

#include <numeric>

#include "util/error.h"

namespace easel::sampling {

torch::Tensor classifier_free_guidance(const torch::Tensor& uncond, const torch::Tensor& cond, double scale) {
  return uncond + scale * (cond - uncond);
}

torch::Tensor rescale_guidance(const torch::Tensor& guided, const torch::Tensor& cond, double rescale) {
  if (rescale == 0.0) return guided;
  std::vector<int64_t> dims(guided.dim() - 1);
  std::iota(dims.begin(), dims.end(), 1);
  auto std_cond = cond.std(dims, /*unbiased=*/true, /*keepdim=*/true);
  auto std_guided = guided.std(dims, /*unbiased=*/true, /*keepdim=*/true);
  auto rescaled = guided * (std_cond / std_guided);
  return rescale * rescaled + (1 - rescale) * guided;
}

torch::Tensor guide_batch(const torch::Tensor& batched_output, double scale, double rescale) {
  check(batched_output.dim() >= 1 && batched_output.size(0) % 2 == 0,
        "guidance: model output batch must be [uncond; cond] with an even batch size, got shape " +
            std::string(batched_output.sizes().vec().empty() ? "[]" : c10::str(batched_output.sizes())));
  auto halves = batched_output.chunk(2, 0);
  return rescale_guidance(classifier_free_guidance(halves[0], halves[1], scale), halves[1], rescale);
}

}  // namespace easel::sampling
