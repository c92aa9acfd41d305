// The commands end to end through the built binary: init, train, predict,
// finetune, episodes.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "model_fixture.h"

namespace gaussner {
namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int status = 0;
  std::string out;
};

// Runs `args` with the gaussner binary; stdout captured, stderr to a file.
CommandRun gaussner(const std::string& args) {
  std::string log = testing::temp_path("stderr.txt");
  std::string command =
      testing::binary() + " --threads 1 " + args + " 2>>" + log;
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.out.append(buffer.data(), n);
  }
  run.status = pclose(pipe);
  return run;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start)
      lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

// A tiny trained model folder shared by the tests of this file.
std::string trained_model() {
  static std::string dir;
  if (!dir.empty()) return dir;
  fs::path root = fs::temp_directory_path() / "gaussner_tests" /
                  ("cli_model_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  std::string encoder = (root / "encoder").string();
  CommandRun init = gaussner("init --arch bert --size tiny --seed 3 --vocab " +
                             testing::bundled_vocab() + " --out " + encoder);
  EXPECT_EQ(init.status, 0) << init.out;
  std::string model = (root / "model").string();
  CommandRun train = gaussner(
      "train --encoder " + encoder + " --train " + testing::bundled_train() +
      " --max-sentences 64 --max-steps 4 --batch-size 16 "
      "--lr 1e-3 --out " +
      model);
  EXPECT_EQ(train.status, 0) << train.out;
  auto summary = json_lines(train.out);
  EXPECT_EQ(summary.back()["steps"].get<int>(), 4);
  dir = model;
  return dir;
}

TEST(CliPipeline, PredictTagsPlainTextWithCharacterOffsets) {
  std::string model = trained_model();
  CommandRun run = gaussner(
      "predict --model " + model + " --support " + testing::source_dir() +
      "/data/examples/support.txt" + " --input " + testing::source_dir() +
      "/data/examples/query.txt --input-format text "
      "--finetune-steps 2");
  ASSERT_EQ(run.status, 0) << run.out;
  auto lines = json_lines(run.out);
  ASSERT_EQ(lines.size(), 5u);
  for (const auto& line : lines) {
    ASSERT_EQ(line["words"].size(), line["labels"].size());
    for (const auto& e : line["entities"]) {
      EXPECT_LT(e["start"].get<int>(), e["end"].get<int>());
      EXPECT_LT(e["char_start"].get<int>(), e["char_end"].get<int>());
      EXPECT_GT(e["confidence"].get<double>(), 0.0);
    }
  }
}

TEST(CliPipeline, EpisodesAreDeterministicWithAFixedSeed) {
  std::string model = trained_model();
  std::string args = "episodes --model " + model + " --episodes " +
                     testing::bundled_episodes() +
                     " --limit 3 --offset 2 --finetune-steps 3 --seed 5";
  CommandRun a = gaussner(args);
  CommandRun b = gaussner(args);
  ASSERT_EQ(a.status, 0);
  auto sa = json_lines(a.out).back();
  auto sb = json_lines(b.out).back();
  EXPECT_EQ(sa["episodes"].get<int>(), 3);
  EXPECT_EQ(sa["offset"].get<int>(), 2);
  for (const char* key : {"gold",
                          "predicted",
                          "correct",
                          "f1",
                          "f1_low",
                          "f1_high",
                          "mean_finetune_steps"}) {
    EXPECT_EQ(sa[key], sb[key]) << key;
  }
}

TEST(CliPipeline, FinetuneWritesAModelWithTheSupportLabels) {
  std::string model = trained_model();
  std::string out = testing::temp_path("tuned");
  CommandRun run = gaussner(
      "finetune --model " + model + " --support " + testing::source_dir() +
      "/data/examples/support.txt" + " --out " + out + " --finetune-steps 2");
  ASSERT_EQ(run.status, 0) << run.out;
  auto summary = json_lines(run.out).back();
  EXPECT_LE(summary["steps"].get<int>(), 2);
  ContainerModel tuned = load_model(out);
  EXPECT_EQ(tuned.labels.size(), 6u);  // O + the episode's five types
}

TEST(CliPipeline, BadInputExitsNonZeroWithTheFileInTheMessage) {
  std::string model = trained_model();
  std::string bad = testing::temp_path("bad.jsonl");
  std::ofstream(bad)
      << "{\"words\": [\"a\"]}\n{\"words\": [\"a\"], \"labels\": []}\n";
  std::string log = testing::temp_path("stderr.txt");
  fs::remove(log);
  CommandRun run = gaussner("predict --model " + model + " --support " + bad +
                            " --input " + bad);
  EXPECT_NE(run.status, 0);
  std::ifstream in(log);
  std::string message((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(message.find("bad.jsonl:2"), std::string::npos) << message;
}

}  // namespace
}  // namespace gaussner
