#include "eval/episode_sampler.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

// Sentence i mentions type kTypes[i % 5]; every other sentence also
// mentions the next type; every seventh holds three mentions of its type.
const std::vector<std::string> kTypes = {"art", "bird", "city", "dish", "era"};

std::vector<Sentence> collection(int count = 60) {
  std::vector<Sentence> out;
  for (int i = 0; i < count; ++i) {
    Sentence s;
    s.source = "s" + std::to_string(i);
    auto add = [&](const std::string& label, int n) {
      for (int k = 0; k < n; ++k) {
        s.words.push_back("w" + std::to_string(s.words.size()));
        s.labels.push_back(label);
      }
    };
    add("O", 2);
    add(kTypes[i % 5], 2);
    if (i % 7 == 0) {
      add("O", 1);
      add(kTypes[i % 5], 1);
      add("O", 1);
      add(kTypes[i % 5], 1);
    }
    if (i % 2 == 1) {
      add("O", 1);
      add(kTypes[(i + 1) % 5], 1);
    }
    add("O", 1);
    s.boxes.assign(s.words.size(), Box{1, 2, 3, 4});
    out.push_back(s);
  }
  return out;
}

std::map<std::string, int> mentions(const std::vector<Sentence>& set) {
  std::map<std::string, int> counts;
  for (const auto& s : set) {
    for (std::size_t i = 0; i < s.labels.size(); ++i) {
      if (s.labels[i] != "O" && (i == 0 || s.labels[i - 1] != s.labels[i])) {
        ++counts[s.labels[i]];
      }
    }
  }
  return counts;
}

void check_set(const std::vector<Sentence>& set,
               const std::vector<std::string>& types,
               int k) {
  std::map<std::string, int> counts = mentions(set);
  EXPECT_EQ(counts.size(), types.size());  // no type outside the episode
  for (const auto& type : types) {
    EXPECT_GE(counts[type], k) << type;
    EXPECT_LE(counts[type], 2 * k) << type;
  }
}

TEST(EpisodeSampler, KeepsKTo2KAndMapsOtherTypes) {
  const std::vector<Sentence> data = collection();
  std::map<std::string, const Sentence*> by_source;
  for (const auto& s : data) by_source[s.source] = &s;

  for (bool relabel : {false, true}) {
    for (auto [ways, shots, query] :
         {std::tuple{2, 1, 0}, std::tuple{3, 2, 1}, std::tuple{5, 1, 2}}) {
      SCOPED_TRACE(::testing::Message() << "relabel " << relabel << " ways "
                                        << ways << " shots " << shots);
      SamplerOptions options;
      options.ways = ways;
      options.shots = shots;
      options.query_shots = query;
      options.relabel_other_types = relabel;
      options.seed = 11;
      int relabelled = 0;
      for (const Episode& e : sample_episodes(data, 40, options)) {
        ASSERT_EQ(static_cast<int>(e.types.size()), ways);
        EXPECT_EQ(std::set<std::string>(e.types.begin(), e.types.end()).size(),
                  e.types.size());
        check_set(e.support, e.types, shots);
        check_set(e.query, e.types, query == 0 ? shots : query);

        std::set<std::string> support_sources;
        for (const auto& s : e.support) support_sources.insert(s.source);
        EXPECT_EQ(support_sources.size(), e.support.size());
        for (const auto& s : e.query) {
          EXPECT_FALSE(support_sources.count(s.source)) << s.source;
        }
        // labels outside the episode's types become O, others are kept;
        // without relabelling no sentence had any to change
        for (const auto* set : {&e.support, &e.query}) {
          for (const Sentence& s : *set) {
            const Sentence& original = *by_source.at(s.source);
            EXPECT_EQ(s.words, original.words);
            EXPECT_EQ(s.boxes, original.boxes);
            for (std::size_t i = 0; i < s.size(); ++i) {
              bool in = std::count(
                  e.types.begin(), e.types.end(), original.labels[i]);
              EXPECT_EQ(s.labels[i], in ? original.labels[i] : "O");
              relabelled += !in && original.labels[i] != "O";
            }
          }
        }
      }
      if (relabel && ways < 5) {
        EXPECT_GT(relabelled, 0);
      } else {
        EXPECT_EQ(relabelled, 0);
      }
    }
  }
}

TEST(EpisodeSampler, SameSeedSameEpisodesOtherSeedOthers) {
  SamplerOptions options;
  options.ways = 3;
  options.shots = 1;
  auto json = [&](uint64_t seed) {
    options.seed = seed;
    std::string out;
    for (const auto& e : sample_episodes(collection(), 20, options)) {
      out += episode_to_json(e) + "\n";
    }
    return out;
  };
  std::string first = json(7);
  EXPECT_EQ(first, json(7));
  EXPECT_NE(first, json(8));
  EXPECT_NE(first.find("\"box\""), std::string::npos);  // boxes carried
}

TEST(EpisodeSampler, ImpossibleRequestsFailClearly) {
  SamplerOptions options;
  options.ways = 6;
  EXPECT_THROW_WITH(EpisodeSampler(collection(), options),
                    "6-way episodes need 6 types with at least 2 mentions "
                    "each (1 support + 1 query), but 5 have that many; "
                    "mentions per type: art");
  options.ways = 2;
  options.shots = 40;
  EXPECT_THROW_WITH(EpisodeSampler(collection(), options), "but 0 have");
  options.shots = 0;
  EXPECT_THROW_WITH(EpisodeSampler(collection(), options), "shots 0");

  // enough mentions, but every sentence holds three of its type: no 1~2-shot
  // support set exists
  std::vector<Sentence> crowded;
  for (const auto& s : collection()) {
    if (s.source == "s0" || s.source == "s7" || s.source == "s14") {
      crowded.push_back(s);
      crowded.back().labels.assign(s.size(), "O");
      for (std::size_t i = 2; i < s.size(); i += 2) {
        crowded.back().labels[i] = "art";
      }
    }
  }
  options.shots = 1;
  options.ways = 1;
  options.max_type_draws = 5;
  EpisodeSampler sampler(crowded, options);
  EXPECT_THROW_WITH(sampler.next(),
                    "episode 0: 5 draws of 1 types gave no complete 1~2-shot");

  std::vector<Sentence> unlabelled = collection(3);
  unlabelled[1].labels.clear();
  EXPECT_THROW_WITH(EpisodeSampler(unlabelled, options), "sentence 1 (s1) has");
  std::vector<Sentence> bio = collection(3);
  bio[2].labels[2] = "B-art";
  EXPECT_THROW_WITH(EpisodeSampler(bio, options),
                    "sentence 2 (s2): label \"B-art\"; expected IO");
  bio[2].labels[2] = "";
  EXPECT_THROW_WITH(EpisodeSampler(bio, options), "label \"\"; expected IO");
}

TEST(EpisodeSampler, UniformBelowIsUnbiased) {
  std::mt19937_64 rng(3);
  std::vector<int> histogram(5, 0);
  for (int i = 0; i < 50000; ++i) ++histogram[uniform_below(rng, 5)];
  for (int count : histogram) {
    EXPECT_NEAR(count, 10000, 400);  // ~4.5 standard deviations
  }
  EXPECT_EQ(uniform_below(rng, 1), 0u);
  EXPECT_THROW_WITH(uniform_below(rng, 0), "positive");
}

}  // namespace
}  // namespace gaussner
