// `gaussner bench`: the parent of every benchmark.
#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <string>

#include "bench.h"

namespace gaussner::bench {
namespace {

std::vector<BenchFactory>& registry() {
  static std::vector<BenchFactory> factories;
  return factories;
}

double read_status_mb(const std::string& key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) {
      return std::stod(line.substr(key.size())) / 1024.0;  // kB -> MB
    }
  }
  return 0;
}

// The `bench` command runs whichever benchmark was named.
cli::Command make(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "bench", "Measure speed and memory (prints JSON lines)");
  app->require_subcommand(1);
  auto commands = std::make_shared<std::vector<cli::Command>>();
  for (auto factory : registry()) commands->push_back(factory(*app));
  return {app, [commands] {
            for (auto& command : *commands) {
              if (command.app->parsed()) command.run();
            }
          }};
}

const bool kRegistered = cli::register_command(make);

}  // namespace

bool register_bench(BenchFactory factory) {
  registry().push_back(factory);
  return true;
}

double sgemm_gflops(int n, int reps) {
  torch::NoGradGuard no_grad;
  auto a = torch::randn({n, n});
  auto b = torch::randn({n, n});
  auto c = torch::mm(a, b);
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    torch::mm_out(c, a, b);
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return 2.0 * n * n * static_cast<double>(n) / best / 1e9;
}

double peak_rss_mb() {
  return read_status_mb("VmHWM:");
}

double current_rss_mb() {
  return read_status_mb("VmRSS:");
}

}  // namespace gaussner::bench
