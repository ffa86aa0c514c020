// Choosing OpenBLAS's kernels for the CPU it runs on. LibTorch's float32 matrix products (linear layers, attention
// scores) run on the system BLAS; Debian 12's OpenBLAS (0.3.21, built for every x86 generation and picking one at
// start-up from the CPU model) does not know the CPUs of these machines (Sapphire Rapids, as the VM shows it) and
// falls back to "Prescott", its generic SSE3 kernels: an fp32 8192x320x320 product runs at 55 GFLOP/s on 2 cores
// where its AVX-512 (SkylakeX) kernels give 195. bfloat16 products go through oneDNN and are not affected.
#pragma once
#include <string>

namespace easel {

// When the BLAS is OpenBLAS, fell back to its generic kernels and the CPU has the instructions of a better set
// (AVX-512 F/BW/DQ/VL: SkylakeX; AVX2 + FMA: Haswell), switches to that set, as OPENBLAS_CORETYPE would at start-up.
// Leaves things alone when OPENBLAS_CORETYPE is set (the user's choice). Call it first thing in main, before any
// BLAS call. Returns the kernel set in use afterwards; "" when the BLAS is not OpenBLAS.
std::string use_fast_blas_kernels();

// OpenBLAS's own worker threads; 0 when the BLAS is not OpenBLAS.
int blas_threads();

// Sets OpenBLAS's thread count (process-wide) for a scope and restores it on exit (nothing when the BLAS is not
// OpenBLAS). For work made of small matrix products, where OpenBLAS's workers gain nothing and spin against
// LibTorch's OpenMP threads for the cores: on these 2 cores easel-mini's txt2img with 2 LibTorch threads takes
// 10.9 s for one image with OpenBLAS on 2 threads and 5.5 s on 1 (bench_unclip). Large products (Stable
// Diffusion's float32 UNet step: 11.9 s with the workers, 15.2 s without) need them.
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int n);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace easel
