// easel eval: prompt-adherence evaluation on the shapes world.
#include <cstdio>

#include "apps/easel/command.h"
#include "eval/self_check.h"

namespace {

std::function<int()> setup(CLI::App& sub) {
  struct Opts {
    bool self_check = false;
    int size = 64;
    int per_prompt = 1;
    uint64_t seed = 1;
  };
  auto o = std::make_shared<Opts>();
  sub.add_flag("--self-check", o->self_check,
               "Prove the judge: score clean renders of both suites' prompts, degraded renders (blur, JPEG-like "
               "noise, shifts, 32x32), and images judged against a different prompt");
  sub.add_option("--size", o->size, "Render size for --self-check")->check(CLI::Range(16, 1024))->capture_default_str();
  sub.add_option("--per-prompt", o->per_prompt, "Scenes rendered per prompt")->check(CLI::Range(1, 64))->capture_default_str();
  sub.add_option("--seed", o->seed, "Seed of the rendered scenes")->capture_default_str();
  sub.footer("Example: easel eval --self-check --per-prompt 2");
  return [o, &sub]() {
    if (!o->self_check) {
      std::fputs(sub.help().c_str(), stderr);
      return 2;
    }
    auto r = easel::eval::self_check(o->size, o->per_prompt, o->seed);
    std::printf("judge self-check: %d renders at %dx%d (both suites)\n", r.images, o->size, o->size);
    std::printf("  %-22s %6.3f   (must be >= 0.99)\n", "clean", r.clean);
    std::printf("  %-22s %6.3f   (must be >= 0.95)\n", "degraded (all)", r.degraded);
    for (int d = 0; d < easel::eval::kNumDegradations; ++d)
      std::printf("    %-20s %6.3f\n", easel::eval::name(easel::eval::Degradation(d)), r.by_degradation[d]);
    std::printf("  %-22s %6.3f   (must be <= 0.05)\n", "mismatched prompt", r.mismatched);
    bool ok = r.clean >= 0.99 && r.degraded >= 0.95 && r.mismatched <= 0.05;
    return ok ? 0 : 1;
  };
}

EASEL_COMMAND("eval", "Evaluate prompt adherence on the shapes world (judge self-check)", setup);

}  // namespace
