// bf16 autocast for a scope on the CPU: matmuls and convolutions run in bfloat16 while weights (and the optimizer)
// stay fp32. Used by the trainer's loss, by bench_train, which must time exactly what the trainer runs, and by the
// sampling stages that may run in bf16 (pipelines/unclip_stages.h).
#pragma once
#include <ATen/autocast_mode.h>

namespace easel {

class Bf16Autocast {
 public:
  explicit Bf16Autocast(bool on) : on_(on) {
    if (!on_) return;
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  ~Bf16Autocast() {
    if (!on_) return;
    at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();  // the cast weights of this scope; the next step casts the updated ones
  }
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  bool on_;
};

}  // namespace easel
