#include "infer/viterbi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

torch::Tensor log_of(std::vector<double> probabilities,
                     std::vector<int64_t> shape) {
  return torch::tensor(probabilities, torch::kFloat64).reshape(shape).log();
}

// Scores every one of the C^W paths; the independent check of viterbi().
std::vector<int64_t> brute_force(const torch::Tensor& emissions,
                                 const Transitions& t) {
  const int64_t w = emissions.size(0);
  const int64_t c = emissions.size(1);
  auto em = emissions.to(torch::kFloat64);
  auto start = t.start.to(torch::kFloat64);
  auto next = t.next.to(torch::kFloat64);
  std::vector<int64_t> best_path;
  double best = -std::numeric_limits<double>::infinity();
  int64_t total = static_cast<int64_t>(std::pow(c, w));
  for (int64_t code = 0; code < total; ++code) {
    std::vector<int64_t> path(w);
    int64_t rest = code;
    for (int64_t i = 0; i < w; ++i, rest /= c) path[i] = rest % c;
    double score =
        start[path[0]].item<double>() + em[0][path[0]].item<double>();
    for (int64_t i = 1; i < w; ++i) {
      score += next[path[i - 1]][path[i]].item<double>() +
               em[i][path[i]].item<double>();
    }
    if (score > best) {
      best = score;
      best_path = path;
    }
  }
  return best_path;
}

TEST(Viterbi, BestPathBeatsGreedyArgmax) {
  // Labels O (0) and X (1); transitions favour staying (0.9).
  Transitions t{log_of({0.5, 0.5}, {2}), log_of({0.9, 0.1, 0.1, 0.9}, {2, 2})};
  // Word-wise argmax is X O X. By hand, the path products are
  // XXX = .5*.6 * .9*.4 * .9*.6 = .05832, OOO = .5*.4 * .9*.6 * .9*.4 =
  // .03888, XOX = .5*.6 * .1*.6 * .1*.6 = .00108; XXX is best.
  torch::Tensor emissions = log_of({0.4, 0.6, 0.6, 0.4, 0.4, 0.6}, {3, 2});
  torch::Tensor greedy = emissions.argmax(1).contiguous();
  EXPECT_EQ(std::vector<int64_t>(greedy.data_ptr<int64_t>(),
                                 greedy.data_ptr<int64_t>() + 3),
            (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(viterbi(emissions, t), (std::vector<int64_t>{1, 1, 1}));
  // Float emissions give the same path.
  EXPECT_EQ(viterbi(emissions.to(torch::kFloat32), t),
            (std::vector<int64_t>{1, 1, 1}));

  // Random lattices against exhaustive search, with a forbidden move.
  torch::manual_seed(3);
  for (int trial = 0; trial < 5; ++trial) {
    torch::Tensor em = torch::log_softmax(torch::randn({5, 4}) * 2, 1);
    Transitions r{torch::log_softmax(torch::randn({4}), 0),
                  torch::log_softmax(torch::randn({4, 4}) * 2, 1)};
    r.next[2][3] = -std::numeric_limits<float>::infinity();
    EXPECT_EQ(viterbi(em, r), brute_force(em, r)) << "trial " << trial;
  }

  EXPECT_TRUE(viterbi(torch::zeros({0, 2}), t).empty());
  EXPECT_EQ(viterbi(log_of({0.3, 0.7}, {1, 2}), t), (std::vector<int64_t>{1}));
}

TEST(Viterbi, RejectsBadShapesAndNan) {
  Transitions t{log_of({0.5, 0.5}, {2}), log_of({0.9, 0.1, 0.1, 0.9}, {2, 2})};
  EXPECT_THROW_WITH(viterbi(torch::zeros({3}), t),
                    "emissions have shape 3; expected W x C");
  EXPECT_THROW_WITH(viterbi(torch::zeros({2, 3}), t),
                    "transitions have start 2 and next 2 x 2; expected 3");
  EXPECT_THROW_WITH(viterbi(torch::full({2, 2}, std::nan("")), t),
                    "contain NaN");
}

TEST(Viterbi, MakeTransitionsFromSmoothedCounts) {
  TransitionCounts counts;
  counts.start_o = 3;
  counts.start_entity = 1;
  counts.o_o = 5;
  counts.o_entity = 1;
  counts.entity_o = 2;
  counts.entity_same = 3;
  counts.entity_other = 0;

  // C = 3 (two types), tau = 1: the add-one smoothed shares themselves.
  Transitions three = make_transitions(counts, 3, 1.0);
  auto start = three.start.exp();
  auto next = three.next.exp();
  EXPECT_NEAR(start[0].item<double>(), 4.0 / 6, 1e-6);
  EXPECT_NEAR(start[1].item<double>(), 1.0 / 6, 1e-6);
  EXPECT_NEAR(start[2].item<double>(), 1.0 / 6, 1e-6);
  EXPECT_NEAR(next[0][0].item<double>(), 6.0 / 8, 1e-6);
  EXPECT_NEAR(next[0][2].item<double>(), 2.0 / 8 / 2, 1e-6);
  EXPECT_NEAR(next[1][0].item<double>(), 3.0 / 8, 1e-6);
  EXPECT_NEAR(next[1][1].item<double>(), 4.0 / 8, 1e-6);
  EXPECT_NEAR(next[1][2].item<double>(), 1.0 / 8, 1e-6);
  EXPECT_NEAR(next[2][1].item<double>(), 1.0 / 8, 1e-6);

  // C = 2 (one type): "other entity" is folded away.
  auto two = make_transitions(counts, 2, 1.0).next.exp();
  EXPECT_NEAR(two[1][0].item<double>(), 3.0 / 7, 1e-6);
  EXPECT_NEAR(two[1][1].item<double>(), 4.0 / 7, 1e-6);

  // tau = 0.5 on the start row: sqrt of each share, renormalised.
  auto half = make_transitions(counts, 3, 0.5).start.exp();
  double z = std::sqrt(4.0 / 6) + 2 * std::sqrt(1.0 / 6);
  EXPECT_NEAR(half[0].item<double>(), std::sqrt(4.0 / 6) / z, 1e-6);

  // Only O: certain.
  Transitions one = make_transitions(counts, 1, 0.01);
  EXPECT_NEAR(one.start[0].item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(one.next[0][0].item<double>(), 0.0, 1e-9);

  for (int64_t c : {1, 2, 3, 6}) {
    for (double tau : {1.0, 0.5, 0.01}) {
      Transitions t = make_transitions(counts, c, tau);
      ASSERT_EQ(t.start.sizes(), (torch::IntArrayRef{c}));
      ASSERT_EQ(t.next.sizes(), (torch::IntArrayRef{c, c}));
      EXPECT_NEAR(t.start.exp().sum().item<double>(), 1.0, 1e-5);
      auto rows = t.next.exp().sum(1);
      EXPECT_TRUE(torch::allclose(rows, torch::ones({c}), 1e-5, 1e-5))
          << "C=" << c << " tau=" << tau << " rows " << rows;
    }
  }

  // tau near 0 flattens every row towards uniform.
  Transitions flat = make_transitions(counts, 6, 1e-6);
  double gap = (flat.next.exp() - 1.0 / 6).abs().max().item<double>();
  EXPECT_LT(gap, 1e-5);
  double sharp_gap = (make_transitions(counts, 6, 1.0).next.exp() - 1.0 / 6)
                         .abs()
                         .max()
                         .item<double>();
  EXPECT_GT(sharp_gap, 0.1);

  EXPECT_THROW_WITH(make_transitions(counts, 0, 1.0), "num_labels 0");
  EXPECT_THROW_WITH(make_transitions(counts, 3, -1.0), "tau -1");
}

TEST(Viterbi, CountsFromSentencesAndJson) {
  std::vector<Sentence> sentences(4);
  sentences[0].labels = {"O", "X", "X", "Y", "O"};
  sentences[1].labels = {"X", "O"};
  // sentences[2] is unlabelled and counts nothing.
  sentences[3].labels = {"B-X", "I-X", "B-X"};  // one IO run of X
  TransitionCounts counts = TransitionCounts::from_sentences(sentences);
  EXPECT_EQ(counts.start_o, 1);
  EXPECT_EQ(counts.start_entity, 2);
  EXPECT_EQ(counts.o_o, 0);
  EXPECT_EQ(counts.o_entity, 1);
  EXPECT_EQ(counts.entity_o, 2);
  EXPECT_EQ(counts.entity_same, 3);
  EXPECT_EQ(counts.entity_other, 1);

  counts.add({"O", "O"});
  EXPECT_EQ(counts.start_o, 2);
  EXPECT_EQ(counts.o_o, 1);

  nlohmann::json j = counts.to_json();
  TransitionCounts back = TransitionCounts::from_json(j, "model.json");
  EXPECT_EQ(back.to_json(), j);
  EXPECT_EQ(back.entity_same, 3);

  nlohmann::json missing = j;
  missing.erase("entity_other");
  EXPECT_THROW_WITH(TransitionCounts::from_json(missing, "model.json"),
                    "model.json: transition counts lack the field "
                    "'entity_other'");
  nlohmann::json negative = j;
  negative["o_o"] = -4;
  EXPECT_THROW_WITH(TransitionCounts::from_json(negative, "model.json"),
                    "model.json: transition count 'o_o' is -4");
  nlohmann::json text = j;
  text["o_o"] = "many";
  EXPECT_THROW_WITH(TransitionCounts::from_json(text, "m.json"),
                    "'o_o' is \"many\"");
  EXPECT_THROW_WITH(TransitionCounts::from_json(nlohmann::json::array(), "m"),
                    "m: transition counts are array");
}

}  // namespace
}  // namespace gaussner
