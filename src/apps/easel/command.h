// The `easel` CLI is a set of subcommands. Each lives in its own cmd_<name>.cpp and registers itself with
// EASEL_COMMAND; main() builds one CLI11 app, lets each command add its subcommand, then runs the chosen one.
//
// Exit codes: 0 success, 1 a runtime error (bad input file, failed generation), 2 a usage error (CLI11).
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace easel::app {

struct Command {
  std::string name;
  // Adds the subcommand's options to `sub` and returns the function that runs it (returns the exit code).
  std::function<std::function<int()>(CLI::App& sub)> setup;
  std::string description;
};

std::vector<Command>& commands();

struct Registrar {
  Registrar(Command c) { commands().push_back(std::move(c)); }
};

}  // namespace easel::app

#define EASEL_CONCAT_INNER(a, b) a##b
#define EASEL_CONCAT(a, b) EASEL_CONCAT_INNER(a, b)
#define EASEL_COMMAND(name, description, setup_fn) \
  static ::easel::app::Registrar EASEL_CONCAT(easel_cmd_, __LINE__)({name, setup_fn, description})
