// Symmetric KL of all pairs of diagonal Gaussians by matrix products
// (METHOD.md section 4), with a backward pass through the same products.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "train/loss.h"
#include "train/pairwise_kl_internal.h"
#include "util/error.h"

namespace gaussner {
namespace kl_internal {
namespace {

using torch::Tensor;

// Row blocks of the elementwise passes: 1M elements (4 MB of float) keeps
// them near cache size while keeping the count of small parallel ops low
// (each is a thread barrier, costly when cores are shared). The backward
// GEMM takes bigger slabs, as each one reads all of the N x 4D factors.
constexpr int64_t kBlockElements = int64_t{1} << 20;
constexpr int64_t kBlocksPerSlab = 4;
std::atomic<int64_t> block_elements{kBlockElements};
constexpr int64_t kTile = 256;  // tile edge of the in-place symmetrisation

}  // namespace

std::string shape_of(const Tensor& t) {
  if (!t.defined()) return "undefined";
  return fmt::format("{}", fmt::join(t.sizes(), "x"));
}

void check_gaussians(const char* where, const Tensor& mu, const Tensor& var) {
  if (!mu.defined() || mu.dim() != 2) {
    fail("[{}] mu must be N x D, got shape {}", where, shape_of(mu));
  }
  if (!var.defined() || var.sizes() != mu.sizes()) {
    fail("[{}] var must have mu's shape {}, got {}",
         where,
         shape_of(mu),
         shape_of(var));
  }
  if (!mu.is_floating_point() || var.scalar_type() != mu.scalar_type()) {
    fail("[{}] mu and var must share a floating dtype, got {} and {}",
         where,
         c10::toString(mu.scalar_type()),
         c10::toString(var.scalar_type()));
  }
  if (var.device() != mu.device()) {
    fail("[{}] mu and var must be on one device, got {} and {}",
         where,
         mu.device().str(),
         var.device().str());
  }
  if (var.numel() > 0) {
    double smallest = var.min().item<double>();
    if (!(smallest > 0)) {
      fail("[{}] var must be positive everywhere, got minimum {}",
           where,
           smallest);
    }
  }
}

int64_t block_rows(int64_t n) {
  return std::max<int64_t>(1, block_elements / std::max<int64_t>(n, 1));
}

void set_block_elements(int64_t elements) {
  block_elements = elements > 0 ? elements : kBlockElements;
}

KlFactors kl_factors(const Tensor& mu, const Tensor& var) {
  torch::NoGradGuard no_grad;
  KlFactors f;
  f.centred = mu - mu.mean(0, /*keepdim=*/true);
  f.inverse = var.reciprocal();
  auto scaled = f.centred * f.inverse;  // m a
  f.left = torch::cat({f.inverse, scaled * -2.0}, 1);
  f.right = torch::cat({var + f.centred.square(), f.centred}, 1);
  f.row = (scaled * f.centred).sum(1);
  return f;
}

Tensor kl_matrix(const KlFactors& f) {
  torch::NoGradGuard no_grad;
  const int64_t n = f.left.size(0);
  const double half_dim = f.left.size(1) / 4.0;  // D/2; left is N x 2D
  Tensor c = torch::mm(f.left, f.right.t());     // N x N
  c.add_(f.row.unsqueeze(1));

  // d = (C + C^T)/4 - D/2, tile pair by tile pair: no second N x N tensor.
  for (int64_t i = 0; i < n; i += kTile) {
    const int64_t rows = std::min(kTile, n - i);
    for (int64_t j = i; j < n; j += kTile) {
      const int64_t cols = std::min(kTile, n - j);
      auto upper = c.narrow(0, i, rows).narrow(1, j, cols);
      auto lower = c.narrow(0, j, cols).narrow(1, i, rows);
      auto d = (upper + lower.t()).mul_(0.25).sub_(half_dim).clamp_min_(0);
      upper.copy_(d);
      lower.copy_(d.t());
    }
  }
  c.diagonal().zero_();  // exact zero where rounding left a residue
  return c;
}

std::pair<Tensor, Tensor> kl_backward(const KlFactors& f,
                                      const GradRows& grad_rows) {
  torch::NoGradGuard no_grad;
  const int64_t n = f.left.size(0);
  const int64_t dim = f.centred.size(1);

  // For symmetric G = dL/dC: dL/dleft = G right, dL/dright = G^T left =
  // G left, dL/drow = G 1; G is built block by block into slabs, one GEMM
  // per slab.
  auto both = torch::cat({f.right, f.left}, 1);  // N x 4D
  auto grad_both = torch::empty({n, 4 * dim}, both.options());
  auto grad_row = torch::empty({n}, both.options());
  const int64_t block = block_rows(n);
  const int64_t slab = kBlocksPerSlab * block;
  auto g = torch::empty({std::min(slab, n), n}, both.options());
  for (int64_t start = 0; start < n; start += slab) {
    const int64_t slab_rows = std::min(slab, n - start);
    for (int64_t begin = start; begin < start + slab_rows; begin += block) {
      const int64_t rows = std::min(block, start + slab_rows - begin);
      g.narrow(0, begin - start, rows).copy_(grad_rows(begin, rows));
    }
    auto g_slab = g.narrow(0, 0, slab_rows);  // slab_rows x N
    auto out = grad_both.narrow(0, start, slab_rows);
    torch::mm_out(out, g_slab, both);
    grad_row.narrow(0, start, slab_rows).copy_(g_slab.sum(1));
  }

  // Chain through left = [a, -2 m a], right = [var + m^2, m],
  // row = sum m^2 a and a = 1/var.
  const Tensor& m = f.centred;
  const Tensor& a = f.inverse;
  auto g_a = grad_both.narrow(1, 0, dim);
  auto g_scaled = grad_both.narrow(1, dim, dim);      // of -2 m a
  auto g_spread = grad_both.narrow(1, 2 * dim, dim);  // of var + m^2
  auto g_m = grad_both.narrow(1, 3 * dim, dim);
  auto g_r = grad_row.unsqueeze(1);
  auto grad_a = g_a - 2.0 * m * g_scaled + g_r * m.square();
  auto grad_m =
      g_m - 2.0 * a * g_scaled + 2.0 * m * g_spread + 2.0 * g_r * m * a;
  auto grad_var = g_spread - grad_a * a.square();
  // Through the centring m = mu - mean(mu).
  auto grad_mu = grad_m - grad_m.mean(0, /*keepdim=*/true);
  return {grad_mu, grad_var};
}

}  // namespace kl_internal

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// First order only: the hand-written backward is not itself differentiable.
class PairwiseKlFunction
    : public torch::autograd::Function<PairwiseKlFunction> {
 public:
  // mu, var: N x D -> d: N x N.
  static Tensor forward(AutogradContext* ctx, Tensor mu, Tensor var) {
    auto d = kl_internal::kl_matrix(kl_internal::kl_factors(mu, var));
    ctx->save_for_backward({mu, var, d});
    return d;
  }

  // dL/dC = (G + G^T)/4 on unclamped off-diagonal pairs, G = dL/dd.
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const Tensor& d = saved[2];
    const Tensor& grad = grads[0];
    auto factors = kl_internal::kl_factors(saved[0], saved[1]);
    auto [grad_mu, grad_var] =
        kl_internal::kl_backward(factors, [&](int64_t begin, int64_t rows) {
          auto g = grad.narrow(0, begin, rows) +
                   grad.narrow(1, begin, rows).t();  // rows x N
          g.masked_fill_(d.narrow(0, begin, rows) <= 0, 0);
          return g.mul_(0.25);
        });
    return {grad_mu, grad_var};
  }
};

}  // namespace

torch::Tensor pairwise_kl(const torch::Tensor& mu, const torch::Tensor& var) {
  kl_internal::check_gaussians("pairwise_kl", mu, var);
  return PairwiseKlFunction::apply(mu, var);
}

}  // namespace gaussner
