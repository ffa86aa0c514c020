// easel: text-to-image on the CPU. See command.h for how subcommands are wired.
#include <malloc.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "apps/easel/command.h"
#include "util/error.h"

namespace easel::app {
std::vector<Command>& commands() {
  static std::vector<Command> all;
  return all;
}
}  // namespace easel::app

int main(int argc, char** argv) {
  using namespace easel::app;
  // glibc gives every block above its (adaptive) mmap threshold its own mapping and trims freed heap back to the
  // kernel, so each diffusion or training step faults its activations in anew: 25-35% of a training step was
  // kernel time. Keep blocks up to 32 MB on the heap and keep freed heap (bench_train, prior at batch 128, one
  // thread: 2.16 -> 1.38 s/step; system time 7.5 -> 3.0 s).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
  CLI::App app{"easel: text-to-image diffusion on the CPU.\n"
               "Run `easel COMMAND --help` for the options of one command."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("easel 0.1.0"));
  auto& cmds = commands();
  std::sort(cmds.begin(), cmds.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  std::map<CLI::App*, std::function<int()>> runners;
  for (auto& c : cmds) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    runners[sub] = c.setup(*sub);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // prints help (exit 0) or the usage error (exit 2)
  }
  for (auto& [sub, run] : runners) {
    if (!sub->parsed()) continue;
    try {
      return run();
    } catch (const easel::Error& e) {
      std::cerr << "easel " << sub->get_name() << ": error: " << e.what() << "\n";
      return 1;
    } catch (const c10::Error& e) {
      std::cerr << "easel " << sub->get_name() << ": error: " << e.what_without_backtrace() << "\n";
      return 1;
    } catch (const std::bad_alloc&) {
      std::cerr << "easel " << sub->get_name() << ": error: out of memory\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "easel " << sub->get_name() << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  return 2;
}
