#include "train/ema.h"

#include <torch/torch.h>

#include <algorithm>

#include "util/error.h"

namespace easel::train {

double ema_decay_at(double decay, int64_t n) { return std::min(decay, double(1 + n) / double(10 + n)); }

Ema::Ema(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (const auto& p : module.named_parameters()) weights_[p.key()] = p.value().detach().clone();
}

void Ema::update(torch::nn::Module& module, double decay) {
  torch::NoGradGuard no_grad;
  for (const auto& p : module.named_parameters()) weights_.at(p.key()).lerp_(p.value(), 1 - decay);
}

void Ema::save(io::TensorMap& out) const {
  for (const auto& [name, w] : weights_) out["ema." + name] = w;
}

void Ema::load(const io::TensorMap& in) {
  torch::NoGradGuard no_grad;
  for (auto& [name, w] : weights_) {
    auto it = in.find("ema." + name);
    check(it != in.end() && it->second.sizes() == w.sizes(), "checkpoint: EMA weight '" + name + "' missing or mis-shaped");
    w.copy_(it->second);
  }
}

Ema::Swap::Swap(const Ema& ema, torch::nn::Module& module) : module_(module) {
  torch::NoGradGuard no_grad;
  for (const auto& p : module.named_parameters()) {
    saved_[p.key()] = p.value().detach().clone();
    p.value().copy_(ema.weights().at(p.key()));
  }
}

Ema::Swap::~Swap() {
  torch::NoGradGuard no_grad;
  for (const auto& p : module_.named_parameters()) p.value().copy_(saved_.at(p.key()));
}

}  // namespace easel::train
