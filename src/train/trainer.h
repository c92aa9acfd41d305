// Source training and support fine-tuning (METHOD.md section 5).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model_folder.h"
#include "text/sentence.h"
#include "train/loss.h"

namespace gaussner {

struct TrainOptions {
  int64_t batch_size = 32;       // sentences per step (reference: 32)
  double learning_rate = 5e-5;   // AdamW (reference: 5e-5)
  double adam_eps = 1e-8;        // reference: 1e-8
  double weight_decay = 0.0;     // reference: 0
  double clip_norm = 1.0;        // gradient-norm clip (reference: 1.0)
  int64_t epochs = 1;            // passes over the data (reference: 1)
  int64_t max_steps = 0;         // stop after this many steps (0 = no cap)
  double warmup = 0.0;           // share of steps with linear warm-up
  bool linear_decay = false;     // decay the rate linearly to 0
  uint64_t seed = 1;             // batch order and dropout (reference: 1)
  int64_t max_positions = 128;   // pieces per window (reference: 128)
  int64_t log_every = 20;        // steps between log lines
  int64_t checkpoint_every = 0;  // steps between checkpoints (0 = none)
  bool log2 = false;             // loss in base 2, as the reference
  std::string log_file;          // JSON lines, one per logged step
  std::string checkpoint_dir;    // where checkpoints go (resume from here)
  bool quiet = false;            // no progress lines
  // Pad every batch to this many positions (0 = to the batch's own longest
  // window). Only for comparing with the reference, which pads to 128.
  int64_t pad_to = 0;

  nlohmann::json to_json() const;
};

struct TrainResult {
  int64_t steps = 0;
  double first_loss = 0;
  double last_loss = 0;  // mean over the last logged interval
  double seconds = 0;
  int64_t words = 0;      // labelled words seen
  int64_t pieces = 0;     // pieces fed (padding excluded)
  int64_t positions = 0;  // positions computed (padding included)
};

// Trains encoder and heads on labelled sentences (IO labels in
// model.labels, which the caller sets). Resumes from
// options.checkpoint_dir when it holds a checkpoint made with the same
// data size and options; the result equals an uninterrupted run.
TrainResult train(ContainerModel& model,
                  const std::vector<Sentence>& sentences,
                  const TrainOptions& options);

struct FinetuneOptions {
  double learning_rate = 5e-5;  // fresh AdamW per episode (reference)
  int64_t max_steps = 30;       // gaussner's cap; the reference has none
  int64_t max_positions = 128;  // pieces per window
  uint64_t seed = 1;            // reference: 1 for every episode
  bool log2 = false;
};

struct FinetuneResult {
  int64_t steps = 0;     // optimiser steps applied
  bool hit_cap = false;  // stopped by max_steps, not by a loss increase
  std::vector<double> losses;
};

// Fine-tunes on the whole support set per step, dropout on, stopping at the
// first step whose loss exceeds the previous one (METHOD.md section 5).
// `labels` maps the support labels (usually "O" + the episode's types).
FinetuneResult finetune(ContainerModel& model,
                        const std::vector<Sentence>& support,
                        const LabelSet& labels,
                        const FinetuneOptions& options);

}  // namespace gaussner
