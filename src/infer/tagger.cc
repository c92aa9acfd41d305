#include "infer/tagger.h"

#include "eval/spans.h"
#include "train/loss.h"
#include "util/error.h"

namespace gaussner {

namespace F = torch::nn::functional;

void TagOptions::validate() const {
  if (space != "hidden" && space != "mu" && space != "kl") {
    fail("tag: space '{}' is not one of hidden, mu, kl", space);
  }
  if (k < 1) fail("tag: k must be at least 1, got {}", k);
  if (!(tau > 0)) fail("tag: tau must be positive, got {}", tau);
  if (!(temperature > 0)) {
    fail("tag: temperature must be positive, got {}", temperature);
  }
}

Tagger::Tagger(ContainerModel& model,
               const std::vector<Sentence>& support,
               const LabelSet& labels,
               const TagOptions& options)
    : model_(model), labels_(labels), options_(options) {
  options_.validate();
  if (support.empty()) fail("tag: the support set is empty");
  std::vector<torch::Tensor> vectors = embed(support);
  std::vector<int64_t> ids;
  for (const auto& s : support) {
    if (!s.labelled()) fail("{}: support sentence has no labels", s.source);
    for (const auto& label : s.labels)
      ids.push_back(labels_.at(label, s.source));
  }
  support_ = torch::cat(vectors, 0);
  support_labels_ = torch::tensor(ids, torch::kInt64).to(support_.device());
  if (options_.viterbi) {
    transitions_ = make_transitions(
        model_.transitions, static_cast<int64_t>(labels_.size()), options_.tau);
  }
}

std::vector<torch::Tensor> Tagger::embed(
    const std::vector<Sentence>& sentences) {
  torch::NoGradGuard no_grad;
  model_.encoder->eval();
  model_.head->eval();
  std::vector<torch::Tensor> hidden =
      embed_words(model_.encoder, model_.tokenizer, sentences, options_.embed);
  for (auto& h : hidden) {
    if (options_.space == "hidden") {
      h = F::normalize(h, F::NormalizeFuncOptions().p(2).dim(1));
    } else {
      auto [mu, var] = model_.head->forward(h);
      h = options_.space == "mu" ? mu : torch::cat({mu, var}, 1);
    }
  }
  return hidden;
}

torch::Tensor Tagger::class_scores(const torch::Tensor& query) {
  // query: n x E, support_: m x E -> closeness n x m (higher = closer).
  int64_t n = query.size(0);
  torch::Tensor closeness;
  if (options_.space == "kl") {
    int64_t d = query.size(1) / 2;
    torch::Tensor all = torch::cat({query, support_}, 0);
    torch::Tensor dist = pairwise_kl(all.narrow(1, 0, d), all.narrow(1, d, d));
    closeness = -dist.narrow(0, 0, n).narrow(1, n, support_.size(0));
  } else {
    closeness = -torch::cdist(query, support_).pow(2);
  }

  int64_t classes = static_cast<int64_t>(labels_.size());
  torch::Tensor scores = torch::full({n, classes}, -1e30, closeness.options());
  if (options_.centroids) {
    for (int64_t c = 0; c < classes; ++c) {
      torch::Tensor members = (support_labels_ == c).nonzero().squeeze(1);
      if (members.numel() == 0) continue;
      scores.select(1, c).copy_(closeness.index_select(1, members).mean(1));
    }
    return scores;
  }
  // Best closeness per class: scatter-max over support columns.
  torch::Tensor index = support_labels_.unsqueeze(0).expand({n, -1});
  scores = scores.scatter_reduce(1,
                                 index,
                                 closeness,
                                 "amax",
                                 /*include_self=*/true);
  if (options_.k > 1) {
    // The k nearest support words vote; the best closeness breaks ties.
    int64_t k = std::min<int64_t>(options_.k, support_.size(0));
    torch::Tensor nearest = std::get<1>(closeness.topk(k, 1));
    torch::Tensor votes = torch::zeros({n, classes}, closeness.options());
    votes.scatter_add_(1,
                       support_labels_.index({nearest}),
                       torch::ones({n, k}, closeness.options()));
    torch::Tensor tie_break = torch::softmax(scores, 1);
    scores = torch::where(votes > 0, votes + tie_break, scores);
  }
  return scores;
}

std::vector<Tagged> Tagger::tag(const std::vector<Sentence>& query) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> vectors = embed(query);
  std::vector<Tagged> out;
  out.reserve(query.size());
  for (std::size_t i = 0; i < query.size(); ++i) {
    Tagged tagged;
    int64_t w = vectors[i].size(0);
    if (w == 0) {
      out.push_back(tagged);
      continue;
    }
    torch::Tensor scores = class_scores(vectors[i]).to(torch::kCPU);
    torch::Tensor confidence =
        torch::softmax(scores.to(torch::kDouble) / options_.temperature, 1);
    std::vector<int64_t> best;
    if (options_.viterbi) {
      torch::Tensor emissions = torch::log_softmax(scores.to(torch::kFloat), 1);
      best = viterbi(emissions, transitions_);
    } else {
      torch::Tensor arg = scores.argmax(1);
      best.assign(arg.data_ptr<int64_t>(), arg.data_ptr<int64_t>() + w);
    }
    for (int64_t j = 0; j < w; ++j) {
      tagged.labels.push_back(labels_.name(best[j]));
      tagged.confidence.push_back(confidence[j][best[j]].item<double>());
    }
    for (const Span& span : extract_spans(tagged.labels)) {
      double sum = 0;
      for (int j = span.start; j < span.end; ++j) sum += tagged.confidence[j];
      tagged.spans.push_back(
          {span.start, span.end, span.label, sum / (span.end - span.start)});
    }
    out.push_back(std::move(tagged));
  }
  return out;
}

}  // namespace gaussner
