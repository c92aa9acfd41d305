// A gaussner model folder: a Hugging Face encoder folder plus the Gaussian
// heads and gaussner.json (format version, labels, D, training configuration
// and transition statistics).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "infer/viterbi.h"
#include "model/encoder.h"
#include "model/gaussian_head.h"
#include "text/label_set.h"
#include "text/tokenizer.h"

namespace gaussner {

// Version of gaussner.json this build writes and reads.
constexpr int kModelFormatVersion = 1;

struct ContainerModel {
  Encoder encoder{nullptr};
  GaussianHead head{nullptr};
  Tokenizer tokenizer;
  LabelSet labels;               // source labels the model was trained on
  TransitionCounts transitions;  // for Viterbi at inference
  nlohmann::json training;       // the configuration that made it
  bool trained = false;          // false for a plain encoder folder

  // Every trainable parameter (encoder, then heads).
  std::vector<torch::Tensor> parameters() const;

  // Moves encoder and heads to `device`.
  void to(const torch::Device& device);
  torch::Device device() const;
};

// Loads a folder. A plain Hugging Face encoder folder (no gaussner.json)
// gives an untrained model with fresh heads of dimension `dim`. A
// gaussner.json of another format version is an Error naming both versions.
ContainerModel load_model(const std::string& dir, int64_t dim = 128);

// Writes the folder atomically: everything goes to a temporary folder beside
// `dir`, which then replaces `dir` (never a half-written model).
void save_model(const ContainerModel& model, const std::string& dir);

// A deep copy of every parameter and buffer (for restoring between
// episodes without re-reading the disk).
TensorMap snapshot(const ContainerModel& model);
void restore(ContainerModel& model, const TensorMap& state);

}  // namespace gaussner
