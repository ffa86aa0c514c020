// Data-parallel training over c10d Gloo on loopback: two ranks (threads here, each with its own process group)
// keep identical weights, and their loss equals a single process's with the same global batch.
#include <gtest/gtest.h>

#include <thread>
#include <unistd.h>

#include "test_util.h"
#include "train/distributed.h"
#include "train/tiny_configs.h"
#include "util/error.h"

namespace easel::test {
namespace {

TEST(Distributed, TwoRanksMatchOneProcess) {
  TempDir dir;
  auto make = [&](const std::string& name) {
    auto o = tiny_run("upsampler", (dir.path / name).string(), 4);
    o.batch = 4;
    o.task.config = tiny_upsampler_config();
    return o;
  };
  train::TrainResult single = train::train(make("single"));

  const int port = 20000 + int(getpid() % 20000);
  train::TrainResult ranks[2];
  std::string errors[2];
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      try {
        train::DistOptions d;
        d.world_size = 2;
        d.rank = r;
        d.master_port = port;
        d.timeout_s = 60;
        train::ProcessGroup group(d);
        auto o = make("rank" + std::to_string(r));
        o.group = &group;
        ranks[r] = train::train(o);
      } catch (const std::exception& e) {
        errors[r] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(errors[0], "");
  ASSERT_EQ(errors[1], "");
  for (const auto& [name, w] : ranks[0].weights) EXPECT_TRUE(torch::equal(w, ranks[1].weights.at(name))) << name;
  ASSERT_EQ(ranks[0].losses.size(), single.losses.size());
  for (size_t i = 0; i < single.losses.size(); ++i) EXPECT_NEAR(ranks[0].losses[i], single.losses[i], 1e-4 * single.losses[i]);
  // Weights are not compared with the single process: the all-reduce sums in another order, and Adam's
  // normalisation turns last-bit gradient differences of near-zero entries into lr-sized weight differences.
}

TEST(Distributed, OptionsFromEnvironmentAndErrors) {
  setenv("WORLD_SIZE", "3", 1);
  setenv("RANK", "2", 1);
  setenv("MASTER_PORT", "12345", 1);
  train::DistOptions d = train::dist_options_from_env({}, false, false, false, false);
  EXPECT_EQ(d.world_size, 3);
  EXPECT_EQ(d.rank, 2);
  EXPECT_EQ(d.master_port, 12345);
  setenv("RANK", "3", 1);
  EXPECT_THROW(train::dist_options_from_env({}, false, false, false, false), Error);
  setenv("RANK", "x", 1);
  EXPECT_THROW(train::dist_options_from_env({}, false, false, false, false), Error);
  unsetenv("WORLD_SIZE");
  unsetenv("RANK");
  unsetenv("MASTER_PORT");
}

}  // namespace
}  // namespace easel::test
