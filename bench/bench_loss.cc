// `gaussner bench loss`: time and memory of one forward + backward of the
// contrastive loss, gaussner's matrix-product form against the reference's
// N x N x D broadcasts.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>

#include "bench.h"
#include "train/loss.h"
#include "train/pairwise_kl_internal.h"

namespace gaussner::bench {
namespace {

using torch::Tensor;

struct LossBenchOptions {
  int64_t words = 1200;  // N, words in the batch
  int64_t dim = 128;     // D (reference scripts: 128)
  int64_t labels = 10;   // distinct random labels
  int reps = 1;          // forward + backward passes; the best is reported
  uint64_t seed = 1;     // random inputs
  bool naive = false;    // the reference's N x N x D formulation instead
  int64_t block_elements = 0;  // elementwise block size; 0: the default
};

// The reference's way: KL(p||q) and KL(q||p) over N x N x D broadcasts,
// averaged, with autograd keeping every intermediate. Only the loss part
// uses log-sum-exp, so that random inputs cannot give NaN.
Tensor naive_loss(const Tensor& mu, const Tensor& var, const Tensor& labels) {
  const int64_t n = mu.size(0), d = mu.size(1);
  auto mp = mu.unsqueeze(1).expand({n, n, d});  // N x N x D
  auto mq = mu.unsqueeze(0).expand({n, n, d});
  auto vp = var.unsqueeze(1).expand({n, n, d});
  auto vq = var.unsqueeze(0).expand({n, n, d});
  auto kl = [](const Tensor& m1,
               const Tensor& v1,
               const Tensor& m2,
               const Tensor& v2) {  // KL(1||2): N x N
    return 0.5 *
           (v2.log() - v1.log() + v1 / v2 + (m1 - m2).square() / v2 - 1).sum(2);
  };
  auto dist = 0.5 * (kl(mp, vp, mq, vq) + kl(mq, vq, mp, vp));  // N x N

  const double inf = std::numeric_limits<double>::infinity();
  auto others = torch::eye(n, torch::kBool).logical_not();
  auto positives = (labels.unsqueeze(1) == labels.unsqueeze(0)) & others;
  auto valid = positives.any(1);
  auto lse_all = (-dist).masked_fill(others.logical_not(), -inf).logsumexp(1);
  auto lse_pos =
      (-dist).masked_fill(positives.logical_not(), -inf).logsumexp(1);
  auto log_count = positives.sum(1).clamp_min(1).to(mu.dtype()).log();
  return (lse_all - lse_pos + log_count).index({valid}).mean();
}

// CPU seconds of this process, all threads: on a shared machine, the part
// of the wall time that was really ours.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// The 1-minute load average, to judge how contended a timing was.
double load_average() {
  double load = 0;
  std::ifstream("/proc/loadavg") >> load;
  return load;
}

// One forward + backward; returns the loss.
double step(const LossBenchOptions& o,
            Tensor& mu,
            Tensor& var,
            const Tensor& labels) {
  mu.mutable_grad().reset();
  var.mutable_grad().reset();
  auto loss =
      o.naive ? naive_loss(mu, var, labels) : contrastive_loss(mu, var, labels);
  loss.backward();
  return loss.item<double>();
}

void run(const LossBenchOptions& o) {
  kl_internal::set_block_elements(o.block_elements);
  torch::manual_seed(o.seed);
  auto mu = torch::randn({o.words, o.dim}).requires_grad_();
  auto var = (torch::elu(torch::randn({o.words, o.dim})) + (1 + 1e-6))
                 .requires_grad_();
  auto labels = torch::randint(o.labels, {o.words}, torch::kInt64);

  // VmHWM is per process: run one configuration per process and count the
  // growth over the resident memory just before the first pass.
  const double rss_before = current_rss_mb();
  const double cpu_before = cpu_seconds();
  double best = std::numeric_limits<double>::infinity(), total = 0, loss = 0;
  for (int r = 0; r < o.reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    loss = step(o, mu, var, labels);
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
    total += took.count();
  }
  nlohmann::ordered_json line = {
      {"bench", "loss"},
      {"method", o.naive ? "naive" : "gaussner"},
      {"words", o.words},
      {"dim", o.dim},
      {"labels", o.labels},
      {"block_elements", o.block_elements},
      {"threads", at::get_num_threads()},
      {"reps", o.reps},
      {"seconds", best},
      {"seconds_mean", total / o.reps},
      {"cpu_seconds_mean", (cpu_seconds() - cpu_before) / o.reps},
      {"peak_extra_mb", peak_rss_mb() - rss_before},
      {"rss_before_mb", rss_before},
      {"loss", loss},
      {"load_average", load_average()}};
  std::printf("%s\n", line.dump().c_str());
}

cli::Command make(CLI::App& bench) {
  auto* app = bench.add_subcommand(
      "loss",
      "One forward + backward of the contrastive loss on random Gaussians "
      "(time, peak extra memory)");
  auto o = std::make_shared<LossBenchOptions>();
  app->add_option("--words", o->words, "N, words in the batch")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--dim", o->dim, "D, Gaussian dimension")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--labels", o->labels, "distinct random labels")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--reps", o->reps, "passes; the fastest is reported")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--seed", o->seed, "seed of the random inputs")
      ->capture_default_str();
  app->add_option("--block-elements",
                  o->block_elements,
                  "elements per row block of the N x N passes (0: default)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app->add_flag(
      "--naive", o->naive, "reference formulation (N x N x D tensors) instead");
  return {app, [o] { run(*o); }};
}

const bool kRegistered = register_bench(make);

}  // namespace
}  // namespace gaussner::bench
