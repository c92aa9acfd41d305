#include "io/sentence_reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_util.h"

namespace gaussner {
namespace {

TEST(SentenceReader, ParsesWordsLabelsAndBoxes) {
  Sentence s = parse_sentence_json(
      R"({"words": ["Ada", "wrote"], "labels": ["B-PER", "O"],
          "boxes": [[0, 0, 10, 10], [12, 0, 40, 10]]})",
      "in.jsonl:1");
  EXPECT_EQ(s.words, (std::vector<std::string>{"Ada", "wrote"}));
  EXPECT_EQ(s.labels, (std::vector<std::string>{"PER", "O"}));
  EXPECT_EQ(s.boxes[1], (Box{12, 0, 40, 10}));
  EXPECT_EQ(s.source, "in.jsonl:1");
}

TEST(SentenceReader, BadLinesNameTheLineAndTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"words": ["a")", "in.jsonl:3: not valid JSON"},
      {R"({"text": "a"})", "in.jsonl:3: expected an object with a \"words\""},
      {R"({"words": ["a", 1]})", "in.jsonl:3: words has a non-string 1"},
      {R"({"words": ["a"], "labels": []})", "must be a list of 1 labels"},
      {R"({"words": ["a"], "boxes": []})", "must be a list of 1 boxes"},
      {R"({"words": ["a"], "boxes": [[5, 0, 2, 9]]})",
       "in.jsonl:3: word 0 box [5,0,2,9]: expected [x0, y0, x1, y1]"},
      {R"({"words": ["a"], "boxes": [[0, 0, 10, 1001]]})", "<= 1000"},
      {R"({"words": ["a"], "boxes": [[0, 0, 1.5, 2]]})", "word 0 box"},
  };
  for (const auto& [line, needle] : cases) {
    EXPECT_THROW_WITH(parse_sentence_json(line, "in.jsonl:3"), needle);
  }
}

TEST(SentenceReader, DetectsFormatsAndRejectsUnknownOnes) {
  std::string jsonl = testing::temp_path("s.jsonl");
  std::ofstream(jsonl) << R"({"words": ["a", "b"]})"
                       << "\n\n";
  EXPECT_EQ(read_input(jsonl).format, "jsonl");
  std::string text = testing::temp_path("s.txt");
  std::ofstream(text) << "Hello, world\n";
  InputOptions options;
  options.format = "text";
  InputSentences in = read_input(text, options);
  ASSERT_EQ(in.sentences.size(), 1u);
  EXPECT_EQ(in.sentences[0].words.size(), 3u);
  options.format = "yaml";
  EXPECT_THROW_WITH(read_input(text, options), "'yaml' is not one of");
}

}  // namespace
}  // namespace gaussner
