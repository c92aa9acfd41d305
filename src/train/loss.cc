// The contrastive loss over the pairwise KL matrix, with a hand-written
// backward: autograd would keep several N x N tensors per step, this keeps
// one (d) plus row blocks of temporaries.
#include "train/loss.h"

#include <cmath>
#include <limits>

#include "train/pairwise_kl_internal.h"
#include "util/error.h"

namespace gaussner {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

constexpr double kInf = std::numeric_limits<double>::infinity();

void check_labels(const Tensor& labels, int64_t n) {
  if (!labels.defined() || labels.dim() != 1 || labels.size(0) != n) {
    fail(
        "[contrastive_loss] labels must be a vector of {} (N) labels, got "
        "shape {}",
        n,
        kl_internal::shape_of(labels));
  }
  if (!c10::isIntegralType(labels.scalar_type(), /*includeBool=*/false)) {
    fail("[contrastive_loss] labels must be integers (int64), got {}",
         c10::toString(labels.scalar_type()));
  }
}

// |P(i)|, the other words that share anchor i's label: labels N -> N, in
// O(N log N) without an N x N comparison.
Tensor positive_counts(const Tensor& labels) {
  auto [values, inverse, counts] = torch::_unique2(labels,
                                                   /*sorted=*/false,
                                                   /*return_inverse=*/true,
                                                   /*return_counts=*/true);
  return counts.index_select(0, inverse) - 1;
}

// Per-anchor log-sum-exps of -d over A(i) and P(i); anchors without a
// positive get 0 in both (their terms are masked by a zero weight).
struct AnchorStats {
  Tensor lse_all;  // logsumexp_{j != i} -d_ij: N
  Tensor lse_pos;  // logsumexp_{j in P(i)} -d_ij: N
  Tensor weight;   // 1/n_valid for anchors with a positive, else 0: N
};

// -d for anchor rows [begin, begin + rows) with each anchor's own column at
// -inf: self is excluded by index, never by its (zero) distance.
Tensor scores_rows(const Tensor& d, int64_t begin, int64_t rows) {
  auto scores = d.narrow(0, begin, rows).neg();  // rows x N
  scores.diagonal(begin).fill_(-kInf);
  return scores;
}

// Label equality of anchor rows [begin, begin + rows) against all words.
Tensor same_label_rows(const Tensor& labels, int64_t begin, int64_t rows) {
  return labels.narrow(0, begin, rows).unsqueeze(1) == labels.unsqueeze(0);
}

// log of the smallest weight kept, sqrt(smallest normal number): smaller
// weights cannot move a sum that holds a term near 1, and letting exp form
// denormals slows every later pass over them (the GEMM too) many times.
double log_negligible(torch::ScalarType type) {
  if (type == torch::kFloat64) {
    return 0.5 * std::log(std::numeric_limits<double>::min());
  }
  return 0.5 * std::log(static_cast<double>(std::numeric_limits<float>::min()));
}

// exp of x in place, with negligible results and entries set in `drop`
// (if defined) exactly 0.
Tensor& flushed_exp_(Tensor& x, const Tensor& drop) {
  auto negligible = x < log_negligible(x.scalar_type());
  if (drop.defined()) negligible.logical_or_(drop);
  return x.masked_fill_(negligible, -kInf).exp_();
}

// logsumexp of each row of `scores` (rows x N -> rows), consuming it.
Tensor logsumexp_rows_(Tensor& scores) {
  auto max = std::get<0>(scores.max(1, /*keepdim=*/true));  // rows x 1
  max.masked_fill_(max.isinf(), 0);  // a row of -inf only stays -inf
  scores.sub_(max);
  return flushed_exp_(scores, Tensor()).sum(1).log_().add_(max.squeeze(1));
}

AnchorStats anchor_stats(const Tensor& d,
                         const Tensor& labels,
                         const Tensor& valid) {
  const int64_t n = d.size(0);
  AnchorStats stats;
  stats.lse_all = torch::empty({n}, d.options());
  stats.lse_pos = torch::empty({n}, d.options());
  const int64_t block = kl_internal::block_rows(n);
  for (int64_t begin = 0; begin < n; begin += block) {
    const int64_t rows = std::min(block, n - begin);
    auto scores = scores_rows(d, begin, rows);  // rows x N
    auto other_label = same_label_rows(labels, begin, rows).logical_not_();
    auto pos_scores = scores.masked_fill(other_label, -kInf);
    stats.lse_all.narrow(0, begin, rows).copy_(logsumexp_rows_(scores));
    stats.lse_pos.narrow(0, begin, rows).copy_(logsumexp_rows_(pos_scores));
  }
  // Rows without a positive (or, for N = 1, without any other word) hold
  // -inf; zero them so that later exps stay finite.
  stats.lse_all = torch::where(valid, stats.lse_all, 0.0);
  stats.lse_pos = torch::where(valid, stats.lse_pos, 0.0);
  auto n_valid = valid.sum().to(d.scalar_type());
  stats.weight = valid.to(d.scalar_type()) / n_valid;
  return stats;
}

// Softmax weights exp(scores - lse) of one row block, 0 where `drop` is
// set (if defined) or where negligible.
Tensor softmax_weights(const Tensor& scores,
                       const Tensor& lse,
                       const Tensor& drop) {
  auto weights = scores - lse;
  return flushed_exp_(weights, drop);
}

// One anchor's share of dL/dd for a row block: w (p+ - p), where p+ and p
// are the softmax of the scores over P(anchor) and A(anchor). Overflowing
// exps outside P are replaced, not multiplied, so no inf * 0 appears.
Tensor anchor_share(const Tensor& scores,
                    const Tensor& other_label,
                    const Tensor& lse_pos,
                    const Tensor& lse_all,
                    const Tensor& weight) {
  auto share = softmax_weights(scores, lse_pos, other_label);
  share.sub_(softmax_weights(scores, lse_all, Tensor()));
  return share.mul_(weight);
}

// dL/dC for anchor rows [begin, begin + rows), unscaled by dL/dloss. With
// H = dL/dd (H_ij from anchor i's term), dL/dC = (H + H^T)/4 on pairs whose
// d was not clamped. d is symmetric, so H^T_ij = H_ji needs only d_ij and
// anchor j's statistics: no transpose of an N x N tensor.
Tensor loss_grad_rows(const Tensor& d,
                      const Tensor& labels,
                      const AnchorStats& stats,
                      int64_t begin,
                      int64_t rows) {
  auto scores = scores_rows(d, begin, rows);  // rows x N
  auto other_label = same_label_rows(labels, begin, rows).logical_not_();
  auto row = [&](const Tensor& v) {
    return v.narrow(0, begin, rows).unsqueeze(1);
  };
  auto grad = anchor_share(scores,
                           other_label,
                           row(stats.lse_pos),
                           row(stats.lse_all),
                           row(stats.weight));
  grad.add_(anchor_share(scores,
                         other_label,
                         stats.lse_pos.unsqueeze(0),
                         stats.lse_all.unsqueeze(0),
                         stats.weight.unsqueeze(0)));
  grad.masked_fill_(scores >= 0, 0);  // clamped pairs (d = 0) pass nothing
  return grad.mul_(0.25);
}

// First order only: the hand-written backward is not itself differentiable.
class ContrastiveLossFunction
    : public torch::autograd::Function<ContrastiveLossFunction> {
 public:
  // mu, var: N x D; labels: N -> scalar.
  static Tensor forward(AutogradContext* ctx,
                        Tensor mu,
                        Tensor var,
                        Tensor labels) {
    auto counts = positive_counts(labels);  // N
    auto valid = counts > 0;
    if (!valid.any().item<bool>()) {
      ctx->save_for_backward({mu, var});
      ctx->saved_data["empty"] = true;
      return torch::zeros({}, mu.options());
    }
    ctx->saved_data["empty"] = false;

    auto factors = kl_internal::kl_factors(mu, var);
    auto d = kl_internal::kl_matrix(factors);  // N x N
    auto stats = anchor_stats(d, labels, valid);
    // l_i = -(lse_pos_i - log|P(i)|) + lse_all_i, averaged over valid i.
    auto log_count = counts.clamp_min(1).to(d.scalar_type()).log();
    auto per_anchor = stats.lse_all - stats.lse_pos + log_count;
    auto loss = (per_anchor * stats.weight).sum();

    // Saved variables (unlike saved_data) are freed right after backward.
    ctx->save_for_backward(
        {mu, var, d, labels, stats.lse_all, stats.lse_pos, stats.weight});
    return loss;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const Tensor& mu = saved[0];
    const Tensor& var = saved[1];
    if (ctx->saved_data["empty"].toBool()) {
      return {torch::zeros_like(mu), torch::zeros_like(var), Tensor()};
    }
    const Tensor& d = saved[2];
    const Tensor& labels = saved[3];
    AnchorStats stats{saved[4], saved[5], saved[6]};

    auto factors = kl_internal::kl_factors(mu, var);
    auto [grad_mu, grad_var] =
        kl_internal::kl_backward(factors, [&](int64_t begin, int64_t rows) {
          return loss_grad_rows(d, labels, stats, begin, rows);
        });
    return {grad_mu * grads[0], grad_var * grads[0], Tensor()};
  }
};

}  // namespace

torch::Tensor contrastive_loss(const torch::Tensor& mu,
                               const torch::Tensor& var,
                               const torch::Tensor& labels,
                               const LossOptions& options) {
  kl_internal::check_gaussians("contrastive_loss", mu, var);
  check_labels(labels, mu.size(0));

  auto loss = ContrastiveLossFunction::apply(mu, var, labels.to(mu.device()));
  if (options.log2) loss = loss / std::log(2.0);
  return loss;
}

int64_t anchors_with_positive(const torch::Tensor& labels) {
  if (!labels.defined() || labels.dim() != 1) {
    fail("[anchors_with_positive] labels must be a vector, got shape {}",
         kl_internal::shape_of(labels));
  }
  if (labels.numel() == 0) return 0;
  return (positive_counts(labels) > 0).sum().item<int64_t>();
}

}  // namespace gaussner
