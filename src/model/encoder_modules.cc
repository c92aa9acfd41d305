#include "model/encoder_modules.h"

#include <cmath>

namespace gaussner {
namespace {

namespace F = torch::nn::functional;
namespace nn = torch::nn;

nn::Embedding embedding(int64_t rows, int64_t hidden) {
  return nn::Embedding(nn::EmbeddingOptions(rows, hidden));
}

nn::LayerNorm layer_norm(const EncoderConfig& config) {
  return nn::LayerNorm(
      nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps));
}

}  // namespace

EmbeddingsImpl::EmbeddingsImpl(const EncoderConfig& config)
    : dropout_(config.hidden_dropout_prob) {
  const int64_t hidden = config.hidden_size;
  // The padding row gets no gradient, as in Hugging Face's nn.Embedding.
  word = register_module(
      "word_embeddings",
      nn::Embedding(nn::EmbeddingOptions(config.vocab_size, hidden)
                        .padding_idx(config.pad_token_id)));
  position = register_module("position_embeddings",
                             embedding(config.max_position_embeddings, hidden));
  token_type = register_module("token_type_embeddings",
                               embedding(config.type_vocab_size, hidden));
  if (config.is_layoutlm()) {
    const int64_t rows = config.max_2d_position_embeddings;
    x = register_module("x_position_embeddings", embedding(rows, hidden));
    y = register_module("y_position_embeddings", embedding(rows, hidden));
    h = register_module("h_position_embeddings", embedding(rows, hidden));
    w = register_module("w_position_embeddings", embedding(rows, hidden));
  }
  norm = register_module("LayerNorm", layer_norm(config));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& ids,
                                      const torch::Tensor& token_types,
                                      const torch::Tensor& positions,
                                      const torch::Tensor& bbox) {
  // Sums in Hugging Face's order, so that rounding matches too.
  torch::Tensor e;  // B x T x H
  if (!x) {
    e = word(ids) + token_type(token_types);
    e += position(positions);
  } else {
    auto x0 = bbox.select(2, 0);
    auto y0 = bbox.select(2, 1);
    auto x1 = bbox.select(2, 2);
    auto y1 = bbox.select(2, 3);
    e = word(ids) + position(positions) + x(x0) + y(y0) + x(x1) + y(y1) +
        h(y1 - y0) + w(x1 - x0) + token_type(token_types);
  }
  e = norm(e);
  if (is_training() && dropout_ > 0) {
    e = F::dropout(e, F::DropoutFuncOptions().p(dropout_).training(true));
  }
  return e;
}

void EmbeddingsImpl::collect(const std::string& scope, TensorMap& out) const {
  for (const auto& p : named_parameters()) out[scope + p.key()] = p.value();
}

EncoderLayerImpl::EncoderLayerImpl(const EncoderConfig& config)
    : heads_(config.num_attention_heads),
      head_size_(config.hidden_size / config.num_attention_heads),
      hidden_dropout_(config.hidden_dropout_prob),
      attention_dropout_(config.attention_probs_dropout_prob) {
  const int64_t hidden = config.hidden_size;
  const int64_t inner = config.intermediate_size;
  qkv = register_module("qkv", nn::Linear(hidden, 3 * hidden));
  attention_output =
      register_module("attention_output", nn::Linear(hidden, hidden));
  attention_norm = register_module("attention_norm", layer_norm(config));
  intermediate = register_module("intermediate", nn::Linear(hidden, inner));
  output = register_module("output", nn::Linear(inner, hidden));
  output_norm = register_module("output_norm", layer_norm(config));
}

torch::Tensor EncoderLayerImpl::forward(const torch::Tensor& x,
                                        const torch::Tensor& mask_bias,
                                        int64_t batch) {
  // x: N x H with N = B * T; every product below is one 2-D matmul.
  auto attended = attention_output(attend(x, mask_bias, batch));
  auto h1 = attention_norm(dropout(attended, hidden_dropout_).add_(x));

  // Exact (erf) GELU, as Hugging Face's "gelu".
  auto inner = torch::gelu(intermediate(h1));  // N x I
  return output_norm(dropout(output(inner), hidden_dropout_).add_(h1));
}

torch::Tensor EncoderLayerImpl::attend(const torch::Tensor& x,
                                       const torch::Tensor& mask_bias,
                                       int64_t batch) {
  const int64_t n = x.size(0);
  const int64_t t = n / batch;
  const int64_t d = head_size_;

  // N x 3H -> 3 x B x heads x T x d, so each of q, k, v is a plain batch
  // of (B * heads) matrices.
  auto parts = qkv(x).view({batch, t, 3, heads_, d}).permute({2, 0, 3, 1, 4});
  parts = parts.contiguous();
  auto q = parts[0].view({batch * heads_, t, d});
  auto k = parts[1].view({batch * heads_, t, d});
  auto v = parts[2].view({batch * heads_, t, d});

  // Scores B x heads x T x T; masked keys get the dtype's lowest value, so
  // their probability is exactly 0.
  auto scores = torch::bmm(q, k.transpose(1, 2)).view({batch, heads_, t, t});
  scores.div_(std::sqrt(static_cast<double>(d))).add_(mask_bias);
  auto probs = dropout(torch::softmax(scores, -1), attention_dropout_);

  auto context = torch::bmm(probs.view({batch * heads_, t, t}), v);
  return context.view({batch, heads_, t, d})
      .permute({0, 2, 1, 3})
      .reshape({n, heads_ * d});
}

torch::Tensor EncoderLayerImpl::dropout(const torch::Tensor& x, double p) {
  if (!is_training() || p <= 0) return x;
  return F::dropout(x, F::DropoutFuncOptions().p(p).training(true));
}

void EncoderLayerImpl::collect(const std::string& scope, TensorMap& out) const {
  auto weights = qkv->weight.chunk(3, 0);
  auto biases = qkv->bias.chunk(3, 0);
  const char* names[] = {"query", "key", "value"};
  for (int i = 0; i < 3; ++i) {
    std::string base = scope + "attention.self." + names[i];
    out[base + ".weight"] = weights[i];
    out[base + ".bias"] = biases[i];
  }
  auto put = [&](const std::string& name,
                 const torch::Tensor& weight,
                 const torch::Tensor& bias) {
    out[scope + name + ".weight"] = weight;
    out[scope + name + ".bias"] = bias;
  };
  put("attention.output.dense",
      attention_output->weight,
      attention_output->bias);
  put("attention.output.LayerNorm",
      attention_norm->weight,
      attention_norm->bias);
  put("intermediate.dense", intermediate->weight, intermediate->bias);
  put("output.dense", output->weight, output->bias);
  put("output.LayerNorm", output_norm->weight, output_norm->bias);
}

}  // namespace gaussner
