// The four task factories behind make_task (task.h), and what they share.
#pragma once
#include <memory>

#include "models/mini_clip.h"
#include "text/word_tokenizer.h"
#include "train/task.h"

namespace easel::train {

std::unique_ptr<Task> make_clip_task(const TaskOptions& options);
std::unique_ptr<Task> make_prior_task(const TaskOptions& options);
std::unique_ptr<Task> make_decoder_task(const TaskOptions& options);
std::unique_ptr<Task> make_upsampler_task(const TaskOptions& options);

// The world stream the evaluations and sample grids draw from: a different seed from training's, same rules
// (held-out combinations excluded).
inline uint64_t validation_seed(uint64_t seed) { return seed ^ 0x5EED0FF5E7ull; }

// The frozen CLIP of the prior and decoder tasks, loaded from options.clip_path (easel::Error if absent).
struct FrozenClip {
  explicit FrozenClip(const std::string& path);
  models::MiniClip clip{nullptr};
  text::WordTokenizer tokenizer;
  std::string path;
};

}  // namespace easel::train
