#include "train/task.h"

#include <torch/torch.h>

#include <mutex>

#include "models/mini_files.h"
#include "train/tasks.h"
#include "util/error.h"

namespace easel::train {

FrozenClip::FrozenClip(const std::string& p) : path(p) {
  check(!p.empty(), "this model is trained on a CLIP's embeddings: pass --clip DIR/clip.safetensors");
  clip = models::load_mini_clip(p, &tokenizer);
  for (auto& param : clip->parameters()) param.set_requires_grad(false);
}

std::unique_ptr<Task> make_task(const std::string& kind, const TaskOptions& options) {
  // Initial weights come from the global generator: seeding it makes a run's start a function of its seed. The
  // lock keeps trainers in several threads of one process (the data-parallel test) from interleaving draws.
  static std::mutex init_mutex;
  std::lock_guard<std::mutex> lock(init_mutex);
  torch::manual_seed(options.seed);
  if (kind == "clip") return make_clip_task(options);
  if (kind == "prior") return make_prior_task(options);
  if (kind == "decoder") return make_decoder_task(options);
  if (kind == "upsampler") return make_upsampler_task(options);
  throw Error("unknown model '" + kind + "' to train (clip, prior, decoder, upsampler)");
}

}  // namespace easel::train
