#include "eval/self_check.h"

#include "eval/judge.h"
#include "world/parse.h"
#include "world/render.h"
#include "world/rng.h"
#include "world/sample.h"
#include "world/splits.h"

namespace easel::eval {

SelfCheck self_check(int size, int per_prompt, uint64_t seed) {
  SelfCheck r;
  int degraded_pass = 0, clean_pass = 0, mismatch_pass = 0;
  std::array<int, kNumDegradations> by{};
  for (bool held_out : {true, false}) {
    const auto suite = world::make_suite(held_out);
    for (size_t p = 0; p < suite.size(); ++p) {
      const world::SceneSpec spec = world::parse_caption(suite[p].prompt).spec;
      // Another prompt of the same category: the next one in the suite, wrapping inside the category.
      size_t q = p + 1;
      if (q == suite.size() || suite[q].category != suite[p].category) {
        q = p;
        while (q > 0 && suite[q - 1].category == suite[p].category) --q;
      }
      const world::SceneSpec other = world::parse_caption(suite[q].prompt).spec;
      for (int k = 0; k < per_prompt; ++k) {
        uint64_t s = world::mix_seed(seed, (held_out ? 0 : 1000000) + p * 100 + k);
        world::Rng rng(s);
        const world::Scene scene = world::realize(spec, rng);
        const std::vector<uint8_t> rgb = world::render(scene, size);
        const Analysis a = analyze(rgb, size, size);
        clean_pass += judge(a, spec).pass;
        mismatch_pass += judge(a, other).pass;
        for (int d = 0; d < kNumDegradations; ++d) {
          int n = 0;
          auto damaged = degrade(rgb, size, Degradation(d), world::mix_seed(s, d), &n);
          bool ok = judge(analyze(damaged, n, n), spec).pass;
          by[d] += ok;
          degraded_pass += ok;
        }
        ++r.images;
      }
    }
  }
  r.clean = static_cast<double>(clean_pass) / r.images;
  r.mismatched = static_cast<double>(mismatch_pass) / r.images;
  r.degraded = static_cast<double>(degraded_pass) / (r.images * kNumDegradations);
  for (int d = 0; d < kNumDegradations; ++d) r.by_degradation[d] = static_cast<double>(by[d]) / r.images;
  return r;
}

}  // namespace easel::eval
