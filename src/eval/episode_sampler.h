// Few-NERD's greedy N-way K~2K-shot episode sampler (Ding et al., 2021,
// section 4.1) over any collection of IO-labelled sentences.
//
// A mention is a maximal run of words with one non-"O" label. For each
// episode: draw N types among those with at least K + Q mentions; visit the
// candidate sentences in random order and add a sentence to the support set
// when it brings a type that still has fewer than K mentions and pushes no
// type past 2K; stop once every type has K. The query set is drawn the same
// way (Q~2Q) from the candidates not in the support set.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "io/episodes.h"
#include "text/sentence.h"

namespace gaussner {

struct SamplerOptions {
  int ways = 5;         // N: entity types per episode
  int shots = 1;        // K: support mentions per type, K to 2K
  int query_shots = 0;  // Q: query mentions per type, Q to 2Q; 0 = K (Few-NERD)
  uint64_t seed = 1;    // episodes are a function of the data and the seed
  // false (Few-NERD): a sentence with a type outside the episode's N is
  // never drawn. true: such sentences may be drawn, those labels become "O".
  bool relabel_other_types = false;
  // Type draws tried for one episode before giving up with an Error.
  int max_type_draws = 100;
};

class EpisodeSampler {
 public:
  // Counts the mentions of every sentence. Errors: an unlabelled sentence
  // (naming its source), ways/shots < 1, fewer than N types with K + Q
  // mentions (listing the counts).
  EpisodeSampler(std::vector<Sentence> sentences, SamplerOptions options);

  // Samples the next episode; an Error when no draw of types gives a
  // complete support and query set within max_type_draws tries.
  Episode next();

  // Types that may be drawn (>= K + Q mentions), sorted by name.
  const std::vector<std::string>& eligible_types() const { return eligible_; }

  // Mentions of every type in the whole collection.
  const std::map<std::string, int>& mention_counts() const { return total_; }

 private:
  // Greedy K~2K selection from `candidates` (shuffled in place); indices of
  // the chosen sentences, empty when the candidates run out first.
  std::vector<int> fill(std::vector<int>& candidates,
                        const std::vector<int>& type_ids,
                        int k,
                        const std::vector<char>& taken);
  std::vector<int> candidates_for(const std::vector<int>& type_ids) const;
  Sentence episode_sentence(int index,
                            const std::vector<std::string>& types) const;

  std::vector<Sentence> sentences_;
  SamplerOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::string> type_names_;  // every type, sorted
  // Per sentence: (type id, mentions), ascending type id.
  std::vector<std::vector<std::pair<int, int>>> mentions_;
  std::vector<std::vector<int>> sentences_with_type_;  // by type id
  std::map<std::string, int> total_;
  std::vector<std::string> eligible_;
  std::vector<int> eligible_ids_;
  std::size_t episodes_made_ = 0;
};

// `count` episodes from one sampler.
std::vector<Episode> sample_episodes(std::vector<Sentence> sentences,
                                     std::size_t count,
                                     const SamplerOptions& options);

// A uniform integer in [0, n) from the generator's raw output (rejection
// sampling), identical on every standard library, unlike
// std::uniform_int_distribution.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n);

}  // namespace gaussner
