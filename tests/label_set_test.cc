#include "text/label_set.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

using Names = std::vector<std::string>;

TEST(LabelSet, IdsOrderAndLookup) {
  LabelSet empty;
  EXPECT_EQ(empty.names(), Names{"O"});

  LabelSet given(Names{"PER", "O", "LOC"});
  EXPECT_EQ(given.names(), (Names{"O", "PER", "LOC"}));
  EXPECT_EQ(given.find("O"), 0);
  EXPECT_EQ(given.find("LOC"), 2);
  EXPECT_EQ(given.find("ORG"), -1);
  EXPECT_EQ(given.add("PER"), 1);
  EXPECT_EQ(given.add("ORG"), 3);
  EXPECT_EQ(given.size(), 4u);
  EXPECT_EQ(given.at("ORG", "here"), 3);
  EXPECT_THROW_WITH(given.at("MISC", "episode 7"),
                    "episode 7: unknown label 'MISC'; known labels: O, PER, "
                    "LOC, ORG");

  Sentence a{{"x", "y"}, {"zeta", "O"}, {}, ""};
  Sentence b{{"x", "y", "z"}, {"alpha", "zeta", "beta"}, {}, ""};
  Sentence unlabelled{{"w"}, {}, {}, ""};
  EXPECT_EQ(LabelSet::from_sentences({a, unlabelled, b}).names(),
            (Names{"O", "alpha", "beta", "zeta"}));
}

TEST(LabelSet, UnknownLabelMessageElidesLongLists) {
  Names many;
  for (int i = 0; i < 40; ++i) many.push_back("type" + std::to_string(i));
  LabelSet labels(many);
  EXPECT_THROW_WITH(labels.at("nope", "f.txt:3"), "'nope'");
  EXPECT_THROW_WITH(labels.at("nope", "f.txt:3"), "O, type0, type1");
  EXPECT_THROW_WITH(labels.at("nope", "f.txt:3"), "... (41 in all)");
}

TEST(LabelSet, FromFileAndItsErrors) {
  std::string good = testing::temp_path("good.txt");
  // Blank lines, surrounding blanks, CRLF and no final newline are fine.
  std::ofstream(good) << "O\n\nperson-actor\r\n  art-film \t\n\nevent-other";
  EXPECT_EQ(LabelSet::from_file(good).names(),
            (Names{"O", "person-actor", "art-film", "event-other"}));

  std::string bio = testing::temp_path("bio.txt");
  std::ofstream(bio) << "B-person\nI-person\nB-location\nI-location\nO\n";
  EXPECT_EQ(LabelSet::from_file(bio).names(),
            (Names{"O", "person", "location"}));

  struct Case {
    std::string text;
    std::string needle;
  };
  std::vector<Case> cases = {
      {"O\nPER\nLOC\nPER\n", ":4: duplicate label 'PER'"},
      {"O\nO\n", ":2: duplicate label 'O'"},
      {"PER\nNEW YORK\n", ":2: label 'NEW YORK' contains whitespace"},
      {"PER\n\nB-\n", ":3: label 'B-' is malformed"},
      {"\n \n", ": no labels found"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string path = testing::temp_path("bad" + std::to_string(i) + ".txt");
    std::ofstream(path) << cases[i].text;
    EXPECT_THROW_WITH(LabelSet::from_file(path), path + cases[i].needle);
  }
  EXPECT_THROW_WITH(LabelSet::from_file("/nonexistent/labels.txt"),
                    "/nonexistent/labels.txt");
}

TEST(LabelSet, ReadsSharedLabelFiles) {
  GAUSSNER_REQUIRE_SHARED("data/few-nerd/labels/labels.txt");
  std::string data = testing::shared_dir() + "/data/";
  LabelSet fine = LabelSet::from_file(data + "few-nerd/labels/labels.txt");
  EXPECT_EQ(fine.size(), 67u);  // README: O plus 66 fine types
  EXPECT_GE(fine.find("location-GPE"), 1);
  // 13 labels: O plus B-/I- of 6 types.
  LabelSet wnut = LabelSet::from_file(data +
                                      "wnut17/container-support-sets/"
                                      "labels-wnut.txt");
  EXPECT_EQ(wnut.names(),
            (Names{"O",
                   "corporation",
                   "creative-work",
                   "group",
                   "location",
                   "person",
                   "product"}));
}

}  // namespace
}  // namespace gaussner
