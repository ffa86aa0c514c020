// Process start-up tuning of glibc's allocator for diffusion and training loops; every executable that runs model
// steps (the easel CLI, the benchmarks) calls it first thing in main, so benchmarks measure what the CLI does.
#pragma once
#include <malloc.h>

namespace easel {

// glibc gives every block above its (adaptive) mmap threshold its own mapping and trims freed heap back to the
// kernel, so each diffusion or training step faults its activations in anew: 25-35% of a training step was
// kernel time. Keep blocks up to 32 MB on the heap and keep freed heap (bench_train, prior at batch 128, one
// thread: 2.16 -> 1.38 s/step; system time 7.5 -> 3.0 s).
inline void tune_allocator() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
}

}  // namespace easel
