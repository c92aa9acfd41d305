#include "eval/scorer.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "text/tags.h"
#include "util/error.h"

namespace gaussner {

namespace {

// IO labels, with the seqeval-compatible merge applied when asked.
std::vector<std::string> scoring_labels(const std::vector<std::string>& labels,
                                        const ScoreOptions& options) {
  std::vector<std::string> out;
  out.reserve(labels.size());
  for (const auto& label : labels) {
    std::string io = io_label(label);
    std::size_t dash = io.find('-');
    if (options.merge_other_suffix && dash != std::string::npos) {
      io = io.substr(dash + 1);
    }
    out.push_back(std::move(io));
  }
  return out;
}

struct SpanPair {
  std::vector<Span> gold;
  std::vector<Span> predicted;
};

SpanPair spans_of(const std::vector<std::string>& gold,
                  const std::vector<std::string>& predicted,
                  const ScoreOptions& options) {
  if (gold.size() != predicted.size()) {
    fail(
        "span scoring: gold has {} labels but predicted has {}; expected "
        "one prediction per word",
        gold.size(),
        predicted.size());
  }
  return SpanPair{extract_spans(scoring_labels(gold, options)),
                  extract_spans(scoring_labels(predicted, options))};
}

// Spans of one sentence never overlap, so both lists are sorted by start
// and a span matches at most one span of the other list.
template <typename OnMatch>
void for_each_match(const SpanPair& spans, OnMatch on_match) {
  std::size_t g = 0;
  std::size_t p = 0;
  while (g < spans.gold.size() && p < spans.predicted.size()) {
    const Span& gold = spans.gold[g];
    const Span& predicted = spans.predicted[p];
    if (gold == predicted) on_match(gold);
    if (gold.start <= predicted.start) ++g;
    if (predicted.start <= gold.start) ++p;
  }
}

double ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / denominator;
}

// Linear interpolation between order statistics of sorted `values`.
double quantile(const std::vector<double>& values, double q) {
  double position = q * static_cast<double>(values.size() - 1);
  std::size_t below = static_cast<std::size_t>(std::floor(position));
  std::size_t above = std::min(below + 1, values.size() - 1);
  double weight = position - static_cast<double>(below);
  return values[below] * (1 - weight) + values[above] * weight;
}

}  // namespace

Prf prf(const SpanCounts& counts) {
  Prf out;
  out.precision = ratio(counts.correct, counts.predicted);
  out.recall = ratio(counts.correct, counts.gold);
  out.f1 = ratio(2 * counts.correct, counts.gold + counts.predicted);
  return out;
}

SpanCounts count_spans(const std::vector<std::string>& gold,
                       const std::vector<std::string>& predicted,
                       const ScoreOptions& options) {
  SpanPair spans = spans_of(gold, predicted, options);
  SpanCounts counts;
  counts.gold = static_cast<int64_t>(spans.gold.size());
  counts.predicted = static_cast<int64_t>(spans.predicted.size());
  for_each_match(spans, [&](const Span&) { ++counts.correct; });
  return counts;
}

void count_spans_by_label(const std::vector<std::string>& gold,
                          const std::vector<std::string>& predicted,
                          std::map<std::string, SpanCounts>& by_label,
                          const ScoreOptions& options) {
  SpanPair spans = spans_of(gold, predicted, options);
  for (const Span& span : spans.gold) ++by_label[span.label].gold;
  for (const Span& span : spans.predicted) ++by_label[span.label].predicted;
  for_each_match(spans,
                 [&](const Span& span) { ++by_label[span.label].correct; });
}

Interval bootstrap_f1(const std::vector<SpanCounts>& per_episode,
                      int samples,
                      uint64_t seed,
                      double level) {
  if (per_episode.empty() || samples < 1 || !(level > 0 && level < 1)) {
    fail(
        "bootstrap_f1: got {} episodes, {} samples, level {}; expected at "
        "least one episode, samples >= 1 and 0 < level < 1",
        per_episode.size(),
        samples,
        level);
  }
  std::mt19937_64 rng(seed);
  const uint64_t n = per_episode.size();
  std::vector<double> f1s;
  f1s.reserve(samples);
  for (int s = 0; s < samples; ++s) {
    SpanCounts total;
    for (uint64_t i = 0; i < n; ++i) {
      // Multiply-shift maps a 64-bit draw onto [0, n) the same way on every
      // standard library (std::uniform_int_distribution does not).
      auto pick = static_cast<uint64_t>(
          (static_cast<unsigned __int128>(rng()) * n) >> 64);
      total += per_episode[pick];
    }
    f1s.push_back(prf(total).f1);
  }
  std::sort(f1s.begin(), f1s.end());
  double tail = (1 - level) / 2;
  return Interval{quantile(f1s, tail), quantile(f1s, 1 - tail)};
}

std::vector<ReliabilityBin> reliability(const std::vector<double>& confidence,
                                        const std::vector<bool>& correct,
                                        int bins) {
  if (bins < 1 || confidence.size() != correct.size()) {
    fail(
        "reliability: got {} bins, {} confidences and {} correctness "
        "flags; expected bins >= 1 and one flag per confidence",
        bins,
        confidence.size(),
        correct.size());
  }
  std::vector<ReliabilityBin> table(bins);
  std::vector<int64_t> hits(bins, 0);
  for (std::size_t i = 0; i < confidence.size(); ++i) {
    double c = confidence[i];
    if (!(c >= 0 && c <= 1)) {
      fail(
          "reliability: confidence {} at index {}; expected a value in "
          "[0, 1]",
          c,
          i);
    }
    // Confidence 1.0 belongs to the last bin, not to a bin of its own.
    int bin = std::min(static_cast<int>(c * bins), bins - 1);
    ++table[bin].count;
    table[bin].mean_confidence += c;
    hits[bin] += correct[i] ? 1 : 0;
  }
  for (int b = 0; b < bins; ++b) {
    ReliabilityBin& row = table[b];
    row.low = static_cast<double>(b) / bins;
    row.high = static_cast<double>(b + 1) / bins;
    if (row.count > 0) row.mean_confidence /= static_cast<double>(row.count);
    row.accuracy = ratio(hits[b], row.count);
  }
  return table;
}

}  // namespace gaussner
