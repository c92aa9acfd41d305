#include "model/gaussian_head.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

namespace F = torch::nn::functional;

TEST(GaussianHead, ShapesFormulaAndInit) {
  torch::manual_seed(1);
  GaussianHeadOptions options;
  options.input_dim = 24;
  options.dim = 6;
  GaussianHead head(options);
  head->eval();
  // nn.Linear's default init: every weight and bias within 1/sqrt(H).
  const double bound = 1 / std::sqrt(24.0);
  for (const auto& p : head->parameters()) {
    EXPECT_LE(p.abs().max().item<double>(), bound);
    EXPECT_GT(p.abs().max().item<double>(), 0.5 * bound);
  }
  EXPECT_EQ(head->named_parameters().size(), 4u);
  EXPECT_TRUE(head->named_parameters().contains("mu.weight"));
  EXPECT_TRUE(head->named_parameters().contains("sigma.bias"));

  // Large negative inputs drive elu towards -1: var must stay above eps.
  auto h = torch::randn({5, 24}) *
           torch::tensor({1.0, 1.0, 1.0, 1.0, 1e4}).reshape({5, 1});
  auto [mu, var] = head->forward(h);
  EXPECT_EQ(mu.sizes(), (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(var.sizes(), (std::vector<int64_t>{5, 6}));
  EXPECT_TRUE(torch::isfinite(var).all().item<bool>());
  // 1 + 1e-6 rounds to 1 + 9.5e-7 in float32: still a positive floor.
  EXPECT_GE(var.min().item<double>(), 0.9 * options.variance_floor);
  EXPECT_LT(var.min().item<double>(), 1e-5);  // the floor was reached
  auto x = torch::relu(h);
  EXPECT_TRUE(torch::allclose(mu, head->mu->forward(x)));
  EXPECT_TRUE(torch::allclose(
      var, F::elu(head->sigma->forward(x)) + (1 + options.variance_floor)));
}

TEST(GaussianHead, DropoutOnlyInTrainingWithOneMaskForBothHeads) {
  torch::manual_seed(2);
  GaussianHeadOptions options;
  options.input_dim = 64;
  options.dim = 64;
  options.dropout = 0.5;
  GaussianHead head(options);
  auto h = torch::rand({8, 64}) + 0.1;  // positive: relu keeps everything

  head->eval();
  auto [mu_a, var_a] = head->forward(h);
  auto [mu_b, var_b] = head->forward(h);
  EXPECT_TRUE(torch::equal(mu_a, mu_b));
  EXPECT_TRUE(torch::equal(var_a, var_b));

  // Identity projections expose the dropped h: mu = relu(dropout(h)),
  // and var must be elu of that same tensor (one mask for both heads).
  {
    torch::NoGradGuard no_grad;
    for (auto* linear : {&head->mu, &head->sigma}) {
      (*linear)->weight.copy_(torch::eye(64));
      (*linear)->bias.zero_();
    }
  }
  head->train();
  auto [mu_1, var_1] = head->forward(h);
  auto [mu_2, var_2] = head->forward(h);
  EXPECT_FALSE(torch::equal(mu_1, mu_2));
  double dropped = (mu_1 == 0).to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(dropped, 0.3);
  EXPECT_LT(dropped, 0.7);
  EXPECT_TRUE(torch::allclose(mu_1.masked_select(mu_1 != 0),
                              (h * 2).masked_select(mu_1 != 0)));
  EXPECT_TRUE(torch::allclose(var_1, F::elu(mu_1) + (1 + 1e-6)));
}

TEST(GaussianHead, RejectsBadOptionsAndInput) {
  GaussianHeadOptions options;
  options.dropout = 1.0;
  EXPECT_THROW_WITH(GaussianHead{options}, "dropout must be in [0, 1), got 1");
  options = {};
  options.dim = 0;
  EXPECT_THROW_WITH(GaussianHead{options}, "dim must be positive, got 0");
  options = {};
  options.input_dim = -3;
  EXPECT_THROW_WITH(GaussianHead{options},
                    "input_dim must be positive, got -3");
  options = {};
  options.variance_floor = -1e-3;
  EXPECT_THROW_WITH(GaussianHead{options}, "variance_floor must be >= 0");

  options = {};
  options.input_dim = 8;
  GaussianHead head(options);
  EXPECT_THROW_WITH(head->forward(torch::zeros({3, 7})),
                    "h must be N x 8 (input_dim), got shape 3x7");
  EXPECT_THROW_WITH(head->forward(torch::zeros({8})),
                    "h must be N x 8 (input_dim), got shape 8");
}

}  // namespace
}  // namespace gaussner
