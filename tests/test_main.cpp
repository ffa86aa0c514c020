#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // ctest runs two test processes at a time on 2 cores; one intra-op thread each keeps them from fighting.
  torch::set_num_threads(1);
  // The same for the easel processes that CLI tests start (the CLI otherwise uses every core: util/cpu_threads.h).
  setenv("OMP_NUM_THREADS", "1", 0);
  return RUN_ALL_TESTS();
}
