// A tiny randomly initialised model with the bundled vocabulary, for tests
// that need an encoder but no checkpoint.
#pragma once

#include <torch/torch.h>

#include "model/model_folder.h"
#include "test_util.h"

namespace gaussner::testing {

inline std::string bundled_vocab() {
  return source_dir() + "/data/vocab/bert-base-uncased/vocab.txt";
}

inline std::string bundled_train() {
  return source_dir() + "/data/few-nerd/inter-train-5k.txt.gz";
}

inline std::string bundled_episodes() {
  return source_dir() + "/data/few-nerd/inter-dev-5-1-first100.jsonl";
}

// BERT of the "tiny" preset (2 layers x 128) with random weights.
inline ContainerModel tiny_model(uint64_t seed = 1,
                                 const std::string& arch = "bert") {
  torch::manual_seed(seed);
  ContainerModel model;
  EncoderConfig config = EncoderConfig::preset("tiny", arch, 30522);
  model.encoder = Encoder(config);
  model.tokenizer = Tokenizer::load(bundled_vocab(), true);
  GaussianHeadOptions head;
  head.input_dim = config.hidden_size;
  head.dim = 32;
  model.head = GaussianHead(head);
  return model;
}

}  // namespace gaussner::testing
