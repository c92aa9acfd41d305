#include "io/episodes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

const char* kGood =
    R"({"support": {"word": [["ada", "lovelace", "wrote"], ["in", "paris"]],)"
    R"( "label": [["person", "person", "O"], ["O", "city"]]},)"
    R"( "query": {"word": [["rome"]], "label": [["city"]]},)"
    R"( "types": ["person", "city"]})";

TEST(Episodes, ReadsGoodFileAndRoundTrips) {
  std::string path = testing::temp_path("good.jsonl");
  std::ofstream(path) << kGood << "\n\n" << kGood << "\n";
  std::vector<Episode> episodes = read_episodes(path);
  ASSERT_EQ(episodes.size(), 2u);
  const Episode& e = episodes[0];
  EXPECT_EQ(e.index, 0u);
  EXPECT_EQ(episodes[1].index, 2u);  // blank line skipped, index = line
  EXPECT_EQ(e.types, (std::vector<std::string>{"person", "city"}));
  ASSERT_EQ(e.support.size(), 2u);
  EXPECT_EQ(e.support[0].words,
            (std::vector<std::string>{"ada", "lovelace", "wrote"}));
  EXPECT_EQ(e.support[1].labels, (std::vector<std::string>{"O", "city"}));
  EXPECT_FALSE(e.support[0].has_boxes());
  EXPECT_EQ(e.query[0].words, (std::vector<std::string>{"rome"}));

  // serialised in Few-NERD's key order, and read back unchanged
  std::string json = episode_to_json(e);
  EXPECT_EQ(json.find("\"support\""), 1u);
  EXPECT_EQ(json.find("\"box\""), std::string::npos);
  Episode again = parse_episode(json, "memory", 0);
  EXPECT_EQ(again.types, e.types);
  EXPECT_EQ(again.support[0].labels, e.support[0].labels);
  EXPECT_EQ(again.query[0].labels, e.query[0].labels);
}

TEST(Episodes, BoxesAndBioLabelsRoundTrip) {
  std::string line =
      R"({"support": {"word": [["Date:", "1/2/99"]],)"
      R"( "label": [["B-question", "answer"]],)"
      R"( "box": [[[10, 20, 60, 35], [70, 20, 130, 35]]]},)"
      R"( "query": {"word": [["Name"]], "label": [["question"]],)"
      R"( "box": [[[0, 0, 1000, 1000]]]},)"
      R"( "types": ["question", "answer"]})";
  Episode e = parse_episode(line, "boxes.jsonl", 4);
  EXPECT_EQ(e.support[0].labels,
            (std::vector<std::string>{"question", "answer"}));
  ASSERT_TRUE(e.support[0].has_boxes());
  EXPECT_EQ(e.support[0].boxes[1], (Box{70, 20, 130, 35}));
  EXPECT_EQ(e.query[0].boxes[0], (Box{0, 0, 1000, 1000}));

  Episode again = parse_episode(episode_to_json(e), "memory", 0);
  EXPECT_EQ(again.support[0].boxes, e.support[0].boxes);
  EXPECT_EQ(again.query[0].boxes, e.query[0].boxes);
  EXPECT_EQ(again.support[0].labels, e.support[0].labels);
}

TEST(Episodes, BadEpisodesNameIndexAndField) {
  const std::string s = R"("support": {"word": [["a", "b"]], )";
  const std::string q = R"("query": {"word": [["c"]], "label": [["O"]]}, )";
  const std::string t = R"("types": ["x"]})";
  struct Case {
    std::string line;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"{\"support\": ", "episode 7 (line 8): JSON: malformed"},
      {"[1, 2]", "JSON: expected an object"},
      {"{" + q + t, "support: missing field \"support\""},
      {"{" + s + R"("label": [["x", "O"]]}, )" + t,
       "query: missing field \"query\""},
      {"{" + s + R"("label": [["x", "O"]]}, )" + q + "\"t\": 1}",
       "types: missing field \"types\""},
      {R"({"support": {"label": [["x"]]}, )" + q + t,
       "support: missing field \"word\""},
      {R"({"support": {"word": [["a"]]}, )" + q + t,
       "support: missing field \"label\""},
      {"{" + s + R"("label": [["x"]]}, )" + q + t,
       "support[0]: sentence 0 has 2 words but 1 labels"},
      {"{" + s + R"("label": [["x", "O"], ["O"]]}, )" + q + t,
       "support: 1 word lists but 2 label lists"},
      {"{" + s + R"("label": [["x", "person"]]}, )" + q + t,
       "support.label[0][1]: label \"person\" is not \"O\" nor one of"},
      {R"({"support": {"word": [], "label": []}, )" + q + t,
       "support: the support set is empty"},
      {"{" + s + R"("label": [["x", "O"]]}, )" +
           R"("query": {"word": [["c"]], "label": [["y"]]}, )" + t,
       "query.label[0][0]: label \"y\""},
      {"{" + s + R"("label": [["x", "O"]]}, )" + q + R"("types": []})",
       "types: expected at least one type"},
      {"{" + s + R"("label": [["x", "O"]]}, )" + q + R"("types": ["x", "x"]})",
       "type \"x\" is listed twice"},
      {"{" + s + R"("label": [["x", 3]]}, )" + q + t,
       "support.label[0][1]: expected a string, got 3"},
      {"{" + s + R"("label": [["x", "O"]], "box": [[[0, 0, 5, 5]]]}, )" + q + t,
       "support[0]: sentence 0 has 2 words but 2 labels and 1 boxes"},
      {"{" + s +
           R"("label": [["x", "O"]], "box": [[[0,0,5,5], [0,0,5,1001]]]}, )" +
           q + t,
       "support.box[0][1]: expected integers in 0..1000, got [0,0,5,1001]"},
      {"{" + s +
           R"("label": [["x", "O"]], "box": [[[0,0,5,5], [9,0,5,5]]]}, )" + q +
           t,
       "support.box[0][1]: expected x0 <= x1"},
      {"{" + s + R"("label": [["x", "O"]], "box": [[[0,0,5]]]}, )" + q + t,
       "expected [x0, y0, x1, y1]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    EXPECT_THROW_WITH(parse_episode(c.line, "bad.jsonl", 7), c.needle);
    EXPECT_THROW_WITH(parse_episode(c.line, "bad.jsonl", 7), "bad.jsonl");
  }
}

TEST(Episodes, ReadEpisodesNamesLineOfBadEpisode) {
  std::string path = testing::temp_path("third_bad.jsonl");
  std::ofstream(path) << kGood << "\n" << kGood << "\n{\"support\": 1}\n";
  EXPECT_THROW_WITH(read_episodes(path), "third_bad.jsonl: episode 2");
  EXPECT_THROW_WITH(read_episodes(path + ".missing"), "third_bad.jsonl");
}

TEST(Episodes, ReadsFewNerdInterDevFile) {
  // the bundled slice: the first 100 episodes of the same file
  std::vector<Episode> first = read_episodes(
      testing::source_dir() + "/data/few-nerd/inter-dev-5-1-first100.jsonl");
  ASSERT_EQ(first.size(), 100u);
  for (const auto& e : first) EXPECT_EQ(e.types.size(), 5u);

  GAUSSNER_REQUIRE_SHARED("data/few-nerd/episodes/inter/dev_5_1.jsonl");
  std::vector<Episode> episodes = read_episodes(
      testing::shared_dir() + "/data/few-nerd/episodes/inter/dev_5_1.jsonl");
  ASSERT_EQ(episodes.size(), 1000u);
  std::size_t support = 0, query = 0;
  for (const auto& e : episodes) {
    EXPECT_EQ(e.types.size(), 5u);
    support += e.support.size();
    query += e.query.size();
  }
  // counts stated in the data README
  EXPECT_EQ(support, 4947u);
  EXPECT_EQ(query, 4953u);
  EXPECT_EQ(episode_to_json(episodes[99]), episode_to_json(first[99]));
}

}  // namespace
}  // namespace gaussner
