// Shapes-world throughput on one core: scenes rendered per second at several resolutions, rendering only and
// with the whole training-stream item (sampling, held-out rejection, caption). Prints a table.
// Usage: bench_world [seconds per row, default 1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "world/render.h"
#include "world/stream.h"

using namespace easel::world;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const double budget = argc > 1 ? std::atof(argv[1]) : 1.0;
  std::vector<Example> examples;
  for (uint64_t i = 0; i < 1024; ++i) examples.push_back(training_example(1, i));

  auto t0 = std::chrono::steady_clock::now();
  long made = 0;
  for (; seconds_since(t0) < budget; ++made) training_example(2, static_cast<uint64_t>(made));
  double stream_rate = made / seconds_since(t0);

  std::printf("shapes world, one thread (%.1f s per row)\n", budget);
  std::printf("%-6s %18s %24s\n", "size", "renders/s/core", "stream items/s/core");
  std::printf("%-6s %18s %24s\n", "", "(render only)", "(sample+caption+render)");
  for (int size : {64, 128, 256}) {
    std::vector<uint8_t> rgb(static_cast<size_t>(size) * size * 3);
    long n = 0;
    t0 = std::chrono::steady_clock::now();
    for (; seconds_since(t0) < budget; ++n) render_into(examples[n % examples.size()].scene, size, rgb.data());
    double render_rate = n / seconds_since(t0);
    double per_item = 1.0 / render_rate + 1.0 / stream_rate;  // both stages run one after the other
    std::printf("%-6d %18.0f %24.0f\n", size, render_rate, 1.0 / per_item);
  }
  std::printf("stream items (sample+caption only): %.0f/s/core\n", stream_rate);
  return 0;
}
