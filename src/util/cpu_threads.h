// How many threads LibTorch's intra-op work uses in the easel executables.
#pragma once

namespace easel {

// The CPUs this process may run on (its affinity mask; at least 1).
int available_cpus();

// LibTorch 1.13 starts its intra-op pool at the core count that its cpuinfo library reports, which on these 2-core
// VMs is 1: the CLI ran every model on one core (easel-mini txt2img: 8.6 s instead of 5.4 s on two). Sets the pool
// to available_cpus(), unless OMP_NUM_THREADS is set (then LibTorch already follows it: the user's choice). Call it
// first thing in main. Returns the thread count in use afterwards.
int use_all_cpus();

}  // namespace easel
