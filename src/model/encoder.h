// BERT and LayoutLM encoders, computing what Hugging Face's modules compute.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "io/safetensors.h"
#include "model/encoder_config.h"

namespace gaussner {

// Inputs in Hugging Face's names. Only input_ids is required; undefined
// tensors take Hugging Face's defaults (mask all ones, token types 0,
// positions 0..T-1 for every row, boxes all zero).
struct EncoderInput {
  torch::Tensor input_ids;       // B x T, int64
  torch::Tensor attention_mask;  // B x T, 1 = attend, 0 = padding
  torch::Tensor token_type_ids;  // B x T
  torch::Tensor position_ids;    // B x T
  torch::Tensor bbox;            // B x T x 4 (x0, y0, x1, y1) in 0..1000
};

class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const EncoderConfig& config);

  // Last layer's hidden states, B x T x H.
  torch::Tensor forward(const EncoderInput& input);

  // Embedding output followed by every layer's output: L + 1 tensors of
  // B x T x H.
  std::vector<torch::Tensor> forward_all(const EncoderInput& input);

  // tanh(pooler(h[:, 0])), B x H.
  torch::Tensor pool(const torch::Tensor& last_hidden);

  // Copies weights in by checkpoint name: with or without a "bert." or
  // "layoutlm." prefix, old gamma/beta LayerNorm names accepted, known
  // extras (position_ids, cls.*) ignored. A missing tensor or wrong shape is
  // an Error naming the key, `file` and both shapes.
  void load_weights(const TensorMap& weights, const std::string& file);

  // Weights under Hugging Face's canonical names (no prefix). The tensors
  // share memory with the parameters (query/key/value are slices of the
  // fused projection).
  TensorMap weights() const;

  // Hugging Face's initialisation: linear and embedding weights drawn from
  // N(0, 0.02^2), biases 0, LayerNorm weight 1 and bias 0, the padding row
  // of the word embeddings 0. Without `generator`, torch's global one.
  void init_weights(c10::optional<at::Generator> generator = c10::nullopt);

  const EncoderConfig& config() const { return config_; }

 private:
  EncoderConfig config_;
  // Implementation modules are private; see encoder.cc.
  struct Layers;
  std::shared_ptr<Layers> layers_;

  // The embedding output and every layer's output when `keep_all`, else
  // only the last layer's.
  std::vector<torch::Tensor> run(const EncoderInput& input, bool keep_all);
};
TORCH_MODULE(Encoder);

// Loads `dir`/config.json and `dir`/model.safetensors and, as Hugging
// Face's from_pretrained does, returns the encoder in eval mode. When
// `dir`/vocab.txt exists, its line count must equal vocab_size.
Encoder load_encoder(const std::string& dir);

// Writes config.json and model.safetensors into `dir` (created if needed).
void save_encoder(const Encoder& encoder, const std::string& dir);

}  // namespace gaussner
