// Data-parallel training across processes and machines on LibTorch's c10d: a TCPStore rendezvous at
// master_addr:master_port and a ProcessGroupGloo (TCP) that averages gradients after every backward pass, as
// torch.nn.parallel.DistributedDataParallel does. Each rank computes the loss of its own slice of the global batch.
#pragma once
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace easel::train {

struct DistOptions {
  int world_size = 1;
  int rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  int timeout_s = 300;
};

// Fills the fields left at their defaults from the usual variables WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT
// (flags win over the environment). Throws easel::Error on malformed values or rank outside [0, world_size).
DistOptions dist_options_from_env(DistOptions given, bool world_size_given, bool rank_given, bool addr_given,
                                  bool port_given);

class ProcessGroup {
 public:
  // Joins the group (rank 0 hosts the store); blocks until all world_size ranks have joined or the timeout.
  explicit ProcessGroup(const DistOptions& options);
  ~ProcessGroup();
  int rank() const;
  int world_size() const;
  // In place: every tensor becomes the mean of that tensor over all ranks (one flattened all-reduce).
  void allreduce_mean(const std::vector<torch::Tensor>& tensors);
  // In place: every tensor becomes rank 0's.
  void broadcast(const std::vector<torch::Tensor>& tensors);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace easel::train
