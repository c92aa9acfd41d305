// Private to src/train: the matrix-product form of the pairwise symmetric KL
// and its backward pass, shared by pairwise_kl and contrastive_loss.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>

namespace gaussner::kl_internal {

// "5x3", or "undefined", for error messages.
std::string shape_of(const torch::Tensor& t);

// Fails unless mu and var are N x D tensors of one floating dtype and device
// with var > 0 everywhere; `where` names the caller.
void check_gaussians(const char* where,
                     const torch::Tensor& mu,
                     const torch::Tensor& var);

// Rows per block when streaming over an N x N matrix: keeps each block's
// temporaries near 1M elements.
int64_t block_rows(int64_t n);

// Overrides the elements per block (0 restores the default, 1M): lets tests
// cover ragged multi-block passes at small N.
void set_block_elements(int64_t elements);

// With m = mu - mean(mu) (d is shift-invariant; centring cuts the float
// cancellation of the products) and a = 1/var:
// C = left right^T + row 1^T, d = (C + C^T)/4 - D/2.
struct KlFactors {
  torch::Tensor centred;  // m: N x D
  torch::Tensor inverse;  // a: N x D
  torch::Tensor left;     // [a, -2 m a]: N x 2D
  torch::Tensor right;    // [var + m^2, m]: N x 2D
  torch::Tensor row;      // sum_k m_k^2 a_k: N
};

// mu, var: N x D -> the factors (no autograd inside).
KlFactors kl_factors(const torch::Tensor& mu, const torch::Tensor& var);

// The factors -> d: N x N, symmetric, clamped at 0, zero diagonal. One GEMM
// and an in-place symmetrisation: a single N x N allocation.
torch::Tensor kl_matrix(const KlFactors& factors);

// dL/dC for rows [begin, begin + rows) of a symmetric N x N gradient.
using GradRows = std::function<torch::Tensor(int64_t begin, int64_t rows)>;

// (dL/dmu, dL/dvar), N x D each, from dL/dC given block by block; dL/dC
// must be symmetric (it is when L depends on C only through C + C^T).
std::pair<torch::Tensor, torch::Tensor> kl_backward(const KlFactors& factors,
                                                    const GradRows& grad_rows);

}  // namespace gaussner::kl_internal
