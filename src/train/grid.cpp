#include "train/grid.h"

#include <torch/torch.h>

#include "util/error.h"

namespace easel::train {

io::Image image_grid(const torch::Tensor& images, int64_t columns) {
  check(images.dim() == 4 && columns > 0 && images.size(0) % columns == 0, "grid: bad image batch");
  namespace F = torch::nn::functional;
  const int64_t rows = images.size(0) / columns, H = images.size(2) + 2, W = images.size(3) + 2;
  torch::Tensor padded = F::pad(images.to(torch::kFloat), F::PadFuncOptions({1, 1, 1, 1}).value(0.0));
  torch::Tensor grid = padded.reshape({rows, columns, 3, H, W}).permute({2, 0, 3, 1, 4}).reshape({1, 3, rows * H, columns * W});
  return io::tensor_to_image(grid);
}

}  // namespace easel::train
