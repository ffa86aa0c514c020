#include "util/blas_kernels.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

namespace easel {
namespace {

// The switch keeps the products right (same values within float32 rounding) and, on a CPU with AVX-512 whose
// OpenBLAS fell back to its generic kernels, leaves the AVX-512 ones in use.
TEST(BlasKernels, SwitchingKeepsProductsRightAndUsesTheCpusKernels) {
  torch::manual_seed(0);
  const torch::Tensor a = torch::randn({257, 300}), b = torch::randn({300, 129});
  const torch::Tensor want = torch::mm(a.to(torch::kDouble), b.to(torch::kDouble));
  const torch::Tensor before = torch::mm(a, b);
  const bool user_choice = std::getenv("OPENBLAS_CORETYPE") != nullptr;
  const std::string core = use_fast_blas_kernels();
  if (core.empty()) GTEST_SKIP() << "the BLAS is not OpenBLAS";
  const torch::Tensor after = torch::mm(a, b);
  EXPECT_TRUE(torch::allclose(before.to(torch::kDouble), want, 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(after.to(torch::kDouble), want, 1e-4, 1e-4));
  const torch::Tensor x = torch::randn({4, 64, 40}), y = torch::randn({4, 40, 96});
  EXPECT_TRUE(torch::allclose(torch::bmm(x, y).to(torch::kDouble),
                              torch::bmm(x.to(torch::kDouble), y.to(torch::kDouble)), 1e-4, 1e-4));
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && !user_choice) {
    EXPECT_NE(core, "Prescott");
  }
  EXPECT_EQ(use_fast_blas_kernels(), core);  // a second call changes nothing
}

// The scope sets OpenBLAS's thread count and gives the previous one back, nested too; products stay exact.
TEST(BlasKernels, ScopedThreadsSetAndRestore) {
  const int before = blas_threads();
  if (before == 0) GTEST_SKIP() << "the BLAS is not OpenBLAS";
  torch::manual_seed(0);
  const torch::Tensor a = torch::randn({300, 200}), b = torch::randn({200, 100});
  const torch::Tensor product = torch::mm(a, b);
  {
    ScopedBlasThreads one(1);
    EXPECT_EQ(blas_threads(), 1);
    {
      ScopedBlasThreads two(2);
      EXPECT_EQ(blas_threads(), 2);
    }
    EXPECT_EQ(blas_threads(), 1);
    // The thread count may change the rounding (OpenBLAS splits the work differently), not the values.
    EXPECT_TRUE(torch::allclose(torch::mm(a, b), product, 1e-5, 1e-5));
  }
  EXPECT_EQ(blas_threads(), before);
}

}  // namespace
}  // namespace easel
