#include "model/gaussian_head.h"

#include "util/error.h"

namespace gaussner {
namespace {

namespace F = torch::nn::functional;

void check_options(const GaussianHeadOptions& options) {
  if (options.input_dim <= 0) {
    fail("[GaussianHead] input_dim must be positive, got {}",
         options.input_dim);
  }
  if (options.dim <= 0) {
    fail("[GaussianHead] dim must be positive, got {}", options.dim);
  }
  if (!(options.dropout >= 0 && options.dropout < 1)) {
    fail("[GaussianHead] dropout must be in [0, 1), got {}", options.dropout);
  }
  if (!(options.variance_floor >= 0)) {
    fail("[GaussianHead] variance_floor must be >= 0, got {}",
         options.variance_floor);
  }
}

}  // namespace

GaussianHeadImpl::GaussianHeadImpl(const GaussianHeadOptions& options)
    : options_(options) {
  check_options(options_);
  // torch::nn::Linear initialises like PyTorch's nn.Linear: weights
  // kaiming-uniform(a = sqrt(5)), biases uniform(+-1/sqrt(H)).
  mu = register_module("mu",
                       torch::nn::Linear(options_.input_dim, options_.dim));
  sigma = register_module("sigma",
                          torch::nn::Linear(options_.input_dim, options_.dim));
}

std::pair<torch::Tensor, torch::Tensor> GaussianHeadImpl::forward(
    const torch::Tensor& h) {
  // h: N x H -> mu, var: N x D.
  if (h.dim() != 2 || h.size(1) != options_.input_dim) {
    fail("[GaussianHead] h must be N x {} (input_dim), got shape {}",
         options_.input_dim,
         fmt::join(h.sizes(), "x"));
  }

  // One dropout mask feeds both heads: the reference applies dropout and
  // relu to the same h before each projection, and a shared mask keeps mu
  // and var describing the same perturbed word.
  auto x = torch::relu(F::dropout(
      h, F::DropoutFuncOptions().p(options_.dropout).training(is_training())));

  // elu(.) > -1, so var > variance_floor: a strictly positive variance.
  auto var = F::elu(sigma->forward(x)) + (1.0 + options_.variance_floor);
  return {mu->forward(x), var};
}

}  // namespace gaussner
