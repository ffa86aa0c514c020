// easel: text-to-image on the CPU. See command.h for how subcommands are wired.
#include <algorithm>
#include <iostream>
#include <map>

#include "apps/easel/command.h"
#include "util/allocator.h"
#include "util/blas_kernels.h"
#include "util/cpu_threads.h"
#include "util/error.h"

namespace easel::app {
std::vector<Command>& commands() {
  static std::vector<Command> all;
  return all;
}
}  // namespace easel::app

int main(int argc, char** argv) {
  using namespace easel::app;
  easel::tune_allocator();
  easel::use_fast_blas_kernels();
  easel::use_all_cpus();
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
