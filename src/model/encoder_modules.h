// The building blocks of the encoder (private to model/encoder.cc): the
// embedding sum and one post-LN transformer layer, as Hugging Face's
// BertEmbeddings / LayoutLMEmbeddings and BertLayer compute them.
#pragma once

#include <torch/torch.h>

#include <string>

#include "io/safetensors.h"
#include "model/encoder_config.h"

namespace gaussner {

// Word + position + token-type embeddings (LayoutLM adds the 2D tables),
// then LayerNorm and dropout.
class EmbeddingsImpl : public torch::nn::Module {
 public:
  explicit EmbeddingsImpl(const EncoderConfig& config);

  // ids, token_types, positions: B x T int64; bbox: B x T x 4 or undefined
  // (BERT). Returns B x T x H.
  torch::Tensor forward(const torch::Tensor& ids,
                        const torch::Tensor& token_types,
                        const torch::Tensor& positions,
                        const torch::Tensor& bbox);

  // Adds this module's weights under `scope` + their canonical names.
  void collect(const std::string& scope, TensorMap& out) const;

  torch::nn::Embedding word{nullptr};
  torch::nn::Embedding position{nullptr};
  torch::nn::Embedding token_type{nullptr};
  torch::nn::Embedding x{nullptr};  // LayoutLM: x0 and x1
  torch::nn::Embedding y{nullptr};  // LayoutLM: y0 and y1
  torch::nn::Embedding h{nullptr};  // LayoutLM: y1 - y0
  torch::nn::Embedding w{nullptr};  // LayoutLM: x1 - x0
  torch::nn::LayerNorm norm{nullptr};

 private:
  double dropout_;
};
TORCH_MODULE(Embeddings);

// Self-attention with a fused query/key/value projection, then the
// feed-forward block; each followed by residual add and LayerNorm.
class EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit EncoderLayerImpl(const EncoderConfig& config);

  // x: (B*T) x H; mask_bias: B x 1 x 1 x T (0 to attend, the dtype's lowest
  // value for masked keys). Returns (B*T) x H.
  torch::Tensor forward(const torch::Tensor& x,
                        const torch::Tensor& mask_bias,
                        int64_t batch);

  // Adds this layer's weights under `scope` (e.g. "encoder.layer.0.") with
  // Hugging Face's names; query/key/value are slices of the fused weight.
  void collect(const std::string& scope, TensorMap& out) const;

  torch::nn::Linear qkv{nullptr};               // H -> 3H: query, key, value
  torch::nn::Linear attention_output{nullptr};  // H -> H
  torch::nn::LayerNorm attention_norm{nullptr};
  torch::nn::Linear intermediate{nullptr};  // H -> I
  torch::nn::Linear output{nullptr};        // I -> H
  torch::nn::LayerNorm output_norm{nullptr};

 private:
  // Multi-head attention context, (B*T) x H, before the output projection.
  torch::Tensor attend(const torch::Tensor& x,
                       const torch::Tensor& mask_bias,
                       int64_t batch);
  torch::Tensor dropout(const torch::Tensor& x, double p);

  int64_t heads_;
  int64_t head_size_;
  double hidden_dropout_;
  double attention_dropout_;
};
TORCH_MODULE(EncoderLayer);

}  // namespace gaussner
