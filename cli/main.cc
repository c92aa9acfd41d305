// gaussner: few-shot named-entity recognition with Gaussian embeddings.
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "command.h"
#include "util/error.h"
#include "util/threads.h"

namespace gaussner::cli {

namespace {
std::vector<CommandFactory>& registry() {
  static std::vector<CommandFactory> factories;
  return factories;
}
}  // namespace

bool register_command(CommandFactory factory) {
  registry().push_back(factory);
  return true;
}

const std::vector<CommandFactory>& registered_commands() {
  return registry();
}

}  // namespace gaussner::cli

namespace {

// libgomp's default busy-wait makes OpenMP threads spin for CPU time; on a
// small machine shared with anything else, libtorch then runs several times
// slower (docs/benchmarks.md). libgomp reads OMP_WAIT_POLICY when it loads,
// before main, so the process restarts itself once with the passive policy
// unless the user chose a policy.
void prefer_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): carry on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gaussner;
  prefer_passive_openmp_wait(argv);
  CLI::App app{
      "gaussner: few-shot named-entity recognition with Gaussian embeddings "
      "(ContaiNER)."};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "CPU threads (0 = all cores)")
      ->default_val(0);

  std::vector<cli::Command> commands;
  for (auto factory : cli::registered_commands()) {
    commands.push_back(factory(app));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    set_threads(threads);
    for (auto& command : commands) {
      if (command.app->parsed()) command.run();
    }
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "gaussner: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
