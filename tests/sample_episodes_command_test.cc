// `gaussner sample-episodes` end to end: column, document and FUNSD input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "io/episodes.h"
#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

// Runs the CLI; returns its exit status, stderr in `errors`.
int run_cli(const std::string& args, std::string* errors = nullptr) {
  std::string err = testing::temp_path("stderr.txt");
  std::string command =
      testing::binary() + " sample-episodes " + args + " > /dev/null 2> " + err;
  int status = std::system(command.c_str());
  if (errors) {
    std::stringstream text;
    text << std::ifstream(err).rdbuf();
    *errors = text.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SampleEpisodesCommand, WritesEpisodesFromEachFormat) {
  std::string out = testing::temp_path("episodes.jsonl");
  std::string data = testing::source_dir() + "/data";
  struct Case {
    std::string args;
    std::size_t ways;
    bool boxes;
  };
  const std::vector<Case> cases = {
      {"--data " + data + "/few-nerd/inter-train-5k.txt.gz --ways 5", 5, false},
      {"--data " + data + "/docs/example_forms.jsonl --ways 2 --max-words 4",
       2,
       true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    ASSERT_EQ(run_cli(c.args + " --count 20 --seed 4 --out " + out), 0);
    std::vector<Episode> episodes = read_episodes(out);
    ASSERT_EQ(episodes.size(), 20u);
    for (const auto& e : episodes) {
      EXPECT_EQ(e.types.size(), c.ways);
      EXPECT_EQ(e.support.front().has_boxes(), c.boxes);
    }
  }

  std::string errors;
  EXPECT_EQ(run_cli("--data " + data + "/docs/example_forms.jsonl --ways 4 " +
                        "--out " + out,
                    &errors),
            1);
  EXPECT_NE(errors.find("4-way episodes need 4 types"), std::string::npos)
      << errors;
}

TEST(SampleEpisodesCommand, ReadsFunsdFolder) {
  GAUSSNER_REQUIRE_SHARED("data/funsd/testing_data/annotations");
  std::string funsd = testing::shared_dir() + "/data/funsd";
  std::string out = testing::temp_path("funsd.jsonl");
  ASSERT_EQ(run_cli("--data " + funsd + "/testing_data/annotations --ways 3 " +
                    "--page-sizes " + funsd +
                    "/layoutlm-format/test_image.txt --count 10 --out " + out),
            0);
  std::vector<Episode> episodes = read_episodes(out);
  ASSERT_EQ(episodes.size(), 10u);
  EXPECT_TRUE(episodes[0].query.front().has_boxes());
}

}  // namespace
}  // namespace gaussner
