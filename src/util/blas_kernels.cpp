#include "util/blas_kernels.h"

#include <dlfcn.h>

#include <cstdlib>

namespace easel {
namespace {

// An OpenBLAS function looked up at run time, or nullptr: a build against another BLAS (or a later OpenBLAS) has
// none of these.
template <class Fn>
Fn openblas_fn(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

using NameFn = char* (*)();
using VoidFn = void (*)();
using GetThreadsFn = int (*)();
using SetThreadsFn = void (*)(int);

}  // namespace

std::string use_fast_blas_kernels() {
  auto corename = openblas_fn<NameFn>("openblas_get_corename");
  if (!corename) return "";
  const std::string detected = corename();
  auto quit = openblas_fn<VoidFn>("gotoblas_dynamic_quit");
  auto init = openblas_fn<VoidFn>("gotoblas_dynamic_init");
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

int blas_threads() {
  auto get = openblas_fn<GetThreadsFn>("openblas_get_num_threads");
  return get ? get() : 0;
}

ScopedBlasThreads::ScopedBlasThreads(int n) {
  previous_ = blas_threads();
  auto set = openblas_fn<SetThreadsFn>("openblas_set_num_threads");
  if (previous_ > 0 && set && n != previous_) set(n);
}

ScopedBlasThreads::~ScopedBlasThreads() {
  auto set = openblas_fn<SetThreadsFn>("openblas_set_num_threads");
  if (previous_ > 0 && set && blas_threads() != previous_) set(previous_);
}

}  // namespace easel
