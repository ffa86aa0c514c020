#include "train/adamw.h"

#include <torch/torch.h>

#include <cmath>

#include "util/error.h"

namespace easel::train {

AdamW::AdamW(torch::nn::Module& module, AdamWOptions options) : o_(options) {
  torch::NoGradGuard no_grad;
  for (const auto& p : module.named_parameters()) {
    if (!p.value().requires_grad()) continue;
    params_.emplace_back(p.key(), p.value());
    m_[p.key()] = torch::zeros_like(p.value());
    v_[p.key()] = torch::zeros_like(p.value());
  }
}

void AdamW::step(double lr) {
  torch::NoGradGuard no_grad;
  ++t_;
  const double bc1 = 1 - std::pow(o_.beta1, double(t_));
  const double bc2 = 1 - std::pow(o_.beta2, double(t_));
  for (auto& [name, p] : params_) {
    if (!p.grad().defined()) continue;
    const torch::Tensor& g = p.grad();
    torch::Tensor& m = m_[name];
    torch::Tensor& v = v_[name];
    if (o_.weight_decay > 0 && p.dim() > 1) p.mul_(1 - lr * o_.weight_decay);
    m.mul_(o_.beta1).add_(g, 1 - o_.beta1);
    v.mul_(o_.beta2).addcmul_(g, g, 1 - o_.beta2);
    torch::Tensor denom = (v / bc2).sqrt_().add_(o_.eps);
    p.addcdiv_(m, denom, -lr / bc1);
  }
}

void AdamW::save(io::TensorMap& out) const {
  for (const auto& [name, p] : params_) {
    out["adam_m." + name] = m_.at(name);
    out["adam_v." + name] = v_.at(name);
  }
  out["adam_t"] = torch::full({1}, t_, torch::kInt64);
}

void AdamW::load(const io::TensorMap& in) {
  torch::NoGradGuard no_grad;
  auto get = [&](const std::string& key, const torch::Tensor& like) {
    auto it = in.find(key);
    check(it != in.end(), "checkpoint: optimizer state '" + key + "' is missing");
    check(it->second.sizes() == like.sizes(), "checkpoint: optimizer state '" + key + "' has the wrong shape");
    like.copy_(it->second);
  };
  for (const auto& [name, p] : params_) {
    get("adam_m." + name, m_.at(name));
    get("adam_v." + name, v_.at(name));
  }
  auto it = in.find("adam_t");
  check(it != in.end(), "checkpoint: optimizer step count 'adam_t' is missing");
  t_ = it->second.item<int64_t>();
}

double clip_grad_norm(torch::nn::Module& module, double max_norm) {
  torch::NoGradGuard no_grad;
  double sq = 0;
  std::vector<torch::Tensor> grads;
  for (auto& p : module.parameters())
    if (p.grad().defined()) {
      grads.push_back(p.grad());
      sq += p.grad().pow(2).sum().item<double>();
    }
  const double norm = std::sqrt(sq);
  if (norm > max_norm)
    for (auto& g : grads) g.mul_(max_norm / (norm + 1e-6));
  return norm;
}

}  // namespace easel::train
