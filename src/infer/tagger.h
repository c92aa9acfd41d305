// Few-shot tagging: each query word takes the label of its nearest support
// word (METHOD.md section 6), with options for the space, k, centroids and
// Viterbi.
#pragma once

#include <string>
#include <vector>

#include "model/model_folder.h"
#include "model/word_batch.h"
#include "text/label_set.h"
#include "text/sentence.h"

namespace gaussner {

struct TagOptions {
  // Where distances are taken: "hidden" (L2-normalised last-layer vectors,
  // the reference), "mu" (Euclidean on the Gaussian means) or "kl"
  // (symmetric KL between the Gaussians).
  std::string space = "hidden";
  int64_t k = 1;           // neighbours that vote (1 = nearest neighbour)
  bool centroids = false;  // distance to class means instead (ProtoBERT)
  bool viterbi = false;    // StructShot decoding with abstract transitions
  double tau = 0.01;       // transition temperature (reference: 0.01)
  // Softmax temperature that turns class scores into a word confidence.
  double temperature = 0.1;
  EmbedOptions embed;

  void validate() const;
};

struct TaggedSpan {
  int start = 0;  // first word
  int end = 0;    // one past the last word
  std::string label;
  double confidence = 0;  // mean word confidence over the span
};

struct Tagged {
  std::vector<std::string> labels;  // one per word
  std::vector<double> confidence;   // one per word, in (0, 1]
  std::vector<TaggedSpan> spans;
};

class Tagger {
 public:
  // Embeds the support set (eval mode). `labels` lists the classes ("O" and
  // the entity types); a support label outside it is an Error.
  Tagger(ContainerModel& model,
         const std::vector<Sentence>& support,
         const LabelSet& labels,
         const TagOptions& options = {});

  std::vector<Tagged> tag(const std::vector<Sentence>& query);

 private:
  // Vectors of every word of `sentences` in the chosen space: one W x E
  // tensor per sentence (E = H for hidden, D or 2D for mu / kl).
  std::vector<torch::Tensor> embed(const std::vector<Sentence>& sentences);
  // Class scores, n x C (higher = closer).
  torch::Tensor class_scores(const torch::Tensor& query);

  ContainerModel& model_;
  LabelSet labels_;
  TagOptions options_;
  torch::Tensor support_;         // m x E
  torch::Tensor support_labels_;  // m
  Transitions transitions_;
};

}  // namespace gaussner
