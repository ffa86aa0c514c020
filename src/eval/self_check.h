// Proof that the judge can be trusted: it must pass clean renders of the evaluation prompts, still pass them
// after degradation, and fail images judged against a different prompt of the same category.
// `easel eval --self-check` prints these figures; tests assert them (>= 0.99, >= 0.95, <= 0.05).
#pragma once
#include <array>
#include <cstdint>

#include "eval/degrade.h"

namespace easel::eval {

struct SelfCheck {
  int images = 0;                                   // renders judged (each also degraded every way)
  double clean = 0;                                 // pass rate on clean renders
  double degraded = 0;                              // pass rate over all degraded renders
  std::array<double, kNumDegradations> by_degradation{};
  double mismatched = 0;                            // pass rate against another prompt of the same category
};

// Renders `per_prompt` scenes (world::realize) for every prompt of both suites (shapes-heldout, shapes-seen) at
// size x size, and judges them. Deterministic by seed.
SelfCheck self_check(int size = 64, int per_prompt = 1, uint64_t seed = 1);

}  // namespace easel::eval
