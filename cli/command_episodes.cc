// `gaussner episodes`: the Few-NERD episode benchmark.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "command.h"
#include "eval/episode_runner.h"
#include "options.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/threads.h"

namespace gaussner::cli {
namespace {

struct Args {
  std::string model;
  std::string episodes;
  std::string summary;
  std::string output;
  int64_t limit = 0;
  int64_t offset = 0;
  int jobs = 1;
  EpisodeOptions options;
};

void print_table(const nlohmann::json& s) {
  std::fprintf(
      stderr, "\n%-40s %7s %7s %7s %7s\n", "type", "gold", "pred", "P", "R");
  for (const auto& [label, t] : s["types"].items()) {
    std::fprintf(stderr,
                 "%-40s %7lld %7lld %6.1f%% %6.1f%%\n",
                 label.c_str(),
                 t["gold"].get<long long>(),
                 t["predicted"].get<long long>(),
                 100 * t["precision"].get<double>(),
                 100 * t["recall"].get<double>());
  }
  std::fprintf(stderr,
               "\n%s on %zu episodes: P %.2f  R %.2f  F1 %.2f  "
               "(95%% CI %.2f..%.2f)\n",
               s["method"].get<std::string>().c_str(),
               s["episodes"].get<std::size_t>(),
               100 * s["precision"].get<double>(),
               100 * s["recall"].get<double>(),
               100 * s["f1"].get<double>(),
               100 * s["f1_low"].get<double>(),
               100 * s["f1_high"].get<double>());
  std::fprintf(stderr, "reliability (confidence bin: entities, accuracy):");
  for (const auto& b : s["reliability"]) {
    std::fprintf(stderr,
                 " [%.1f,%.1f): %lld, %.0f%%;",
                 b["low"].get<double>(),
                 b["high"].get<double>(),
                 b["count"].get<long long>(),
                 100 * b["accuracy"].get<double>());
  }
  std::fprintf(stderr, "\n");
}

void run(Args& a) {
  a.options.validate();
  if (a.jobs < 1) fail("episodes: --jobs must be at least 1, got {}", a.jobs);
  std::vector<Episode> all = read_episodes(a.episodes);
  std::size_t begin = std::min<std::size_t>(a.offset, all.size());
  std::size_t end =
      a.limit > 0 ? std::min(all.size(), begin + a.limit) : all.size();
  std::vector<Episode> episodes(all.begin() + begin, all.begin() + end);
  if (episodes.empty()) fail("{}: no episodes selected", a.episodes);

  // One model per job, each restored from its own in-memory snapshot.
  int jobs = std::min<int>(a.jobs, static_cast<int>(episodes.size()));
  if (jobs > 1) set_threads(std::max(1, at::get_num_threads() / jobs));
  std::vector<ContainerModel> models;
  std::vector<TensorMap> sources;
  for (int j = 0; j < jobs; ++j) {
    models.push_back(load_model(a.model));
    sources.push_back(snapshot(models.back()));
  }

  std::ofstream out;
  if (!a.output.empty()) out.open(a.output);
  std::vector<EpisodeResult> results(episodes.size());
  std::mutex mutex;
  std::size_t next = 0, done = 0;
  Progress progress("episodes", static_cast<int64_t>(episodes.size()), 2.0);
  auto worker = [&](int j) {
    for (;;) {
      std::size_t i;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next >= episodes.size()) return;
        i = next++;
      }
      results[i] = run_episode(models[j], sources[j], episodes[i], a.options);
      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      SpanCounts sum;
      for (std::size_t k = 0; k < episodes.size(); ++k) {
        if (results[k].seconds > 0) sum += results[k].counts;
      }
      progress.update(static_cast<int64_t>(done),
                      fmt::format("F1 so far {:.2f}", 100 * prf(sum).f1));
    }
  };
  if (jobs == 1) {
    worker(0);
  } else {
    std::vector<std::thread> threads;
    for (int j = 0; j < jobs; ++j) threads.emplace_back(worker, j);
    for (auto& t : threads) t.join();
  }
  progress.finish();

  for (const auto& r : results) {
    if (out.is_open()) out << r.to_json().dump() << "\n";
  }
  nlohmann::json summary = summarize(results, a.options);
  summary["file"] = a.episodes;
  summary["offset"] = begin;
  print_table(summary);
  if (!a.summary.empty()) std::ofstream(a.summary) << summary.dump(2) << "\n";
  summary.erase("types");
  std::printf("%s\n", summary.dump().c_str());
}

Command make(CLI::App& parent) {
  auto a = std::make_shared<Args>();
  auto* app = parent.add_subcommand(
      "episodes", "Few-NERD episode evaluation (fine-tune, tag, score)");
  app->add_option("--model", a->model, "trained model folder")->required();
  app->add_option("--episodes", a->episodes, "episode file (JSON lines)")
      ->required();
  app->add_option("--limit", a->limit, "episodes to run (0 = all)")
      ->capture_default_str();
  app->add_option("--offset", a->offset, "episodes to skip first")
      ->capture_default_str();
  app->add_option("--method",
                  a->options.method,
                  "container (fine-tune + NN), nnshot (NN, no fine-tuning), "
                  "proto (centroids, no fine-tuning)")
      ->capture_default_str();
  app->add_flag("--merge-other-suffix",
                a->options.score.merge_other_suffix,
                "score like the reference (labels with the same text after "
                "the first '-' count as one)");
  app->add_option("--jobs",
                  a->jobs,
                  "episodes run in parallel (threads split between them; "
                  "results are reproducible with 1)")
      ->capture_default_str();
  app->add_option("--output", a->output, "one JSON line per episode");
  app->add_option("--summary", a->summary, "summary JSON file");
  add_finetune_options(*app, a->options.finetune);
  add_tag_options(*app, a->options.tag);
  return {app, [a] {
            a->options.seed = a->options.finetune.seed;
            run(*a);
          }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
