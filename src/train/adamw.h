// AdamW (Loshchilov & Hutter 2019, Algorithm 2; the update of torch.optim.AdamW) over a module's named
// parameters, with its state kept by parameter name so a checkpoint stores and restores it exactly.
#pragma once
#include <torch/nn/module.h>

#include <map>
#include <string>

#include "io/state_dict.h"

namespace easel::train {

struct AdamWOptions {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.01;  // applied to matrices and kernels only, not to biases, norms or embeddings of rank 1
};

class AdamW {
 public:
  AdamW(torch::nn::Module& module, AdamWOptions options);
  // One update with learning rate lr from the gradients now in the parameters.
  void step(double lr);
  int64_t steps() const { return t_; }

  // State as tensors "adam_m.<param>", "adam_v.<param>" (and the step count in `adam_t`).
  void save(io::TensorMap& out) const;
  // Restores what save wrote; throws easel::Error naming a missing or mis-shaped entry.
  void load(const io::TensorMap& in);

 private:
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::map<std::string, torch::Tensor> m_, v_;
  AdamWOptions o_;
  int64_t t_ = 0;
};

// Scales all gradients so their global L2 norm is at most max_norm; returns the norm before scaling.
double clip_grad_norm(torch::nn::Module& module, double max_norm);

}  // namespace easel::train
