// `gaussner bench sgemm`: the machine's float32 matrix-product rate.
#include <cstdio>

#include "bench.h"

namespace gaussner::bench {
namespace {

cli::Command make(CLI::App& bench) {
  auto* app = bench.add_subcommand(
      "sgemm",
      "GFLOP/s of an n x n x n float32 product (the peak we compare to)");
  auto n = std::make_shared<int>(2048);
  app->add_option("--n", *n, "matrix size")->capture_default_str();
  return {app, [n] {
            std::printf(
                "{\"bench\":\"sgemm\",\"n\":%d,\"threads\":%d,"
                "\"gflops\":%.1f}\n",
                *n,
                at::get_num_threads(),
                sgemm_gflops(*n));
          }};
}

const bool kRegistered = register_bench(make);

}  // namespace
}  // namespace gaussner::bench
