#include "train/distributed.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <cstdlib>

#include "util/error.h"

namespace easel::train {

static int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  check(end && *end == '\0', std::string("environment variable ") + name + " is not an integer: " + v);
  return int(x);
}

DistOptions dist_options_from_env(DistOptions o, bool ws_given, bool rank_given, bool addr_given, bool port_given) {
  if (!ws_given) o.world_size = env_int("WORLD_SIZE", o.world_size);
  if (!rank_given) o.rank = env_int("RANK", o.rank);
  if (!addr_given && std::getenv("MASTER_ADDR")) o.master_addr = std::getenv("MASTER_ADDR");
  if (!port_given) o.master_port = env_int("MASTER_PORT", o.master_port);
  check(o.world_size >= 1, "world size must be >= 1");
  check(o.rank >= 0 && o.rank < o.world_size,
        "rank " + std::to_string(o.rank) + " is outside [0, " + std::to_string(o.world_size) + ")");
  check(o.master_port > 0 && o.master_port < 65536, "master port must be in 1..65535");
  return o;
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

ProcessGroup::ProcessGroup(const DistOptions& o) : impl_(std::make_unique<Impl>()) {
  c10d::TCPStoreOptions so;
  so.port = uint16_t(o.master_port);
  so.isServer = o.rank == 0;
  so.numWorkers = size_t(o.world_size);
  so.waitWorkers = true;
  so.timeout = std::chrono::seconds(o.timeout_s);
  try {
    auto store = c10::make_intrusive<c10d::TCPStore>(o.master_addr, so);
    auto opts = c10d::ProcessGroupGloo::Options::create();
    opts->timeout = std::chrono::seconds(o.timeout_s);
    opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    impl_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, o.rank, o.world_size, opts);
  } catch (const std::exception& e) {
    throw Error("cannot join the training group at " + o.master_addr + ":" + std::to_string(o.master_port) +
                " as rank " + std::to_string(o.rank) + ": " + e.what());
  }
}

ProcessGroup::~ProcessGroup() = default;
int ProcessGroup::rank() const { return impl_->pg->getRank(); }
int ProcessGroup::world_size() const { return impl_->pg->getSize(); }

void ProcessGroup::allreduce_mean(const std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  std::vector<torch::Tensor> flat_parts;
  for (const auto& t : tensors) flat_parts.push_back(t.reshape({-1}));
  std::vector<torch::Tensor> flat{torch::cat(flat_parts)};
  impl_->pg->allreduce(flat)->wait();
  flat[0].div_(world_size());
  int64_t off = 0;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(flat[0].slice(0, off, off + n).view_as(t));
    off += n;
  }
}

void ProcessGroup::broadcast(const std::vector<torch::Tensor>& tensors) {
  for (const auto& t : tensors) {
    std::vector<torch::Tensor> one{t};
    impl_->pg->broadcast(one)->wait();
  }
}

}  // namespace easel::train
