// Training-step cost of easel-mini's models: per model and precision (fp32, bf16 autocast), the median time of the
// loss (data streaming and forward included), of the backward pass and of the update (gradient clipping, AdamW,
// EMA) over a few steps, and items per second. Prints a table; --profile writes a chrome trace of the bf16 steps
// (chrome://tracing, or summarize it by name).
//
// Usage: bench_train [--kind clip|prior|decoder|upsampler|all] [--batch N] [--steps N] [--threads N]
//                    [--config JSON merged into the model's default config] [--clip FILE] [--profile FILE]
// The prior and decoder need a CLIP: --clip FILE, else one is made by a 1-step CLIP run in a temporary folder.
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "train/adamw.h"
#include "train/ema.h"
#include "train/mini_configs.h"
#include "train/task.h"
#include "train/trainer.h"
#include "util/autocast.h"
#include "util/error.h"
#include "util/allocator.h"
#include "util/blas_kernels.h"

namespace fs = std::filesystem;
using namespace easel;

namespace {

struct Args {
  std::string kind = "all", config, clip, profile;
  int64_t batch = 0, steps = 4;
  int threads = 2;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

int64_t default_batch(const std::string &kind) {
  return kind == "clip" || kind == "prior" ? 256 : kind == "decoder" ? 64 : 16;
}

struct Row {
  std::string kind, precision;
  int64_t batch, params;
  double loss_s, backward_s, update_s;
};

Row measure(const Args &a, const std::string &kind, bool bf16, const std::string &clip) {
  train::TaskOptions o;
  o.clip_path = clip;
  o.config = train::patched_config(kind, a.config);
  auto task = train::make_task(kind, o);
  const int64_t batch = a.batch > 0 ? a.batch : default_batch(kind);
  int64_t params = 0;
  for (const auto &p : task->module().parameters()) params += p.numel();
  std::vector<double> fwd, bwd, upd;
  train::AdamW adam(task->module(), {});
  train::Ema ema(task->module());
  std::unique_ptr<torch::autograd::profiler::RecordProfile> prof;
  for (int64_t s = 0; s <= a.steps; ++s) {  // step 0 warms up (allocator, oneDNN primitives)
    if (s == 1 && bf16 && !a.profile.empty())
      prof = std::make_unique<torch::autograd::profiler::RecordProfile>(a.profile);
    const double t0 = now_s();
    torch::Tensor loss;
    {
      Bf16Autocast autocast(bf16);
      loss = task->loss(uint64_t(s) * uint64_t(batch), batch);
    }
    (void)loss.item<float>();
    const double t1 = now_s();
    task->module().zero_grad();
    loss.backward();
    const double t2 = now_s();
    train::clip_grad_norm(task->module(), 1.0);
    adam.step(1e-4);
    ema.update(task->module(), 0.999);
    const double t3 = now_s();
    if (s > 0) {
      fwd.push_back(t1 - t0);
      bwd.push_back(t2 - t1);
      upd.push_back(t3 - t2);
    }
  }
  return {kind, bf16 ? "bf16" : "fp32", batch, params, median(fwd), median(bwd), median(upd)};
}

std::string make_clip(const fs::path &dir) {
  train::TrainOptions o;
  o.kind = "clip";
  o.out_dir = (dir / "clip").string();
  o.steps = 1;
  o.batch = 8;
  o.log_every = o.save_every = o.sample_every = 1000;
  train::train(o);
  return (dir / "clip" / "clip.safetensors").string();
}

}  // namespace

int main(int argc, char **argv) try {
  easel::tune_allocator();  // as the easel CLI does
  easel::use_fast_blas_kernels();
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(k + " needs a value");
      return argv[++i];
    };
    if (k == "--kind")
      a.kind = next();
    else if (k == "--batch")
      a.batch = std::stoll(next());
    else if (k == "--steps")
      a.steps = std::stoll(next());
    else if (k == "--threads")
      a.threads = std::stoi(next());
    else if (k == "--config")
      a.config = next();
    else if (k == "--clip")
      a.clip = next();
    else if (k == "--profile")
      a.profile = next();
    else
      throw Error("unknown option " + k + " (see the header of bench/bench_train.cpp)");
  }
  torch::set_num_threads(a.threads);
  std::vector<std::string> kinds = a.kind == "all" ? std::vector<std::string>{"clip", "prior", "decoder", "upsampler"}
                                                   : std::vector<std::string>{a.kind};
  fs::path tmp = fs::temp_directory_path() / ("easel-bench-train-" + std::to_string(::getpid()));
  std::string clip = a.clip;
  if (clip.empty()) clip = make_clip(tmp);

  std::printf("easel-mini training step, %d thread(s), median of %lld steps\n", a.threads, (long long)a.steps);
  std::printf("%-10s %-5s %6s %9s %10s %11s %9s %10s %9s\n", "model", "prec", "batch", "params", "loss s", "backward s",
              "update s", "step s", "items/s");
  for (const auto &kind : kinds)
    for (bool bf16 : {false, true}) {
      Row r = measure(a, kind, bf16, clip);
      const double step = r.loss_s + r.backward_s + r.update_s;
      std::printf("%-10s %-5s %6lld %8.2fM %10.3f %11.3f %9.3f %10.3f %9.1f\n", r.kind.c_str(), r.precision.c_str(),
                  (long long)r.batch, double(r.params) / 1e6, r.loss_s, r.backward_s, r.update_s, step,
                  double(r.batch) / step);
      std::fflush(stdout);
    }
  fs::remove_all(tmp);
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_train: %s\n", e.what());
  return 1;
}
