// Span counting, micro precision/recall/F1, bootstrap intervals and
// calibration bins (Few-NERD protocol, METHOD.md section 7).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/spans.h"

namespace gaussner {

struct SpanCounts {
  int64_t gold = 0;
  int64_t predicted = 0;
  int64_t correct = 0;
  SpanCounts& operator+=(const SpanCounts& o) {
    gold += o.gold;
    predicted += o.predicted;
    correct += o.correct;
    return *this;
  }
};

struct Prf {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

Prf prf(const SpanCounts& counts);

struct ScoreOptions {
  // Reference scorer (seqeval) compatibility: labels sharing the text after
  // the first '-' are treated as one (location-other == organization-other).
  bool merge_other_suffix = false;
};

// Counts for one sentence: gold, predicted and exactly matching spans.
SpanCounts count_spans(const std::vector<std::string>& gold,
                       const std::vector<std::string>& predicted,
                       const ScoreOptions& options = {});

// Per-label counts for one sentence (added into `by_label`).
void count_spans_by_label(const std::vector<std::string>& gold,
                          const std::vector<std::string>& predicted,
                          std::map<std::string, SpanCounts>& by_label,
                          const ScoreOptions& options = {});

// 95% (or `level`) percentile bootstrap interval of micro F1 over episodes:
// resample episodes with replacement `samples` times, seeded.
struct Interval {
  double low = 0;
  double high = 0;
};
Interval bootstrap_f1(const std::vector<SpanCounts>& per_episode,
                      int samples = 1000,
                      uint64_t seed = 1,
                      double level = 0.95);

// Reliability table: predicted entities binned by confidence into `bins`
// equal-width bins over [0, 1]; per bin the count, mean confidence and the
// share that were correct.
struct ReliabilityBin {
  double low = 0;
  double high = 0;
  int64_t count = 0;
  double mean_confidence = 0;
  double accuracy = 0;
};
std::vector<ReliabilityBin> reliability(const std::vector<double>& confidence,
                                        const std::vector<bool>& correct,
                                        int bins = 5);

}  // namespace gaussner
