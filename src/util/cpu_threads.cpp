#include "util/cpu_threads.h"

#include <ATen/Parallel.h>
#include <sched.h>

#include <cstdlib>

namespace easel {

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

int use_all_cpus() {
  const char* env = std::getenv("OMP_NUM_THREADS");
  if (env == nullptr || *env == '\0') at::set_num_threads(available_cpus());
  return at::get_num_threads();
}

}  // namespace easel
