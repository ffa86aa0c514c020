// Sample grids of the trainer: a batch of images laid out in rows.
#pragma once
#include <torch/types.h>

#include "io/image.h"

namespace easel::train {

// images [R * C, 3, H, W] in [-1, 1] -> one RGB image of R rows and C columns, 2-pixel gray gutters.
io::Image image_grid(const torch::Tensor& images, int64_t columns);

}  // namespace easel::train
