// `gaussner bench encoder`: forward speed of a BERT/LayoutLM encoder with
// random weights, next to the machine's sgemm rate.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <ctime>
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

// Wall and process-CPU seconds of `fn`. On a shared machine the CPU time
// (all threads together) is what the work cost, whatever the load.
struct Timing {
  double wall = 1e30;
  double cpu = 1e30;
};

template <typename Fn>
Timing measure(Fn&& fn) {
  auto wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  fn();
  Timing t;
  t.cpu = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
  t.wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall)
          .count();
  return t;
}

void keep_best(Timing& best, const Timing& t) {
  best.wall = std::min(best.wall, t.wall);
  best.cpu = std::min(best.cpu, t.cpu);
}

// One 2048^3 sgemm, timed like the forward passes.
Timing time_sgemm(const torch::Tensor& a,
                  const torch::Tensor& b,
                  torch::Tensor& c) {
  return measure([&] { torch::mm_out(c, a, b); });
}

void print_row(const EncoderBenchOptions& o,
               int64_t length,
               double flops,
               const Timing& forward,
               const Timing& sgemm,
               double sgemm_reference) {
  const double sgemm_flops = 2.0 * 2048 * 2048 * 2048;
  const double gflops = flops / forward.wall / 1e9;
  const double cpu_gflops = flops / forward.cpu / 1e9;
  const double sgemm_cpu = sgemm_flops / sgemm.cpu / 1e9;
  std::printf(
      "{\"bench\":\"encoder\",\"arch\":\"%s\",\"size\":\"%s\","
      "\"batch\":%lld,\"length\":%lld,\"threads\":%d,\"seconds\":%.4f,"
      "\"tokens_per_s\":%.0f,\"gflops\":%.1f,\"sgemm_gflops\":%.1f,"
      "\"ratio\":%.3f,\"cpu_seconds\":%.4f,\"gflops_per_cpu_s\":%.1f,"
      "\"sgemm_gflops_per_cpu_s\":%.1f,\"cpu_ratio\":%.3f,"
      "\"peak_rss_mb\":%.0f}\n",
      o.arch.c_str(),
      o.size.c_str(),
      static_cast<long long>(o.batch),
      static_cast<long long>(length),
      at::get_num_threads(),
      forward.wall,
      o.batch * length / forward.wall,
      gflops,
      sgemm_reference,
      gflops / sgemm_reference,
      forward.cpu,
      cpu_gflops,
      sgemm_cpu,
      cpu_gflops / sgemm_cpu,
      peak_rss_mb());
  std::fflush(stdout);
}

void run(const EncoderBenchOptions& o) {
  torch::NoGradGuard no_grad;
  EncoderConfig config = EncoderConfig::preset(o.size, o.arch, o.vocab_size);
  Encoder encoder(config);
  encoder->eval();
  double sgemm_reference = sgemm_gflops();
  auto a = torch::randn({2048, 2048});
  auto b = torch::randn({2048, 2048});
  auto c = torch::mm(a, b);

  // Each timed pass is followed by one sgemm, so that both rates see the
  // same machine load; best of `reps` for each.
  for (int64_t length : o.lengths) {
    auto in = random_input(config, o.batch, length);
    encoder->forward(in);
    Timing forward, sgemm;
    for (int r = 0; r < o.reps; ++r) {
      keep_best(forward, measure([&] { encoder->forward(in); }));
      keep_best(sgemm, time_sgemm(a, b, c));
    }
    sgemm_reference =
        std::max(sgemm_reference, 2.0 * 2048 * 2048 * 2048 / sgemm.wall / 1e9);
    print_row(o,
              length,
              forward_flops(config, o.batch, length),
              forward,
              sgemm,
              sgemm_reference);
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
