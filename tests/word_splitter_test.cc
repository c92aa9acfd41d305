#include "text/word_splitter.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

TEST(WordSplitter, SplitsAtSpacesAndPunctuationWithOffsets) {
  struct Case {
    std::string text;
    std::vector<std::string> words;
    std::vector<std::pair<int, int>> offsets;
  };
  const std::vector<Case> cases = {
      {"Dr. Smith's",
       {"Dr", ".", "Smith", "'", "s"},
       {{0, 2}, {2, 3}, {4, 9}, {9, 10}, {10, 11}}},
      {"  two  spaces ", {"two", "spaces"}, {{2, 5}, {7, 13}}},
      {"café «x»", {"café", "«", "x", "»"}, {{0, 4}, {5, 6}, {6, 7}, {7, 8}}},
      {"", {}, {}},
      {"a\tb", {"a", "b"}, {{0, 1}, {2, 3}}},
  };
  for (const auto& c : cases) {
    auto words = split_words(c.text, "case");
    ASSERT_EQ(words.size(), c.words.size()) << c.text;
    for (std::size_t i = 0; i < words.size(); ++i) {
      EXPECT_EQ(words[i].text, c.words[i]) << c.text;
      EXPECT_EQ(words[i].char_start, c.offsets[i].first) << c.text;
      EXPECT_EQ(words[i].char_end, c.offsets[i].second) << c.text;
    }
  }
}

TEST(WordSplitter, InvalidUtf8NamesWhere) {
  EXPECT_THROW_WITH(split_words("ok \xff bad", "in.txt:3"), "in.txt:3");
}

}  // namespace
}  // namespace gaussner
