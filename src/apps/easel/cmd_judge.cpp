// easel judge: does one image show what a prompt asks? Explains each constraint's verdict.
#include <cstdio>

#include "apps/easel/command.h"
#include "eval/judge.h"
#include "io/image.h"

namespace {

std::function<int()> setup(CLI::App& sub) {
  struct Opts {
    std::string image, prompt;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("image", o->image, "PNG or JPEG image to judge")->required();
  sub.add_option("prompt", o->prompt, "What the image should show, e.g. \"a red circle above a blue square\"")
      ->required();
  sub.footer("Exit code: 0 when the image passes, 3 when it fails, 1 on an error (unreadable image, empty prompt).");
  return [o]() {
    easel::io::Image img = easel::io::read_image(o->image);
    auto v = easel::eval::judge_image(easel::eval::rgb_of(img).data(), img.width, img.height, o->prompt);
    std::printf("%s  \"%s\"\n", v.pass ? "PASS" : "FAIL", o->prompt.c_str());
    for (const auto& c : v.constraints)
      std::printf("  [%s] %s: %s\n", c.pass ? "ok" : "no", c.constraint.c_str(), c.detail.c_str());
    if (!v.unused_words.empty()) {
      std::printf("  words not understood:");
      for (const auto& w : v.unused_words) std::printf(" %s", w.c_str());
      std::printf("\n");
    }
    std::printf("  seen: %s\n", easel::eval::describe(v.analysis).c_str());
    return v.pass ? 0 : 3;
  };
}

EASEL_COMMAND("judge", "Judge whether an image shows what a prompt asks (shapes world)", setup);

}  // namespace
