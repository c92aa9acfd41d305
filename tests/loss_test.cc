#include "train/loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "test_util.h"
#include "train/pairwise_kl_internal.h"
#include "util/error.h"

namespace gaussner {
namespace {

using torch::Tensor;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The reference: d_ij straight from the formula over an N x N x D tensor,
// 1/4 sum_k [vp/vq + vq/vp + (mp - mq)^2 (1/vp + 1/vq)] - D/2.
Tensor naive_kl(const Tensor& mu, const Tensor& var) {
  auto mp = mu.unsqueeze(1), mq = mu.unsqueeze(0);  // N x 1 x D, 1 x N x D
  auto vp = var.unsqueeze(1), vq = var.unsqueeze(0);
  auto terms = vp / vq + vq / vp + (mp - mq).square() * (1 / vp + 1 / vq);
  return terms.sum(2) / 4 - mu.size(1) / 2.0;  // N x N
}

struct NaiveMasks {
  Tensor others;     // j != i: N x N bool
  Tensor positives;  // j != i and same label: N x N bool
  Tensor valid;      // anchors with a positive: N bool
};

NaiveMasks naive_masks(const Tensor& labels) {
  const int64_t n = labels.size(0);
  NaiveMasks m;
  m.others = torch::eye(n, torch::kBool).logical_not();
  m.positives = (labels.unsqueeze(1) == labels.unsqueeze(0)) & m.others;
  m.valid = m.positives.any(1);
  return m;
}

// The loss as the method writes it: -log(mean_P exp(-d) / sum_A exp(-d)).
Tensor naive_loss_ratio(const Tensor& d, const Tensor& labels) {
  auto m = naive_masks(labels);
  auto rows = [&](const Tensor& t) { return t.index({m.valid}); };
  auto e = rows((-d).exp());  // anchors with a positive only: no 0/0
  auto pos = (e * rows(m.positives)).sum(1) / rows(m.positives).sum(1);
  auto all = (e * rows(m.others)).sum(1);
  return -(pos / all).log().mean();
}

// The same loss in the log domain, for inputs where exp(-d) underflows.
Tensor naive_loss_log(const Tensor& d, const Tensor& labels) {
  auto m = naive_masks(labels);
  auto lse_pos =
      (-d).masked_fill(m.positives.logical_not(), -kInf).logsumexp(1);
  auto lse_all = (-d).masked_fill(m.others.logical_not(), -kInf).logsumexp(1);
  auto log_count = m.positives.sum(1).to(d.dtype()).log();
  auto per_anchor = lse_all - lse_pos + log_count;
  return per_anchor.index({m.valid}).mean();
}

// Largest |a - b| relative to the largest |b| (or 1 when b is tiny).
double relative_error(const Tensor& a, const Tensor& b) {
  auto scale = std::max(1e-30, b.abs().max().item<double>());
  auto diff = (a.to(torch::kFloat64) - b).abs().max().item<double>();
  return diff / scale;
}

struct Case {
  std::string name;
  int64_t n, dim, num_labels;
  double scale;            // spread of the means
  torch::Dtype dtype;      // what gaussner computes in
  double tolerance;        // relative, on the loss and on each gradient
  int64_t block_elements;  // 0: the default row blocks
  bool underflows;         // the ratio-form reference gives NaN/inf
};

struct Result {
  Tensor loss, grad_mu, grad_var;
};

// Loss and gradients of `loss_fn` at (mu, var) cast to `dtype`.
template <typename LossFn>
Result loss_and_grads(const Tensor& mu,
                      const Tensor& var,
                      torch::Dtype dtype,
                      LossFn loss_fn) {
  auto m = mu.to(dtype).detach().requires_grad_();
  auto v = var.to(dtype).detach().requires_grad_();
  auto loss = loss_fn(m, v);
  loss.backward();
  return {loss.detach(), m.grad(), v.grad()};
}

void expect_case(const Case& c) {
  SCOPED_TRACE(c.name);
  torch::manual_seed(c.n * 131 + c.dim);
  auto f64 = torch::kFloat64;
  auto mu = torch::randn({c.n, c.dim}, f64) * c.scale;
  auto var = torch::elu(torch::randn({c.n, c.dim}, f64)) + 1 + 1e-3;
  auto labels = torch::randint(c.num_labels, {c.n}, torch::kInt64);
  if (c.block_elements > 0) kl_internal::set_block_elements(c.block_elements);

  auto ours = loss_and_grads(mu, var, c.dtype, [&](auto& m, auto& v) {
    return contrastive_loss(m, v, labels);
  });
  kl_internal::set_block_elements(0);
  auto ref = loss_and_grads(mu, var, f64, [&](auto& m, auto& v) {
    return naive_loss_log(naive_kl(m, v), labels);
  });
  auto ratio = naive_loss_ratio(naive_kl(mu, var), labels).item<double>();

  EXPECT_EQ(ours.loss.scalar_type(), c.dtype);
  ASSERT_TRUE(std::isfinite(ours.loss.item<double>()));
  EXPECT_TRUE(torch::isfinite(ours.grad_mu).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(ours.grad_var).all().item<bool>());
  EXPECT_EQ(std::isfinite(ratio), !c.underflows) << "ratio form: " << ratio;
  if (!c.underflows) {
    EXPECT_NEAR(ratio, ref.loss.item<double>(), 1e-9 * std::abs(ratio));
  }
  EXPECT_LT(relative_error(ours.loss, ref.loss), c.tolerance)
      << ours.loss.item<double>() << " vs " << ref.loss.item<double>();
  EXPECT_LT(relative_error(ours.grad_mu, ref.grad_mu), c.tolerance);
  EXPECT_LT(relative_error(ours.grad_var, ref.grad_var), c.tolerance);
}

TEST(ContrastiveLoss, MatchesNaiveValuesAndGradients) {
  auto f32 = torch::kFloat32, f64 = torch::kFloat64;
  std::vector<Case> cases = {
      {"tiny", 7, 3, 3, 1.0, f64, 1e-12, 0, false},
      {"ten labels f64", 40, 16, 10, 1.0, f64, 1e-12, 0, false},
      {"ten labels f32", 40, 16, 10, 1.0, f32, 2e-5, 0, false},
      {"two labels f32", 100, 8, 2, 0.5, f32, 2e-5, 0, false},
      {"mostly singletons", 60, 32, 150, 0.3, f64, 1e-12, 0, false},
      {"ragged blocks", 300, 8, 10, 0.5, f64, 1e-12, 1000, false},
      {"two tiles f32", 300, 4, 10, 0.5, f32, 2e-5, 0, false},
      {"spread f64", 50, 16, 5, 30.0, f64, 1e-12, 0, true},
      {"spread f32", 50, 16, 5, 30.0, f32, 5e-4, 0, true},
      {"spread blocks f32", 200, 8, 10, 30.0, f32, 5e-4, 3000, true},
  };
  for (const auto& c : cases) expect_case(c);
}

TEST(ContrastiveLoss, FarPositiveGivesFiniteLossAndGradients) {
  // Anchor 0 at 0, its positive at 50, a negative at 0.1 (D = 1, var = 1):
  // d(0, positive) = 1250, so exp(-d) is 0 and the ratio form is inf.
  auto mu =
      torch::tensor({0.0, 50.0, 0.1, 50.1}, torch::kFloat64).reshape({4, 1});
  auto var = torch::ones({4, 1}, torch::kFloat64);
  auto labels = torch::tensor({0, 0, 1, 1}, torch::kInt64);
  EXPECT_FALSE(std::isfinite(
      naive_loss_ratio(naive_kl(mu, var), labels).item<double>()));
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    auto ours = loss_and_grads(mu, var, dtype, [&](auto& m, auto& v) {
      return contrastive_loss(m, v, labels);
    });
    auto ref = loss_and_grads(mu, var, torch::kFloat64, [&](auto& m, auto& v) {
      return naive_loss_log(naive_kl(m, v), labels);
    });
    EXPECT_GT(ref.loss.item<double>(), 1000);
    EXPECT_LT(relative_error(ours.loss, ref.loss), 1e-5);
    EXPECT_LT(relative_error(ours.grad_mu, ref.grad_mu), 1e-5);
    EXPECT_LT(relative_error(ours.grad_var, ref.grad_var), 1e-5);
  }
}

TEST(ContrastiveLoss, SelfIsExcludedByIndexNotByDistance) {
  // Words 0 and 1 are identical Gaussians (d = 0) with different labels;
  // 1 must still count among 0's others. Words 2, 3 share a label at d = 0.
  auto mu = torch::tensor(
      {{0.0, 1.0}, {0.0, 1.0}, {2.0, 0.0}, {2.0, 0.0}, {1.0, 1.0}},
      torch::kFloat64);
  auto var = torch::tensor(
      {{1.0, 2.0}, {1.0, 2.0}, {1.5, 1.0}, {1.5, 1.0}, {1.0, 1.0}},
      torch::kFloat64);
  auto labels = torch::tensor({0, 1, 2, 2, 0}, torch::kInt64);
  auto ours = loss_and_grads(mu, var, torch::kFloat64, [&](auto& m, auto& v) {
    return contrastive_loss(m, v, labels);
  });
  auto ref = loss_and_grads(mu, var, torch::kFloat64, [&](auto& m, auto& v) {
    return naive_loss_ratio(naive_kl(m, v), labels);
  });
  EXPECT_LT(relative_error(ours.loss, ref.loss), 1e-12);
  EXPECT_LT(relative_error(ours.grad_mu, ref.grad_mu), 1e-10);
  EXPECT_LT(relative_error(ours.grad_var, ref.grad_var), 1e-10);
}

TEST(ContrastiveLoss, NoPositiveGivesConnectedFiniteZero) {
  // All labels distinct (N = 5), one word, and no words at all.
  for (int64_t n : {5, 1, 0}) {
    SCOPED_TRACE(n);
    auto h = torch::randn({n, 6}, torch::requires_grad());
    auto mu = h * 2;  // non-leaf: the zero must reach h through the graph
    auto var = torch::ones({n, 6}, torch::requires_grad());
    auto loss = contrastive_loss(mu, var, torch::arange(n));
    EXPECT_EQ(loss.item<double>(), 0.0);
    ASSERT_TRUE(loss.requires_grad());
    loss.backward();
    ASSERT_TRUE(h.grad().defined());
    ASSERT_TRUE(var.grad().defined());
    EXPECT_EQ(h.grad().abs().sum().item<double>(), 0.0);
    EXPECT_EQ(var.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(ContrastiveLoss, OutsideIsAnOrdinaryClassAndLog2Scales) {
  // Label 0 (O) is most words; its anchors count like any other class.
  auto labels = torch::tensor({0, 0, 0, 0, 1, 1, 2, 0, 3}, torch::kInt64);
  EXPECT_EQ(anchors_with_positive(labels), 7);
  EXPECT_EQ(anchors_with_positive(torch::arange(4)), 0);
  EXPECT_EQ(anchors_with_positive(torch::zeros({0}, torch::kInt64)), 0);
  torch::manual_seed(3);
  auto mu = torch::randn({9, 5}, torch::kFloat64);
  auto var = torch::rand({9, 5}, torch::kFloat64) + 0.5;
  auto ln = loss_and_grads(mu, var, torch::kFloat64, [&](auto& m, auto& v) {
    return contrastive_loss(m, v, labels);
  });
  auto ref = loss_and_grads(mu, var, torch::kFloat64, [&](auto& m, auto& v) {
    return naive_loss_ratio(naive_kl(m, v), labels);
  });
  EXPECT_LT(relative_error(ln.loss, ref.loss), 1e-12);
  EXPECT_LT(relative_error(ln.grad_mu, ref.grad_mu), 1e-10);
  auto narrow_labels = contrastive_loss(mu, var, labels.to(torch::kInt32));
  EXPECT_NEAR(narrow_labels.item<double>(), ln.loss.item<double>(), 1e-12);

  auto base2 = loss_and_grads(mu, var, torch::kFloat64, [&](auto& m, auto& v) {
    return contrastive_loss(m, v, labels, {/*log2=*/true});
  });
  EXPECT_NEAR(
      base2.loss.item<double>(), ln.loss.item<double>() / std::log(2.0), 1e-12);
  EXPECT_LT(relative_error(base2.grad_mu * std::log(2.0), ln.grad_mu), 1e-12);
  EXPECT_LT(relative_error(base2.grad_var * std::log(2.0), ln.grad_var), 1e-12);
}

TEST(ContrastiveLoss, OneClassGivesLogOfOthersAndNoGradient) {
  // P(i) = A(i) for every anchor: l_i = log(N - 1) whatever the Gaussians.
  auto mu = torch::randn({12, 4}, torch::kFloat64);
  auto var = torch::rand({12, 4}, torch::kFloat64) + 0.5;
  auto ours = loss_and_grads(mu, var, torch::kFloat64, [&](auto& m, auto& v) {
    return contrastive_loss(m, v, torch::full({12}, 4, torch::kInt64));
  });
  EXPECT_NEAR(ours.loss.item<double>(), std::log(11.0), 1e-12);
  EXPECT_LT(ours.grad_mu.abs().max().item<double>(), 1e-12);
  EXPECT_LT(ours.grad_var.abs().max().item<double>(), 1e-12);
}

TEST(PairwiseKl, SymmetricZeroDiagonalNonnegativeAndNaive) {
  struct KlCase {
    int64_t n, dim;
    double scale;
    torch::Dtype dtype;
    double tolerance;  // relative to the largest naive d or gradient
  };
  std::vector<KlCase> cases = {{1, 3, 1.0, torch::kFloat64, 1e-12},
                               {9, 5, 1.0, torch::kFloat64, 1e-12},
                               {70, 32, 2.0, torch::kFloat32, 1e-5},
                               {300, 8, 30.0, torch::kFloat64, 1e-12},
                               {300, 8, 30.0, torch::kFloat32, 1e-5}};
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.n << "x" << c.dim << " scale "
                                      << c.scale << " " << c.dtype);
    torch::manual_seed(c.n);
    auto mu = torch::randn({c.n, c.dim}, torch::kFloat64) * c.scale;
    auto var = torch::exp(torch::randn({c.n, c.dim}, torch::kFloat64));
    auto weights = torch::randn({c.n, c.n}, torch::kFloat64);  // not symmetric
    auto kl = [&](auto fn, torch::Dtype dtype) {
      auto m = mu.to(dtype).requires_grad_();
      auto v = var.to(dtype).requires_grad_();
      auto d = fn(m, v);
      (d * weights.to(dtype)).sum().backward();
      return std::vector<Tensor>{d.detach(), m.grad(), v.grad()};
    };
    auto ours = kl(pairwise_kl, c.dtype);
    auto ref = kl(naive_kl, torch::kFloat64);

    const auto& d = ours[0];
    EXPECT_EQ(d.scalar_type(), c.dtype);
    EXPECT_TRUE(torch::equal(d, d.t()));
    EXPECT_EQ(d.diagonal().abs().max().item<double>(), 0.0);
    EXPECT_GE(d.min().item<double>(), 0.0);
    EXPECT_LT(relative_error(d, ref[0]), c.tolerance);
    EXPECT_LT(relative_error(ours[1], ref[1]), c.tolerance);
    EXPECT_LT(relative_error(ours[2], ref[2]), c.tolerance);
  }
}

TEST(ContrastiveLoss, RejectsBadInput) {
  auto mu = torch::zeros({4, 3});
  auto var = torch::ones({4, 3});
  auto labels = torch::zeros({4}, torch::kInt64);
  EXPECT_THROW_WITH(contrastive_loss(torch::zeros({4}), var, labels),
                    "mu must be N x D, got shape 4");
  EXPECT_THROW_WITH(contrastive_loss(mu, torch::ones({4, 2}), labels),
                    "var must have mu's shape 4x3, got 4x2");
  EXPECT_THROW_WITH(contrastive_loss(mu, var.to(torch::kFloat64), labels),
                    "share a floating dtype, got Float and Double");
  EXPECT_THROW_WITH(
      contrastive_loss(mu.to(torch::kInt64), var.to(torch::kInt64), labels),
      "share a floating dtype, got Long and Long");
  auto bad_var = var.clone();
  bad_var[2][1] = 0;
  EXPECT_THROW_WITH(contrastive_loss(mu, bad_var, labels),
                    "var must be positive everywhere, got minimum 0");
  bad_var[2][1] = std::nan("");
  EXPECT_THROW_WITH(pairwise_kl(mu, bad_var), "[pairwise_kl] var must be");
  EXPECT_THROW_WITH(contrastive_loss(mu, var, torch::zeros({5}, torch::kLong)),
                    "labels must be a vector of 4 (N) labels, got shape 5");
  EXPECT_THROW_WITH(contrastive_loss(mu, var, torch::zeros({4})),
                    "labels must be integers (int64), got Float");
  EXPECT_THROW_WITH(anchors_with_positive(torch::zeros({2, 2}, torch::kLong)),
                    "labels must be a vector, got shape 2x2");
}

}  // namespace
}  // namespace gaussner
