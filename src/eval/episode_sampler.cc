#include "eval/episode_sampler.h"

#include <algorithm>
#include <limits>
#include <set>

#include "eval/spans.h"
#include "text/tags.h"
#include "util/error.h"

namespace gaussner {
namespace {

// Mentions per type: maximal runs of one non-"O" label (eval/spans.h).
std::map<std::string, int> count_mentions(const Sentence& s) {
  std::map<std::string, int> counts;
  for (const Span& span : extract_spans(s.labels)) ++counts[span.label];
  return counts;
}

void check_sentence(const Sentence& s, std::size_t index) {
  if (!s.labelled() || s.labels.size() != s.words.size()) {
    fail(
        "episode sampler: sentence {} ({}) has {} words and {} labels; "
        "expected labelled sentences",
        index,
        s.source.empty() ? "no source" : s.source,
        s.words.size(),
        s.labels.size());
  }
  for (const auto& label : s.labels) {
    if (!well_formed_tag(label) || parse_tag(label).prefix != 0) {
      fail(
          "episode sampler: sentence {} ({}): label \"{}\"; expected IO "
          "labels (\"O\" or a type name, no B-/I- prefix)",
          index,
          s.source.empty() ? "no source" : s.source,
          label);
    }
  }
}

std::string count_list(const std::map<std::string, int>& counts) {
  std::string out;
  for (const auto& [name, count] : counts) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name, count);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  if (n == 0) fail("uniform_below: n must be positive");
  // Values at or above the largest multiple of n would favour small results.
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = max - max % n;
  uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % n;
}

EpisodeSampler::EpisodeSampler(std::vector<Sentence> sentences,
                               SamplerOptions options)
    : sentences_(std::move(sentences)), options_(options), rng_(options.seed) {
  if (options_.ways < 1 || options_.shots < 1 || options_.query_shots < 0 ||
      options_.max_type_draws < 1) {
    fail(
        "episode sampler: ways {}, shots {}, query shots {}, type draws {}: "
        "expected ways, shots and draws >= 1 and query shots >= 0",
        options_.ways,
        options_.shots,
        options_.query_shots,
        options_.max_type_draws);
  }
  if (options_.query_shots == 0) options_.query_shots = options_.shots;

  // mention counts per sentence, with types as ids in name order
  std::vector<std::map<std::string, int>> counts;
  for (std::size_t i = 0; i < sentences_.size(); ++i) {
    check_sentence(sentences_[i], i);
    counts.push_back(count_mentions(sentences_[i]));
    for (const auto& [name, n] : counts.back()) total_[name] += n;
  }
  std::map<std::string, int> ids;
  for (const auto& [name, n] : total_) {
    ids[name] = static_cast<int>(type_names_.size());
    type_names_.push_back(name);
  }
  sentences_with_type_.resize(type_names_.size());
  for (std::size_t i = 0; i < counts.size(); ++i) {
    mentions_.emplace_back();
    for (const auto& [name, n] : counts[i]) {
      mentions_.back().emplace_back(ids[name], n);
      sentences_with_type_[ids[name]].push_back(static_cast<int>(i));
    }
  }

  int needed = options_.shots + options_.query_shots;
  for (const auto& [name, n] : total_) {
    if (n < needed) continue;
    eligible_.push_back(name);
    eligible_ids_.push_back(ids[name]);
  }
  if (static_cast<int>(eligible_.size()) < options_.ways) {
    fail(
        "episode sampler: {}-way episodes need {} types with at least {} "
        "mentions each ({} support + {} query), but {} have that many; "
        "mentions per type: {}",
        options_.ways,
        options_.ways,
        needed,
        options_.shots,
        options_.query_shots,
        eligible_.size(),
        count_list(total_));
  }
}

std::vector<int> EpisodeSampler::candidates_for(
    const std::vector<int>& type_ids) const {
  std::vector<char> in_episode(type_names_.size(), 0);
  for (int t : type_ids) in_episode[t] = 1;
  std::vector<int> out;
  for (int t : type_ids) {
    out.insert(out.end(),
               sentences_with_type_[t].begin(),
               sentences_with_type_[t].end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (options_.relabel_other_types) return out;

  // Few-NERD draws only sentences whose every type is in the episode.
  auto foreign = [&](int s) {
    for (const auto& [t, n] : mentions_[s]) {
      if (!in_episode[t]) return true;
    }
    return false;
  };
  out.erase(std::remove_if(out.begin(), out.end(), foreign), out.end());
  return out;
}

std::vector<int> EpisodeSampler::fill(std::vector<int>& candidates,
                                      const std::vector<int>& type_ids,
                                      int k,
                                      const std::vector<char>& taken) {
  std::vector<int> slot(type_names_.size(), -1);
  for (std::size_t i = 0; i < type_ids.size(); ++i) {
    slot[type_ids[i]] = static_cast<int>(i);
  }
  std::vector<int> have(type_ids.size(), 0);
  int short_types = static_cast<int>(type_ids.size());
  std::vector<int> chosen;

  // Fisher-Yates, one step per visited candidate.
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    std::size_t j = i + uniform_below(rng_, candidates.size() - i);
    std::swap(candidates[i], candidates[j]);
    int s = candidates[i];
    if (taken[s]) continue;
    bool helps = false, fits = true;
    for (const auto& [t, n] : mentions_[s]) {
      if (slot[t] < 0) continue;  // relabelled to "O"
      fits = fits && have[slot[t]] + n <= 2 * k;
      helps = helps || have[slot[t]] < k;
    }
    if (!helps || !fits) continue;

    chosen.push_back(s);
    for (const auto& [t, n] : mentions_[s]) {
      if (slot[t] < 0) continue;
      if (have[slot[t]] < k && have[slot[t]] + n >= k) --short_types;
      have[slot[t]] += n;
    }
    if (short_types == 0) return chosen;
  }
  return {};
}

Sentence EpisodeSampler::episode_sentence(
    int index, const std::vector<std::string>& types) const {
  Sentence s = sentences_[index];
  for (auto& label : s.labels) {
    if (label != "O" &&
        std::find(types.begin(), types.end(), label) == types.end()) {
      label = "O";
    }
  }
  return s;
}

Episode EpisodeSampler::next() {
  const int n = options_.ways;
  for (int draw = 0; draw < options_.max_type_draws; ++draw) {
    // N distinct types: the first N steps of a Fisher-Yates shuffle
    std::vector<int> pool = eligible_ids_;
    for (int i = 0; i < n; ++i) {
      std::swap(pool[i], pool[i + uniform_below(rng_, pool.size() - i)]);
    }
    std::vector<int> type_ids(pool.begin(), pool.begin() + n);

    std::vector<int> candidates = candidates_for(type_ids);
    std::vector<char> taken(sentences_.size(), 0);
    std::vector<int> support =
        fill(candidates, type_ids, options_.shots, taken);
    if (support.empty()) continue;
    for (int s : support) taken[s] = 1;
    std::vector<int> query =
        fill(candidates, type_ids, options_.query_shots, taken);
    if (query.empty()) continue;

    Episode episode;
    episode.index = episodes_made_++;
    for (int t : type_ids) episode.types.push_back(type_names_[t]);
    for (int s : support) {
      episode.support.push_back(episode_sentence(s, episode.types));
    }
    for (int s : query) {
      episode.query.push_back(episode_sentence(s, episode.types));
    }
    return episode;
  }
  fail(
      "episode sampler: episode {}: {} draws of {} types gave no complete "
      "{}~{}-shot support and {}~{}-shot query set; too few sentences have "
      "few enough mentions of the drawn types{}. Mentions per type: {}",
      episodes_made_,
      options_.max_type_draws,
      n,
      options_.shots,
      2 * options_.shots,
      options_.query_shots,
      2 * options_.query_shots,
      options_.relabel_other_types
          ? ""
          : " (sentences with a type outside the episode are never drawn; "
            "relabelling those types as O allows them)",
      count_list(total_));
}

std::vector<Episode> sample_episodes(std::vector<Sentence> sentences,
                                     std::size_t count,
                                     const SamplerOptions& options) {
  EpisodeSampler sampler(std::move(sentences), options);
  std::vector<Episode> episodes;
  for (std::size_t i = 0; i < count; ++i) episodes.push_back(sampler.next());
  return episodes;
}

}  // namespace gaussner
