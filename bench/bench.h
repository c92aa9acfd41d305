// `gaussner bench ...`: benchmarks register here like subcommands do.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "command.h"

namespace gaussner::bench {

// Adds one benchmark under the `bench` subcommand and returns its action.
using BenchFactory = cli::Command (*)(CLI::App& bench);

bool register_bench(BenchFactory factory);

// sgemm rate of libtorch on this machine, measured now: GFLOP/s of an
// n x n x n float32 product (best of `reps` after one warm-up).
double sgemm_gflops(int n = 2048, int reps = 3);

// Peak resident memory of this process so far, in MB (VmHWM).
double peak_rss_mb();

// Current resident memory of this process, in MB (VmRSS).
double current_rss_mb();

}  // namespace gaussner::bench
