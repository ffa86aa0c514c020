// Image <-> [-1, 1] float tensor conversions, matching diffusers' VaeImageProcessor bit for bit
// (diffusers/image_processor.py: pil_to_numpy + normalize on the way in, denormalize + numpy_to_pil on the way out).
#include <ATen/ATen.h>

#include "io/image.h"
#include "util/error.h"

namespace easel::io {
namespace {

// [H, W, C] uint8 view of the pixels (no copy).
at::Tensor hwc_view(const Image& img) {
  check(img.channels >= 1 && img.channels <= 4 && img.width > 0 && img.height > 0 &&
            img.pixels.size() == size_t(img.width) * img.height * img.channels,
        "image: inconsistent size " + std::to_string(img.width) + "x" + std::to_string(img.height) + "x" +
            std::to_string(img.channels) + " for " + std::to_string(img.pixels.size()) + " bytes");
  return at::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, img.channels}, at::kByte);
}

}  // namespace

at::Tensor image_to_tensor(const Image& img) {
  at::Tensor hwc = hwc_view(img);
  at::Tensor rgb = img.channels <= 2 ? hwc.narrow(2, 0, 1).expand({img.height, img.width, 3}) : hwc.narrow(2, 0, 3);
  at::Tensor x = rgb.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);  // copies: the result owns its memory
  return (x / 255.0f * 2.0f - 1.0f).contiguous();
}

at::Tensor alpha_to_tensor(const Image& img) {
  at::Tensor hwc = hwc_view(img);
  if (img.channels != 2 && img.channels != 4) return at::ones({1, 1, img.height, img.width}, at::kFloat);
  return (hwc.narrow(2, img.channels - 1, 1).permute({2, 0, 1}).unsqueeze(0).to(at::kFloat) / 255.0f).contiguous();
}

std::vector<Image> tensor_to_images(const at::Tensor& x) {
  check(x.dim() == 4 && x.size(1) == 3 && x.size(2) > 0 && x.size(3) > 0 && x.is_floating_point(),
        c10::str("tensor_to_image: expected a float [N, 3, H, W] tensor, got ", x.sizes(), " ", x.scalar_type()));
  at::Tensor f = x.to(at::kCPU, at::kFloat);
  check(at::isfinite(f).all().item<bool>(), "tensor_to_image: the image tensor holds NaN or infinite values");
  // torch.round (like numpy's) rounds half to even; same float32 operations, same order as diffusers.
  at::Tensor u8 = ((f / 2.0f + 0.5f).clamp(0.0f, 1.0f) * 255.0f).round().to(at::kByte).permute({0, 2, 3, 1}).contiguous();
  std::vector<Image> images(x.size(0));
  for (size_t i = 0; i < images.size(); ++i) {
    Image& img = images[i];
    img.width = int(x.size(3));
    img.height = int(x.size(2));
    img.channels = 3;
    const uint8_t* p = u8[i].data_ptr<uint8_t>();
    img.pixels.assign(p, p + size_t(img.width) * img.height * 3);
  }
  return images;
}

Image tensor_to_image(const at::Tensor& x) {
  check(x.dim() == 3 || (x.dim() == 4 && x.size(0) == 1),
        "tensor_to_image: expected [1, 3, H, W] or [3, H, W], got " + c10::str(x.sizes()));
  return tensor_to_images(x.dim() == 3 ? x.unsqueeze(0) : x)[0];
}

}  // namespace easel::io
