#include <gtest/gtest.h>
#include <torch/torch.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // ctest runs two test processes at a time on 2 cores; one intra-op thread each keeps them from fighting.
  torch::set_num_threads(1);
  return RUN_ALL_TESTS();
}
