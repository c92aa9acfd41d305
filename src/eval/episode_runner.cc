#include "eval/episode_runner.h"

#include <chrono>
#include <set>

#include "util/error.h"

namespace gaussner {

void EpisodeOptions::validate() const {
  if (method != "container" && method != "nnshot" && method != "proto") {
    fail("episodes: method '{}' is not one of container, nnshot, proto",
         method);
  }
  tag.validate();
}

nlohmann::json EpisodeResult::to_json() const {
  Prf p = prf(counts);
  return {{"episode", index},
          {"gold", counts.gold},
          {"predicted", counts.predicted},
          {"correct", counts.correct},
          {"precision", p.precision},
          {"recall", p.recall},
          {"f1", p.f1},
          {"finetune_steps", finetune_steps},
          {"hit_cap", hit_cap},
          {"seconds", seconds}};
}

EpisodeResult run_episode(ContainerModel& model,
                          const TensorMap& source,
                          const Episode& episode,
                          const EpisodeOptions& options) {
  auto start = std::chrono::steady_clock::now();
  EpisodeResult result;
  result.index = episode.index;
  LabelSet labels(episode.types);

  restore(model, source);
  TagOptions tag = options.tag;
  if (options.method == "container") {
    FinetuneResult tuned =
        finetune(model, episode.support, labels, options.finetune);
    result.finetune_steps = tuned.steps;
    result.hit_cap = tuned.hit_cap;
  } else if (options.method == "proto") {
    tag.centroids = true;
  }

  Tagger tagger(model, episode.support, labels, tag);
  std::vector<Tagged> tagged = tagger.tag(episode.query);
  for (std::size_t i = 0; i < episode.query.size(); ++i) {
    const auto& gold = episode.query[i].labels;
    const auto& predicted = tagged[i].labels;
    result.counts += count_spans(gold, predicted, options.score);
    count_spans_by_label(gold, predicted, result.by_label, options.score);
    std::vector<Span> gold_spans = extract_spans(gold);
    for (const TaggedSpan& span : tagged[i].spans) {
      Span s{span.start, span.end, span.label};
      bool hit = std::find(gold_spans.begin(), gold_spans.end(), s) !=
                 gold_spans.end();
      result.confidence.push_back(span.confidence);
      result.correct.push_back(hit);
    }
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return result;
}

nlohmann::json summarize(const std::vector<EpisodeResult>& results,
                         const EpisodeOptions& options) {
  SpanCounts total;
  std::vector<SpanCounts> per_episode;
  std::map<std::string, SpanCounts> by_label;
  std::vector<double> confidence;
  std::vector<bool> correct;
  int64_t steps = 0, capped = 0;
  double seconds = 0;
  for (const auto& r : results) {
    total += r.counts;
    per_episode.push_back(r.counts);
    for (const auto& [label, c] : r.by_label) by_label[label] += c;
    confidence.insert(
        confidence.end(), r.confidence.begin(), r.confidence.end());
    correct.insert(correct.end(), r.correct.begin(), r.correct.end());
    steps += r.finetune_steps;
    capped += r.hit_cap ? 1 : 0;
    seconds += r.seconds;
  }
  Prf p = prf(total);
  Interval ci =
      bootstrap_f1(per_episode, options.bootstrap_samples, options.seed);
  double n = std::max<double>(1, results.size());

  nlohmann::json types = nlohmann::json::object();
  for (const auto& [label, c] : by_label) {
    Prf q = prf(c);
    types[label] = {{"gold", c.gold},
                    {"predicted", c.predicted},
                    {"correct", c.correct},
                    {"precision", q.precision},
                    {"recall", q.recall},
                    {"f1", q.f1}};
  }
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& b : reliability(confidence, correct, 5)) {
    bins.push_back({{"low", b.low},
                    {"high", b.high},
                    {"count", b.count},
                    {"mean_confidence", b.mean_confidence},
                    {"accuracy", b.accuracy}});
  }
  return {{"episodes", results.size()},
          {"method", options.method},
          {"gold", total.gold},
          {"predicted", total.predicted},
          {"correct", total.correct},
          {"precision", p.precision},
          {"recall", p.recall},
          {"f1", p.f1},
          {"f1_low", ci.low},
          {"f1_high", ci.high},
          {"interval", "95% percentile bootstrap over episodes"},
          {"mean_finetune_steps", steps / n},
          {"finetune_cap_hits", capped},
          {"seconds_per_episode", seconds / n},
          {"merge_other_suffix", options.score.merge_other_suffix},
          {"viterbi", options.tag.viterbi},
          {"types", types},
          {"reliability", bins}};
}

}  // namespace gaussner
