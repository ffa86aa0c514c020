#include "eval/unclip_model.h"

#include "eval/world_model.h"

namespace easel::eval {

Generator unclip_generator(std::shared_ptr<pipelines::UnclipModel> model) {
  return [model](const std::string& prompt, int n, uint64_t seed) {
    return pipelines::unclip_generate(*model, prompt, n, seed, model->settings).images;
  };
}

Generator unclip_variation_generator(std::shared_ptr<pipelines::UnclipModel> model) {
  return [model, source = world_generator(128)](const std::string& prompt, int n, uint64_t seed) {
    return pipelines::unclip_vary(*model, source(prompt, 1, seed).at(0), "", n, seed, model->settings).images;
  };
}

Generator unclip_decoder_generator(std::shared_ptr<pipelines::UnclipModel> model) {
  return [model, source = world_generator(128)](const std::string& prompt, int n, uint64_t seed) {
    pipelines::UnclipSettings s = model->settings;
    s.upsample = false;
    return pipelines::unclip_vary(*model, source(prompt, 1, seed).at(0), prompt, n, seed, s).images;
  };
}

}  // namespace easel::eval
