// The Few-NERD episode protocol (METHOD.md section 7): per episode restore
// the source model, fine-tune on the support set, tag the query, count
// spans; then micro scores over all episodes with a bootstrap interval.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/scorer.h"
#include "infer/tagger.h"
#include "io/episodes.h"
#include "model/model_folder.h"
#include "train/trainer.h"

namespace gaussner {

struct EpisodeOptions {
  // "container": fine-tune then nearest neighbour (the method);
  // "nnshot": nearest neighbour with the encoder as stored;
  // "proto": class centroids with the encoder as stored.
  std::string method = "container";
  FinetuneOptions finetune;
  TagOptions tag;
  ScoreOptions score;
  int bootstrap_samples = 1000;
  uint64_t seed = 1;

  void validate() const;
};

struct EpisodeResult {
  std::size_t index = 0;
  SpanCounts counts;
  std::map<std::string, SpanCounts> by_label;
  int64_t finetune_steps = 0;
  bool hit_cap = false;
  double seconds = 0;
  // Per predicted entity: its confidence and whether it matched gold.
  std::vector<double> confidence;
  std::vector<bool> correct;

  nlohmann::json to_json() const;
};

// Runs one episode. `source` is the snapshot to restore first.
EpisodeResult run_episode(ContainerModel& model,
                          const TensorMap& source,
                          const Episode& episode,
                          const EpisodeOptions& options);

// Micro precision/recall/F1 over all episodes, bootstrap interval, per-type
// figures, fine-tuning statistics and a 5-bin reliability table.
nlohmann::json summarize(const std::vector<EpisodeResult>& results,
                         const EpisodeOptions& options);

}  // namespace gaussner
