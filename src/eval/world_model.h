// The perfect model of the shapes world: it parses the prompt (world/parse.h) and renders a scene that satisfies
// it (world::realize). `easel eval --model world` runs it as the baseline that proves the evaluation path: it
// should score about 1.0 on both suites, and what it misses is the judge's error.
#pragma once
#include "eval/runner.h"

namespace easel::eval {

// A Generator of size x size RGB images; image k of a call is realized from world::mix_seed(seed, k). Its calls
// throw easel::Error naming the prompt when the prompt cannot be drawn (more than world::kMaxObjects objects).
Generator world_generator(int size);

}  // namespace easel::eval
