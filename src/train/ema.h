// Exponential moving average of a module's parameters (the weights easel ships: sampling from EMA weights gives
// cleaner images than the raw ones, Ho et al. 2020 / Nichol & Dhariwal 2021).
#pragma once
#include <torch/nn/module.h>

#include <map>
#include <string>

#include "io/state_dict.h"

namespace easel::train {

// The decay of EMA update number n (n = 0 at the first update after the learning-rate warm-up; before it the EMA
// copies the weights): min(decay, (1 + n) / (10 + n)), the warm-up of TensorFlow's ExponentialMovingAverage and
// diffusers' EMAModel. Without it a short run's EMA keeps a large share of its early weights (0.999^1000 = 37%),
// and a blend of weights that far apart samples noise.
double ema_decay_at(double decay, int64_t n);

class Ema {
 public:
  explicit Ema(torch::nn::Module& module);
  // ema = decay * ema + (1 - decay) * param, for every parameter.
  void update(torch::nn::Module& module, double decay);
  const std::map<std::string, torch::Tensor>& weights() const { return weights_; }
  // Stored as "ema.<param>"; load throws easel::Error naming a missing entry.
  void save(io::TensorMap& out) const;
  void load(const io::TensorMap& in);

  // Copies the EMA weights into module for the guard's lifetime, then puts the trained weights back.
  class Swap {
   public:
    Swap(const Ema& ema, torch::nn::Module& module);
    ~Swap();

   private:
    torch::nn::Module& module_;
    std::map<std::string, torch::Tensor> saved_;
  };

 private:
  std::map<std::string, torch::Tensor> weights_;
};

}  // namespace easel::train
