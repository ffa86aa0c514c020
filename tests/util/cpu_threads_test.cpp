#include "util/cpu_threads.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>

namespace easel {
namespace {

// Every CPU of the affinity mask unless OMP_NUM_THREADS is set, which is left to LibTorch.
TEST(CpuThreads, AllCpusUnlessOmpNumThreadsIsSet) {
  const int cpus = available_cpus();
  EXPECT_GE(cpus, 1);
  EXPECT_LE(cpus, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const char* env = std::getenv("OMP_NUM_THREADS");
  const std::string saved = env ? env : "";
  const int before = at::get_num_threads();

  setenv("OMP_NUM_THREADS", "1", 1);
  at::set_num_threads(1);
  EXPECT_EQ(use_all_cpus(), 1);  // the user's choice stands
  unsetenv("OMP_NUM_THREADS");
  EXPECT_EQ(use_all_cpus(), cpus);
  EXPECT_EQ(at::get_num_threads(), cpus);

  at::set_num_threads(before);
  if (env) setenv("OMP_NUM_THREADS", saved.c_str(), 1);
}

}  // namespace
}  // namespace easel
