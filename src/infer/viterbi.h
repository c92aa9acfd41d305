// Viterbi decoding with StructShot's abstract transitions (METHOD.md
// section 6).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/sentence.h"

namespace gaussner {

// Counts of abstract transitions in IO-labelled source data.
struct TransitionCounts {
  int64_t start_o = 0;       // sentence starts with O
  int64_t start_entity = 0;  // sentence starts with an entity
  int64_t o_o = 0;
  int64_t o_entity = 0;
  int64_t entity_o = 0;
  int64_t entity_same = 0;   // entity continues (same label)
  int64_t entity_other = 0;  // entity followed by a different entity

  void add(const std::vector<std::string>& io_labels);
  static TransitionCounts from_sentences(const std::vector<Sentence>& s);
  nlohmann::json to_json() const;
  static TransitionCounts from_json(const nlohmann::json& j,
                                    const std::string& where);
};

// Log-probability tables over C labels (label 0 = "O").
struct Transitions {
  torch::Tensor start;  // C, log P(first label)
  torch::Tensor next;   // C x C, log P(next | previous)
};

// Spreads the abstract probabilities over `num_labels` labels (O + the
// episode's types), raises them to the power `tau` and renormalises rows
// (reference tau = 0.01). Counts are add-one smoothed.
Transitions make_transitions(const TransitionCounts& counts,
                             int64_t num_labels,
                             double tau);

// Best label path for emissions W x C (log-probabilities).
std::vector<int64_t> viterbi(const torch::Tensor& emissions,
                             const Transitions& transitions);

}  // namespace gaussner
