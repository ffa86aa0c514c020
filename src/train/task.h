// What the trainer trains: one Task per easel-mini model (clip_task.cpp, prior_task.cpp, decoder_task.cpp,
// upsampler_task.cpp). A task owns its model, computes the loss of any range of training items, and shows how the
// model is doing (a short evaluation line and a sample grid).
#pragma once
#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "io/image.h"

namespace easel::train {

struct TaskOptions {
  uint64_t seed = 1;         // of the world stream and of every random draw
  std::string clip_path;     // prior and decoder: the trained CLIP (clip.safetensors), frozen
  nlohmann::json config;     // the model config; null: the task's default (mini_configs.h)
  nlohmann::json tokenizer;  // clip: the word list; null: built from the world's grammar
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string kind() const = 0;  // "clip", "prior", "decoder", "upsampler"
  virtual torch::nn::Module& module() = 0;
  // Mean loss over training items [first, first + count) of the stream; differentiable.
  virtual torch::Tensor loss(uint64_t first, int64_t count) = 0;
  // One line on held-out-of-training items (validation stream), e.g. "top1 0.93". evaluate() and sample_grid()
  // run on the EMA weights, in eval mode, without autograd: the trainer sets that up around them.
  virtual std::string evaluate() = 0;
  // A grid image of samples (nullopt when the model makes no images).
  virtual std::optional<io::Image> sample_grid() = 0;
  // Metadata of the model file: config, scheduler and (clip) tokenizer, as JSON strings.
  virtual std::map<std::string, std::string> metadata() const = 0;
};

// Seeds LibTorch's global generator with options.seed first, so the initial weights depend only on the seed.
// Throws easel::Error for an unknown kind (listing the four) or a missing/invalid clip_path.
std::unique_ptr<Task> make_task(const std::string& kind, const TaskOptions& options);

}  // namespace easel::train
