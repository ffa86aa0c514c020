#include "util/blas_kernels.h"

#include <dlfcn.h>

#include <cstdlib>

namespace easel {

std::string use_fast_blas_kernels() {
  // Looked up at run time: a build against another BLAS (or a later OpenBLAS) has none of these.
  using NameFn = char* (*)();
  using VoidFn = void (*)();
  auto corename = reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!corename) return "";
  const std::string detected = corename();
  auto quit = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  auto init = reinterpret_cast<VoidFn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  if (detected != "Prescott" || std::getenv("OPENBLAS_CORETYPE") || !quit || !init) return detected;
  __builtin_cpu_init();
  const char* better = nullptr;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    better = "SkylakeX";
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    better = "Haswell";
  if (!better) return detected;
  // gotoblas_dynamic_init picks the set named by OPENBLAS_CORETYPE once gotoblas_dynamic_quit has cleared the
  // current one (OpenBLAS driver/others/dynamic.c); the variable is left set, so child processes start with it.
  setenv("OPENBLAS_CORETYPE", better, 1);
  quit();
  init();
  return corename();
}

namespace {

using GetThreadsFn = int (*)();
using SetThreadsFn = void (*)(int);

GetThreadsFn get_threads() { return reinterpret_cast<GetThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads")); }
SetThreadsFn set_threads() { return reinterpret_cast<SetThreadsFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")); }

}  // namespace

int blas_threads() {
  GetThreadsFn get = get_threads();
  return get ? get() : 0;
}

ScopedBlasThreads::ScopedBlasThreads(int n) {
  previous_ = blas_threads();
  SetThreadsFn set = set_threads();
  if (previous_ > 0 && set && n != previous_) set(n);
}

ScopedBlasThreads::~ScopedBlasThreads() {
  SetThreadsFn set = set_threads();
  if (previous_ > 0 && set && blas_threads() != previous_) set(previous_);
}

}  // namespace easel
