// The two projection heads that turn word vectors into diagonal Gaussians.
#pragma once

#include <torch/torch.h>

#include <utility>

namespace gaussner {

struct GaussianHeadOptions {
  int64_t input_dim = 768;       // H, the encoder width
  int64_t dim = 128;             // D (reference scripts: 128)
  double dropout = 0.1;          // on h, training only (reference: 0.1)
  double variance_floor = 1e-6;  // eps in elu(.) + 1 + eps; the reference's
                                 // 1e-14 vanishes in float32
};

// mu = W_mu relu(dropout(h)) + b_mu; var = elu(W_s relu(dropout(h)) + b_s)
// + 1 + eps (METHOD.md section 3).
class GaussianHeadImpl : public torch::nn::Module {
 public:
  explicit GaussianHeadImpl(const GaussianHeadOptions& options);

  // h: N x H -> (mu N x D, var N x D).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& h);

  const GaussianHeadOptions& options() const { return options_; }

  torch::nn::Linear mu{nullptr};
  torch::nn::Linear sigma{nullptr};

 private:
  GaussianHeadOptions options_;
};
TORCH_MODULE(GaussianHead);

}  // namespace gaussner
