#include "infer/viterbi.h"

#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "text/tags.h"
#include "util/error.h"

namespace gaussner {

namespace {

// The counts with their JSON names.
template <typename Counts>
auto named_fields(Counts& c) {
  using Pointer = decltype(&c.start_o);
  return std::array<std::pair<const char*, Pointer>, 7>{
      {{"start_o", &c.start_o},
       {"start_entity", &c.start_entity},
       {"o_o", &c.o_o},
       {"o_entity", &c.o_entity},
       {"entity_o", &c.entity_o},
       {"entity_same", &c.entity_same},
       {"entity_other", &c.entity_other}}};
}

// Add-one smoothed share of `count` in `total` over `outcomes` outcomes.
double smoothed(int64_t count, int64_t total, int outcomes) {
  return (static_cast<double>(count) + 1) /
         (static_cast<double>(total) + outcomes);
}

// Rows of probabilities (R x C, double) -> p^tau renormalised, as logs.
torch::Tensor sharpen(const torch::Tensor& probabilities, double tau) {
  torch::Tensor powered = probabilities.pow(tau);
  return (powered / powered.sum(-1, /*keepdim=*/true))
      .log()
      .to(torch::kFloat32);
}

// The abstract probabilities (METHOD.md section 6), add-one smoothed.
struct Abstract {
  double start_o = 1;
  double o_o = 1;
  double entity_o = 0;
  double entity_same = 1;
  double entity_other = 0;  // to any other type, all of them together
};

Abstract abstract_probabilities(const TransitionCounts& n, int64_t types) {
  Abstract p;
  if (types == 0) return p;  // only O: every move is O -> O
  p.start_o = smoothed(n.start_o, n.start_o + n.start_entity, 2);
  p.o_o = smoothed(n.o_o, n.o_o + n.o_entity, 2);
  // With one type, "other entity" has nowhere to go: the outcome is
  // dropped, which equals renormalising the other two after smoothing.
  bool other = types > 1;
  int64_t total = n.entity_o + n.entity_same + (other ? n.entity_other : 0);
  int outcomes = other ? 3 : 2;
  p.entity_o = smoothed(n.entity_o, total, outcomes);
  p.entity_same = smoothed(n.entity_same, total, outcomes);
  p.entity_other = other ? smoothed(n.entity_other, total, outcomes) : 0;
  return p;
}

// Spreads `p` over C labels (O = 0, E = C - 1 types): (C + 1) x C table
// of probabilities, start row first.
torch::Tensor spread(const Abstract& p, int64_t c) {
  const double types = static_cast<double>(std::max<int64_t>(c - 1, 1));
  const double others = static_cast<double>(std::max<int64_t>(c - 2, 1));
  torch::Tensor table = torch::empty({c + 1, c}, torch::kFloat64);
  auto t = table.accessor<double, 2>();
  for (int64_t to = 0; to < c; ++to) {
    t[0][to] = to == 0 ? p.start_o : (1 - p.start_o) / types;
    t[1][to] = to == 0 ? p.o_o : (1 - p.o_o) / types;
  }
  for (int64_t from = 1; from < c; ++from) {
    for (int64_t to = 0; to < c; ++to) {
      t[from + 1][to] = to == 0      ? p.entity_o
                        : to == from ? p.entity_same
                                     : p.entity_other / others;
    }
  }
  return table;
}

torch::Tensor to_cpu_double(const torch::Tensor& t) {
  return t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
}

void check_shapes(int64_t c, const Transitions& transitions) {
  const auto& start = transitions.start;
  const auto& next = transitions.next;
  if (!start.defined() || !next.defined() || start.dim() != 1 ||
      start.size(0) != c || next.dim() != 2 || next.size(0) != c ||
      next.size(1) != c) {
    fail(
        "viterbi: transitions have start {} and next {}; expected {} and "
        "{} x {} for emissions with {} labels",
        start.defined() ? fmt::format("{}", fmt::join(start.sizes(), " x "))
                        : "undefined",
        next.defined() ? fmt::format("{}", fmt::join(next.sizes(), " x "))
                       : "undefined",
        c,
        c,
        c,
        c);
  }
}

// The label path ending in the best final label, read from back pointers.
std::vector<int64_t> trace_back(const std::vector<std::vector<double>>& best,
                                const std::vector<std::vector<int64_t>>& back) {
  const auto& last = best.back();
  int64_t label = 0;
  for (int64_t j = 1; j < static_cast<int64_t>(last.size()); ++j) {
    if (last[j] > last[label]) label = j;
  }
  std::vector<int64_t> path(best.size());
  for (std::size_t t = best.size(); t-- > 0;) {
    path[t] = label;
    label = back[t][label];
  }
  return path;
}

}  // namespace

void TransitionCounts::add(const std::vector<std::string>& io_labels) {
  if (io_labels.empty()) return;
  std::string previous = io_label(io_labels[0]);
  ++(previous == "O" ? start_o : start_entity);
  for (std::size_t i = 1; i < io_labels.size(); ++i) {
    std::string label = io_label(io_labels[i]);
    if (previous == "O") {
      ++(label == "O" ? o_o : o_entity);
    } else if (label == "O") {
      ++entity_o;
    } else {
      ++(label == previous ? entity_same : entity_other);
    }
    previous = std::move(label);
  }
}

TransitionCounts TransitionCounts::from_sentences(
    const std::vector<Sentence>& s) {
  TransitionCounts counts;
  for (const auto& sentence : s) counts.add(sentence.labels);
  return counts;
}

nlohmann::json TransitionCounts::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : named_fields(*this)) j[name] = *value;
  return j;
}

TransitionCounts TransitionCounts::from_json(const nlohmann::json& j,
                                             const std::string& where) {
  TransitionCounts counts;
  if (!j.is_object()) {
    fail("{}: transition counts are {}; expected a JSON object of counts",
         where,
         j.type_name());
  }
  for (const auto& [name, target] : named_fields(counts)) {
    auto it = j.find(name);
    if (it == j.end()) {
      fail("{}: transition counts lack the field '{}'", where, name);
    }
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      fail("{}: transition count '{}' is {}; expected an integer >= 0",
           where,
           name,
           it->dump());
    }
    *target = it->get<int64_t>();
  }
  return counts;
}

Transitions make_transitions(const TransitionCounts& counts,
                             int64_t num_labels,
                             double tau) {
  if (num_labels < 1 || !(tau >= 0) || !std::isfinite(tau)) {
    fail(
        "make_transitions: num_labels {} and tau {}; expected "
        "num_labels >= 1 (O plus the types) and a finite tau >= 0",
        num_labels,
        tau);
  }
  // Row 0 of the table is the start, row 1 + i the move from label i.
  torch::Tensor table = spread(abstract_probabilities(counts, num_labels - 1),
                               num_labels);  // (C + 1) x C
  torch::Tensor logs = sharpen(table, tau);
  return Transitions{logs[0].clone(), logs.slice(0, 1).clone()};
}

std::vector<int64_t> viterbi(const torch::Tensor& emissions,
                             const Transitions& transitions) {
  if (emissions.dim() != 2) {
    fail("viterbi: emissions have shape {}; expected W x C",
         fmt::join(emissions.sizes(), " x "));
  }
  // W words, C labels; the lattice is tiny, so it is walked on the CPU.
  const int64_t w = emissions.size(0);
  const int64_t c = emissions.size(1);
  if (w == 0) return {};
  check_shapes(c, transitions);
  torch::Tensor em = to_cpu_double(emissions);
  if (torch::isnan(em).any().item<bool>()) {
    fail("viterbi: emissions ({} x {}) contain NaN; expected log-probs", w, c);
  }
  auto score = em.accessor<double, 2>();
  torch::Tensor start_t = to_cpu_double(transitions.start);
  torch::Tensor next_t = to_cpu_double(transitions.next);
  auto start = start_t.accessor<double, 1>();
  auto next = next_t.accessor<double, 2>();

  // best[t][j]: best score of a path ending in label j at word t.
  std::vector<std::vector<double>> best(w, std::vector<double>(c));
  std::vector<std::vector<int64_t>> back(w, std::vector<int64_t>(c, 0));
  for (int64_t j = 0; j < c; ++j) best[0][j] = start[j] + score[0][j];
  for (int64_t t = 1; t < w; ++t) {
    for (int64_t j = 0; j < c; ++j) {
      double top = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < c; ++i) {
        double candidate = best[t - 1][i] + next[i][j];
        // Strictly greater keeps the lowest label on ties (deterministic).
        if (candidate > top || i == 0) {
          top = candidate;
          back[t][j] = i;
        }
      }
      best[t][j] = top + score[t][j];
    }
  }
  return trace_back(best, back);
}

}  // namespace gaussner
