// `gaussner bench encoder`: forward speed of a BERT/LayoutLM encoder with
// random weights, next to the machine's sgemm rate.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench.h"
#include "model/encoder.h"

namespace gaussner::bench {
namespace {

struct EncoderBenchOptions {
  std::string size = "base";                    // tiny, small or base
  std::string arch = "bert";                    // bert or layoutlm
  int64_t batch = 32;                           // sentences per forward pass
  std::vector<int64_t> lengths = {16, 32, 64};  // pieces per sentence
  int reps = 3;                // timed passes per length (best counts)
  int64_t vocab_size = 30522;  // bert-base-uncased's
};

// Matmul FLOPs of one forward pass: per layer and token, the four H x H
// projections, the two H x I feed-forward products and the two T x H
// attention products (Q K^T and P V).
double forward_flops(const EncoderConfig& c, int64_t batch, int64_t length) {
  const double h = static_cast<double>(c.hidden_size);
  const double i = static_cast<double>(c.intermediate_size);
  double per_token = 2 * (4 * h * h + 2 * h * i) + 2 * 2 * length * h;
  return per_token * batch * length * c.num_hidden_layers;
}

EncoderInput random_input(const EncoderConfig& c,
                          int64_t batch,
                          int64_t length) {
  EncoderInput in;
  in.input_ids = torch::randint(0, c.vocab_size, {batch, length}, torch::kLong);
  if (c.is_layoutlm()) {
    auto corner = torch::randint(0, 500, {batch, length, 2}, torch::kLong);
    auto size = torch::randint(0, 500, {batch, length, 2}, torch::kLong);
    in.bbox = torch::cat({corner, corner + size}, 2);
  }
  return in;
}

// Wall and process CPU seconds (all threads) of one call. With one thread
// on a shared machine, the CPU time is what the work cost whatever the load.
struct Timing {
  double wall = 0;
  double cpu = 0;
};

Timing time_of(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  fn();
  Timing t;
  t.cpu = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
  t.wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return t;
}

// sgemm rate averaged over about `seconds` of back-to-back 2048^3 products:
// on a shared machine this sees the same load as a forward pass of that
// length, where a short best-of-3 sees the quietest moment.
// Returns GFLOP per wall second and per CPU second.
Timing matched_sgemm_gflops(double seconds) {
  const int64_t n = 2048;
  auto a = torch::randn({n, n});
  auto b = torch::randn({n, n});
  auto c = torch::mm(a, b);
  int products = 0;
  Timing took = time_of([&] {
    auto start = std::chrono::steady_clock::now();
    do {
      torch::mm_out(c, a, b);
      ++products;
    } while (
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count() < seconds);
  });
  const double gflop = 2.0 * n * n * n * products / 1e9;
  return {gflop / took.wall, gflop / took.cpu};
}

struct Row {
  int64_t length = 0;
  Timing best{1e30, 1e30};  // fastest forward pass (wall, CPU)
  double sgemm = 0;         // sgemm_gflops() at the start of the run
  Timing matched_sgemm;     // best matched_sgemm_gflops() (wall, CPU)
};

void print_row(const EncoderBenchOptions& o,
               const EncoderConfig& config,
               const Row& r) {
  const double gflop = forward_flops(config, o.batch, r.length) / 1e9;
  const double gflops = gflop / r.best.wall;
  const double cpu_gflops = gflop / r.best.cpu;
  std::printf(
      "{\"bench\":\"encoder\",\"arch\":\"%s\",\"size\":\"%s\","
      "\"batch\":%lld,\"length\":%lld,\"threads\":%d,\"seconds\":%.4f,"
      "\"tokens_per_s\":%.0f,\"gflops\":%.1f,\"sgemm_gflops\":%.1f,"
      "\"ratio\":%.3f,\"matched_sgemm_gflops\":%.1f,"
      "\"matched_ratio\":%.3f,\"cpu_seconds\":%.4f,"
      "\"gflops_per_cpu_s\":%.1f,\"sgemm_gflops_per_cpu_s\":%.1f,"
      "\"cpu_ratio\":%.3f,\"peak_rss_mb\":%.0f}\n",
      o.arch.c_str(),
      o.size.c_str(),
      static_cast<long long>(o.batch),
      static_cast<long long>(r.length),
      at::get_num_threads(),
      r.best.wall,
      o.batch * r.length / r.best.wall,
      gflops,
      r.sgemm,
      gflops / r.sgemm,
      r.matched_sgemm.wall,
      gflops / r.matched_sgemm.wall,
      r.best.cpu,
      cpu_gflops,
      r.matched_sgemm.cpu,
      cpu_gflops / r.matched_sgemm.cpu,
      peak_rss_mb());
  std::fflush(stdout);
}

void run(const EncoderBenchOptions& o) {
  torch::NoGradGuard no_grad;
  EncoderConfig config = EncoderConfig::preset(o.size, o.arch, o.vocab_size);
  Encoder encoder(config);
  encoder->eval();
  const double sgemm = sgemm_gflops();

  // Best of `reps` passes after a warm-up; each pass is followed by as
  // long a stretch of sgemm.
  for (int64_t length : o.lengths) {
    auto in = random_input(config, o.batch, length);
    encoder->forward(in);
    Row row;
    row.length = length;
    row.sgemm = sgemm;
    for (int r = 0; r < o.reps; ++r) {
      Timing took = time_of([&] { encoder->forward(in); });
      Timing sgemm_rate = matched_sgemm_gflops(took.wall);
      row.best.wall = std::min(row.best.wall, took.wall);
      row.best.cpu = std::min(row.best.cpu, took.cpu);
      row.matched_sgemm.wall =
          std::max(row.matched_sgemm.wall, sgemm_rate.wall);
      row.matched_sgemm.cpu = std::max(row.matched_sgemm.cpu, sgemm_rate.cpu);
    }
    print_row(o, config, row);
  }
}

cli::Command make(CLI::App& bench) {
  auto* app = bench.add_subcommand(
      "encoder",
      "Forward speed of a randomly initialised encoder (eval mode) in "
      "tokens/s and matmul GFLOP/s, next to sgemm");
  auto o = std::make_shared<EncoderBenchOptions>();
  app->add_option("--size", o->size, "encoder size")
      ->check(CLI::IsMember({"tiny", "small", "base"}))
      ->capture_default_str();
  app->add_option("--arch", o->arch, "architecture")
      ->check(CLI::IsMember({"bert", "layoutlm"}))
      ->capture_default_str();
  app->add_option("--batch", o->batch, "sentences per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--lengths", o->lengths, "pieces per sentence")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{1}, int64_t{512}))
      ->capture_default_str();
  app->add_option("--reps", o->reps, "timed passes per length (best counts)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  return {app, [o] { run(*o); }};
}

const bool kRegistered = register_bench(make);

}  // namespace
}  // namespace gaussner::bench
