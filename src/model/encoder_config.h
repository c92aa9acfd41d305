// config.json of a Hugging Face BERT or LayoutLM checkpoint.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace gaussner {

struct EncoderConfig {
  std::string model_type = "bert";  // "bert" or "layoutlm"
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  int64_t max_2d_position_embeddings = 1024;  // LayoutLM only
  double layer_norm_eps = 1e-12;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t pad_token_id = 0;
  std::string hidden_act = "gelu";  // only the exact (erf) GELU is supported

  bool is_layoutlm() const { return model_type == "layoutlm"; }

  // Parses config.json; errors name the file and the missing or bad field.
  static EncoderConfig load(const std::string& path);
  static EncoderConfig from_json(const nlohmann::json& j,
                                 const std::string& where);

  // The Hugging Face config.json content (loadable by transformers).
  nlohmann::json to_json() const;
  void save(const std::string& path) const;

  // A named size for `gaussner init`: tiny (2 x 128), small (4 x 256),
  // base (12 x 768).
  static EncoderConfig preset(const std::string& size,
                              const std::string& model_type,
                              int64_t vocab_size);
};

}  // namespace gaussner
