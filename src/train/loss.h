// ContaiNER's contrastive loss over the symmetric KL distance of all word
// pairs, in O(N^2 + N D) memory (METHOD.md section 4).
#pragma once

#include <torch/torch.h>

namespace gaussner {

struct LossOptions {
  bool log2 = false;  // reference divides by ln 2 (log base 2); default: ln
};

// Symmetric KL distance of all pairs of diagonal Gaussians by matrix
// products: mu, var N x D -> d N x N (clamped at 0, diagonal 0).
torch::Tensor pairwise_kl(const torch::Tensor& mu, const torch::Tensor& var);

// Mean over anchors with at least one positive of
// -log(mean_{P(i)} exp(-d_ij) / sum_{j != i} exp(-d_ij)), by log-sum-exp.
// labels: N int64. Returns a scalar; zero (still differentiable) when no
// anchor has a positive.
torch::Tensor contrastive_loss(const torch::Tensor& mu,
                               const torch::Tensor& var,
                               const torch::Tensor& labels,
                               const LossOptions& options = {});

// Number of anchors that have at least one positive (for logging).
int64_t anchors_with_positive(const torch::Tensor& labels);

}  // namespace gaussner
