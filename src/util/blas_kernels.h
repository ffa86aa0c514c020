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

}  // namespace easel
