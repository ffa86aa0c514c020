#include "eval/unclip_model.h"

#include <torch/torch.h>

#include "eval/world_model.h"
#include "io/image.h"
#include "models/mini_clip.h"

namespace easel::eval {

Generator unclip_generator(std::shared_ptr<pipelines::UnclipModel> model) {
  return [model](const std::string& prompt, int n, uint64_t seed) {
    return pipelines::unclip_generate(*model, prompt, n, seed, model->settings).images;
  };
}

double change_levels(const io::Image& a, const io::Image& b) {
  torch::NoGradGuard no_grad;
  auto small = [](const io::Image& x) { return models::resize_images(io::image_to_tensor(x), 32); };
  return (small(a) - small(b)).abs().mean().item<double>() * 127.5;  // image_to_tensor maps 0..255 to -1..1
}

std::vector<std::pair<std::string, double>> VariationChange::measures() const {
  std::vector<std::pair<std::string, double>> out;
  if (variations) out.emplace_back("change_to_source", to_source / variations);
  if (pairs) out.emplace_back("change_between_variations", between / pairs);
  if (sources) out.emplace_back("change_other_render", other_render / sources);
  return out;
}

Generator unclip_variation_generator(std::shared_ptr<pipelines::UnclipModel> model,
                                     std::shared_ptr<VariationChange> change) {
  return [model, change, render = world_generator(128)](const std::string& prompt, int n, uint64_t seed) {
    const io::Image source = render(prompt, 1, seed).at(0);
    std::vector<io::Image> images = pipelines::unclip_vary(*model, source, "", n, seed, model->settings).images;
    if (change) {
      torch::NoGradGuard no_grad;
      const io::Image other = render(prompt, 1, seed + 1).at(0);
      std::lock_guard<std::mutex> lock(change->mutex);
      for (size_t k = 0; k < images.size(); ++k) {
        change->to_source += change_levels(images[k], source), ++change->variations;
        if (k + 1 < images.size()) change->between += change_levels(images[k], images[k + 1]), ++change->pairs;
      }
      change->other_render += change_levels(other, source), ++change->sources;
    }
    return images;
  };
}

Generator unclip_decoder_generator(std::shared_ptr<pipelines::UnclipModel> model) {
  return [model, source = world_generator(128)](const std::string& prompt, int n, uint64_t seed) {
    pipelines::UnclipSettings s = model->settings;
    s.upsample = false;
    s.variation.invert = false;  // the decoder from the embedding alone, not from the render's inverted latent
    return pipelines::unclip_vary(*model, source(prompt, 1, seed).at(0), prompt, n, seed, s).images;
  };
}

}  // namespace easel::eval
