// Subcommand registry: each cli/command_*.cc registers one subcommand.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace gaussner::cli {

// A subcommand as main() sees it: the parsed CLI11 app and what to run.
struct Command {
  CLI::App* app = nullptr;
  std::function<void()> run;
};

// Adds one subcommand to `parent` and returns it with its action.
using CommandFactory = Command (*)(CLI::App& parent);

// Registers a factory at static-initialisation time; returns true.
bool register_command(CommandFactory factory);

// Every registered factory, in registration order.
const std::vector<CommandFactory>& registered_commands();

}  // namespace gaussner::cli
