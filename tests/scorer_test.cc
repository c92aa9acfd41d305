#include "eval/scorer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "eval/spans.h"
#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

using Labels = std::vector<std::string>;

TEST(Scorer, ExtractSpansFromIoBioAndBioes) {
  struct Case {
    Labels labels;
    std::vector<Span> spans;
  };
  std::vector<Case> cases = {
      {{}, {}},
      {{"O", "O"}, {}},
      // Adjacent same type merges in IO; a different type splits.
      {{"X", "X", "Y", "O", "X"}, {{0, 2, "X"}, {2, 3, "Y"}, {4, 5, "X"}}},
      // Entities at sentence start and end.
      {{"X", "O", "O", "Y", "Y"}, {{0, 1, "X"}, {3, 5, "Y"}}},
      // BIO is mapped to IO first, so B-X B-X is one span.
      {{"B-X", "I-X", "B-X", "O", "B-Y"}, {{0, 3, "X"}, {4, 5, "Y"}}},
      {{"B-X", "B-Y", "I-Y"}, {{0, 1, "X"}, {1, 3, "Y"}}},
      // An I- tag after O (IOB1 style) still opens a span.
      {{"O", "I-X", "I-X"}, {{1, 3, "X"}}},
      {{"S-X", "B-Y", "I-Y", "E-Y", "O"}, {{0, 1, "X"}, {1, 4, "Y"}}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(extract_spans(c.labels), c.spans)
        << ::testing::PrintToString(c.labels);
  }
  EXPECT_THROW_WITH(extract_spans({"O", "B-"}), "tag 'B-' is malformed");
}

TEST(Scorer, CountSpansAndMergeOtherSuffix) {
  struct Case {
    Labels gold;
    Labels predicted;
    bool merge;
    int64_t gold_n, predicted_n, correct;
  };
  std::vector<Case> cases = {
      {{"X", "X", "O", "Y"}, {"X", "X", "O", "Y"}, false, 2, 2, 2},
      // Wrong boundary is no match.
      {{"X", "X", "O", "Y"}, {"X", "O", "O", "Y"}, false, 2, 2, 1},
      // A split entity: neither half matches.
      {{"X", "X"}, {"X", "Y"}, false, 1, 2, 0},
      // Same span, wrong type.
      {{"O", "X"}, {"O", "Y"}, false, 1, 1, 0},
      // BIO gold against IO predictions.
      {{"B-X", "I-X", "O", "B-Y"}, {"X", "X", "O", "Y"}, false, 2, 2, 2},
      // Two adjacent BIO entities of one type are one span in IO.
      {{"B-X", "B-X"}, {"X", "O"}, false, 1, 1, 0},
      {{"O", "O"}, {"O", "X"}, false, 0, 1, 0},
      // Merge: *-other labels count as one type.
      {{"location-other", "O"}, {"organization-other", "O"}, false, 1, 1, 0},
      {{"location-other", "O"}, {"organization-other", "O"}, true, 1, 1, 1},
      // ... and adjacent ones fuse into one span.
      {{"location-other", "organization-other"},
       {"location-other", "location-other"},
       true,
       1,
       1,
       1},
      {{"location-other", "organization-other"},
       {"location-other", "location-other"},
       false,
       2,
       1,
       0},
      // Different suffixes stay different; labels without '-' stay as is.
      {{"person-actor", "PER"}, {"art-film", "PER"}, true, 2, 2, 1},
      {{"B-location-other"}, {"organization-other"}, true, 1, 1, 1},
  };
  for (const Case& c : cases) {
    ScoreOptions options;
    options.merge_other_suffix = c.merge;
    SpanCounts got = count_spans(c.gold, c.predicted, options);
    std::string trace = ::testing::PrintToString(c.gold) + " vs " +
                        ::testing::PrintToString(c.predicted);
    EXPECT_EQ(got.gold, c.gold_n) << trace;
    EXPECT_EQ(got.predicted, c.predicted_n) << trace;
    EXPECT_EQ(got.correct, c.correct) << trace;
  }
  EXPECT_THROW_WITH(count_spans({"O", "X"}, {"O"}),
                    "gold has 2 labels but predicted has 1");
}

TEST(Scorer, ByLabelAndEpisodeSums) {
  std::map<std::string, SpanCounts> by_label;
  count_spans_by_label({"X", "O", "Y", "Y"}, {"X", "O", "Y", "O"}, by_label);
  count_spans_by_label({"Z", "X"}, {"Z", "X"}, by_label);
  ASSERT_EQ(by_label.size(), 3u);
  EXPECT_EQ(by_label["X"].gold, 2);
  EXPECT_EQ(by_label["X"].predicted, 2);
  EXPECT_EQ(by_label["X"].correct, 2);
  EXPECT_EQ(by_label["Y"].gold, 1);
  EXPECT_EQ(by_label["Y"].predicted, 1);
  EXPECT_EQ(by_label["Y"].correct, 0);
  EXPECT_EQ(by_label["Z"].correct, 1);

  std::map<std::string, SpanCounts> merged;
  ScoreOptions merge;
  merge.merge_other_suffix = true;
  count_spans_by_label({"a-other"}, {"b-other"}, merged, merge);
  ASSERT_EQ(merged.count("other"), 1u);
  EXPECT_EQ(merged["other"].correct, 1);

  // Three episodes of (gold, predicted) sentences; counts by hand:
  // episode 1: gold 2, predicted 2, correct 1; episode 2: 1, 0, 0;
  // episode 3: 0, 1, 0 -> total 3, 3, 1.
  using Episode = std::vector<std::pair<Labels, Labels>>;
  std::vector<Episode> episodes = {
      {{{"X", "O"}, {"X", "O"}}, {{"O", "Y", "Y"}, {"O", "Y", "O"}}},
      {{{"Z"}, {"O"}}},
      {{{"O", "O"}, {"O", "W"}}, {{"O"}, {"O"}}},
  };
  SpanCounts total;
  std::vector<SpanCounts> per_episode;
  for (const Episode& episode : episodes) {
    SpanCounts counts;
    for (const auto& [gold, predicted] : episode) {
      counts += count_spans(gold, predicted);
    }
    per_episode.push_back(counts);
    total += counts;
  }
  EXPECT_EQ(per_episode[0].correct, 1);
  EXPECT_EQ(per_episode[1].gold, 1);
  EXPECT_EQ(per_episode[2].predicted, 1);
  EXPECT_EQ(total.gold, 3);
  EXPECT_EQ(total.predicted, 3);
  EXPECT_EQ(total.correct, 1);
}

TEST(Scorer, PrfValues) {
  Prf p = prf({4, 5, 3});
  EXPECT_DOUBLE_EQ(p.precision, 0.6);
  EXPECT_DOUBLE_EQ(p.recall, 0.75);
  EXPECT_DOUBLE_EQ(p.f1, 2 * 0.6 * 0.75 / (0.6 + 0.75));
  Prf none = prf({0, 0, 0});
  EXPECT_EQ(none.precision, 0);
  EXPECT_EQ(none.recall, 0);
  EXPECT_EQ(none.f1, 0);
  Prf no_predictions = prf({3, 0, 0});
  EXPECT_EQ(no_predictions.precision, 0);
  EXPECT_EQ(no_predictions.f1, 0);
}

TEST(Scorer, BootstrapIsDeterministicAndCoversThePoint) {
  // 200 episodes with varied counts (fixed generator, so fixed data).
  std::mt19937 gen(7);
  std::vector<SpanCounts> episodes;
  SpanCounts total;
  for (int i = 0; i < 200; ++i) {
    int64_t gold = 1 + gen() % 6;
    int64_t predicted = 1 + gen() % 6;
    int64_t correct = gen() % (std::min(gold, predicted) + 1);
    episodes.push_back({gold, predicted, correct});
    total += episodes.back();
  }
  double point = prf(total).f1;

  Interval a = bootstrap_f1(episodes, 500, 11);
  Interval b = bootstrap_f1(episodes, 500, 11);
  Interval c = bootstrap_f1(episodes, 500, 12);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_NE(a.low, c.low);
  EXPECT_LT(a.low, point);
  EXPECT_GT(a.high, point);
  EXPECT_LT(a.high - a.low, 0.2);
  Interval narrow = bootstrap_f1(episodes, 500, 11, 0.5);
  EXPECT_GT(narrow.low, a.low);
  EXPECT_LT(narrow.high, a.high);

  // One episode: every resample is that episode.
  Interval single = bootstrap_f1({{4, 5, 3}}, 50, 1);
  EXPECT_DOUBLE_EQ(single.low, prf({4, 5, 3}).f1);
  EXPECT_DOUBLE_EQ(single.high, prf({4, 5, 3}).f1);

  EXPECT_THROW_WITH(bootstrap_f1({}, 10), "got 0 episodes");
  EXPECT_THROW_WITH(bootstrap_f1(episodes, 0), "0 samples");
  EXPECT_THROW_WITH(bootstrap_f1(episodes, 10, 1, 1.0), "level 1");
}

TEST(Scorer, ReliabilityBins) {
  std::vector<double> confidence = {0.0, 0.1, 0.2, 0.5, 0.99, 1.0, 0.8};
  std::vector<bool> correct = {false, true, true, false, true, true, false};
  std::vector<ReliabilityBin> bins = reliability(confidence, correct);
  ASSERT_EQ(bins.size(), 5u);
  std::vector<int64_t> counts = {2, 1, 1, 0, 3};
  for (int b = 0; b < 5; ++b) {
    EXPECT_DOUBLE_EQ(bins[b].low, b * 0.2);
    EXPECT_DOUBLE_EQ(bins[b].high, (b + 1) * 0.2);
    EXPECT_EQ(bins[b].count, counts[b]) << "bin " << b;
  }
  EXPECT_DOUBLE_EQ(bins[0].mean_confidence, 0.05);
  EXPECT_DOUBLE_EQ(bins[0].accuracy, 0.5);
  EXPECT_DOUBLE_EQ(bins[1].accuracy, 1.0);
  EXPECT_DOUBLE_EQ(bins[2].accuracy, 0.0);
  EXPECT_EQ(bins[3].mean_confidence, 0);
  EXPECT_EQ(bins[3].accuracy, 0);
  EXPECT_DOUBLE_EQ(bins[4].mean_confidence, (0.99 + 1.0 + 0.8) / 3);
  EXPECT_DOUBLE_EQ(bins[4].accuracy, 2.0 / 3);

  EXPECT_EQ(reliability({0.3, 0.7}, {true, false}, 2)[1].count, 1);
  EXPECT_THROW_WITH(reliability({1.5}, {true}), "confidence 1.5 at index 0");
  EXPECT_THROW_WITH(
      reliability({std::numeric_limits<double>::quiet_NaN()}, {true}),
      "confidence nan");
  EXPECT_THROW_WITH(reliability({0.5}, {}), "1 confidences and 0");
  EXPECT_THROW_WITH(reliability({0.5}, {true}, 0), "got 0 bins");
}

}  // namespace
}  // namespace gaussner
