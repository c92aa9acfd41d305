#include "infer/tagger.h"

#include <gtest/gtest.h>

#include "eval/episode_runner.h"
#include "io/column_file.h"
#include "io/episodes.h"
#include "model_fixture.h"

namespace gaussner {
namespace {

std::vector<Sentence> support_sentences() {
  auto all = read_column_file(testing::bundled_train());
  all.resize(8);
  return all;
}

TEST(Tagger, QueryEqualToSupportGetsTheSupportLabelsInEverySpace) {
  ContainerModel model = testing::tiny_model();
  auto support = support_sentences();
  LabelSet labels = LabelSet::from_sentences(support);
  for (std::string space : {"hidden", "mu", "kl"}) {
    TagOptions options;
    options.space = space;
    Tagger tagger(model, support, labels, options);
    auto tagged = tagger.tag(support);
    ASSERT_EQ(tagged.size(), support.size());
    for (std::size_t i = 0; i < support.size(); ++i) {
      EXPECT_EQ(tagged[i].labels, support[i].labels) << space << " " << i;
      for (double c : tagged[i].confidence) {
        EXPECT_GT(c, 0.0);
        EXPECT_LE(c, 1.0);
      }
    }
  }
}

TEST(Tagger, CentroidsKnnAndViterbiGiveALabelToEveryWord) {
  ContainerModel model = testing::tiny_model();
  model.transitions = TransitionCounts::from_sentences(support_sentences());
  auto support = support_sentences();
  LabelSet labels = LabelSet::from_sentences(support);
  std::vector<TagOptions> variants(3);
  variants[0].centroids = true;
  variants[1].k = 5;
  variants[2].viterbi = true;
  for (const auto& options : variants) {
    Tagger tagger(model, support, labels, options);
    auto tagged = tagger.tag(support);
    for (std::size_t i = 0; i < support.size(); ++i) {
      ASSERT_EQ(tagged[i].labels.size(), support[i].words.size());
    }
  }
}

TEST(Tagger, SentenceLongerThanTheEncoderLimitIsTaggedInFull) {
  ContainerModel model = testing::tiny_model();
  auto support = support_sentences();
  LabelSet labels = LabelSet::from_sentences(support);
  Sentence long_sentence;
  for (int i = 0; i < 30; ++i) {
    for (const auto& w : support[i % support.size()].words) {
      long_sentence.words.push_back(w);
    }
  }
  ASSERT_GT(long_sentence.words.size(), 600u);
  TagOptions options;
  options.embed.max_positions = 64;
  Tagger tagger(model, support, labels, options);
  auto tagged = tagger.tag({long_sentence});
  ASSERT_EQ(tagged[0].labels.size(), long_sentence.words.size());
  for (const auto& label : tagged[0].labels) EXPECT_FALSE(label.empty());
}

TEST(Tagger, SupportLabelOutsideTheLabelSetIsAnError) {
  ContainerModel model = testing::tiny_model();
  auto support = support_sentences();
  LabelSet labels({"person-actor"});
  EXPECT_THROW_WITH(Tagger(model, support, labels), "unknown label");
}

TEST(Episodes, SameSeedSameCountsAndCountsSumOverEpisodes) {
  auto episodes = read_episodes(testing::bundled_episodes());
  episodes.resize(3);
  ContainerModel model = testing::tiny_model();
  TensorMap source = snapshot(model);
  EpisodeOptions options;
  options.finetune.max_steps = 3;
  std::vector<EpisodeResult> first, second;
  for (const auto& e : episodes) {
    first.push_back(run_episode(model, source, e, options));
  }
  for (const auto& e : episodes) {
    second.push_back(run_episode(model, source, e, options));
  }
  SpanCounts sum;
  for (std::size_t i = 0; i < episodes.size(); ++i) {
    EXPECT_EQ(first[i].counts.gold, second[i].counts.gold);
    EXPECT_EQ(first[i].counts.predicted, second[i].counts.predicted);
    EXPECT_EQ(first[i].counts.correct, second[i].counts.correct);
    EXPECT_EQ(first[i].finetune_steps, second[i].finetune_steps);
    sum += first[i].counts;
    // Gold spans are counted from the query labels alone.
    int64_t gold = 0;
    for (const auto& q : episodes[i].query) {
      gold += static_cast<int64_t>(extract_spans(q.labels).size());
    }
    EXPECT_EQ(first[i].counts.gold, gold);
  }
  auto summary = summarize(first, options);
  EXPECT_EQ(summary["gold"].get<int64_t>(), sum.gold);
  EXPECT_EQ(summary["predicted"].get<int64_t>(), sum.predicted);
  EXPECT_EQ(summary["correct"].get<int64_t>(), sum.correct);
  EXPECT_EQ(summary["episodes"].get<std::size_t>(), episodes.size());
  EXPECT_LE(summary["f1_low"].get<double>(), summary["f1"].get<double>());
  EXPECT_GE(summary["f1_high"].get<double>(), summary["f1"].get<double>());
  EXPECT_EQ(summary["reliability"].size(), 5u);

  // The model is restored between episodes: the source weights are intact.
  restore(model, source);
  for (const auto& [name, tensor] : snapshot(model)) {
    EXPECT_TRUE(torch::equal(tensor, source.at(name))) << name;
  }
}

}  // namespace
}  // namespace gaussner
