#include "train/trainer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/column_file.h"
#include "model/word_batch.h"
#include "model_fixture.h"
#include "train/loss.h"

namespace gaussner {
namespace {

namespace fs = std::filesystem;

std::vector<Sentence> bundled_sentences(std::size_t n) {
  auto all = read_column_file(testing::bundled_train());
  all.resize(std::min(all.size(), n));
  return all;
}

// Mean squared distance of normalised word vectors within and across
// classes, over the words of `sentences`.
std::pair<double, double> class_distances(ContainerModel& model,
                                          const std::vector<Sentence>& s,
                                          const LabelSet& labels) {
  torch::NoGradGuard no_grad;
  model.encoder->eval();
  auto vectors = embed_words(model.encoder, model.tokenizer, s);
  std::vector<int64_t> ids;
  for (const auto& sentence : s) {
    for (const auto& l : sentence.labels) ids.push_back(labels.at(l, "test"));
  }
  auto h = torch::nn::functional::normalize(
      torch::cat(vectors, 0),
      torch::nn::functional::NormalizeFuncOptions().dim(1));
  auto d = torch::cdist(h, h).pow(2);
  auto y = torch::tensor(ids);
  auto same = y.unsqueeze(0) == y.unsqueeze(1);
  auto off_diagonal = torch::eye(y.size(0)).logical_not();
  auto intra = d.masked_select(same & off_diagonal).mean().item<double>();
  auto inter = d.masked_select(same.logical_not()).mean().item<double>();
  return {intra, inter};
}

// The loss of `sentences` as one batch, eval mode (no dropout).
double eval_loss(ContainerModel& model,
                 const std::vector<Sentence>& sentences) {
  torch::NoGradGuard no_grad;
  model.encoder->eval();
  model.head->eval();
  auto vectors = embed_words(model.encoder, model.tokenizer, sentences);
  std::vector<int64_t> ids;
  for (const auto& s : sentences) {
    for (const auto& l : s.labels) ids.push_back(model.labels.at(l, "test"));
  }
  auto [mu, var] = model.head->forward(torch::cat(vectors, 0));
  return contrastive_loss(mu, var, torch::tensor(ids)).item<double>();
}

TEST(Trainer, LossFallsAndSameClassWordsEndCloser) {
  auto sentences = bundled_sentences(200);
  ContainerModel model = testing::tiny_model();
  model.labels = LabelSet::from_sentences(sentences);
  std::vector<Sentence> probe(sentences.begin(), sentences.begin() + 40);
  double before = eval_loss(model, probe);
  auto [intra_before, inter_before] =
      class_distances(model, sentences, model.labels);
  TrainOptions options;
  options.batch_size = 16;
  options.learning_rate = 1e-3;
  options.epochs = 3;
  options.log_every = 5;
  options.quiet = true;
  TrainResult result = train(model, sentences, options);

  EXPECT_EQ(result.steps, 3 * ((200 + 15) / 16));
  // Most anchors are O words, whose loss is bounded below by about
  // log |P(i)| (hundreds of O positives), so the batch loss moves little;
  // a fixed probe in eval mode shows the fall without batch noise.
  double after = eval_loss(model, probe);
  EXPECT_LT(after, before - 0.1) << "before " << before << " after " << after;
  auto [intra, inter] = class_distances(model, sentences, model.labels);
  EXPECT_LT(intra, inter) << "intra " << intra << " inter " << inter;
  // Training widened the gap between the classes.
  EXPECT_GT(inter - intra, inter_before - intra_before)
      << "before: intra " << intra_before << " inter " << inter_before;
  EXPECT_GT(model.transitions.o_o, 0);
}

TEST(Trainer, ResumedRunEqualsUninterruptedRun) {
  auto sentences = bundled_sentences(96);
  TrainOptions options;
  options.batch_size = 16;
  options.learning_rate = 1e-3;
  options.max_steps = 6;
  options.quiet = true;
  options.seed = 7;

  // Uninterrupted run; it also leaves the checkpoint of step 3, exactly
  // what an interrupted run would have left behind.
  options.checkpoint_every = 3;
  options.checkpoint_dir = testing::temp_path("ckpt");
  fs::remove_all(options.checkpoint_dir);
  ContainerModel full = testing::tiny_model();
  full.labels = LabelSet::from_sentences(sentences);
  train(full, sentences, options);
  ASSERT_TRUE(fs::exists(options.checkpoint_dir + "/state.json"));

  // A new process would start from the same initial model and resume.
  ContainerModel resumed = testing::tiny_model();
  resumed.labels = full.labels;
  TrainResult result = train(resumed, sentences, options);
  EXPECT_EQ(result.steps, 3);

  auto a = snapshot(full);
  auto b = snapshot(resumed);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    EXPECT_TRUE(torch::equal(tensor, b.at(name))) << name;
  }
}

TEST(Trainer, ResumeRefusesACheckpointOfOtherSettings) {
  auto sentences = bundled_sentences(48);
  TrainOptions options;
  options.batch_size = 16;
  options.max_steps = 2;
  options.checkpoint_every = 1;
  options.quiet = true;
  options.checkpoint_dir = testing::temp_path("ckpt");
  fs::remove_all(options.checkpoint_dir);
  ContainerModel model = testing::tiny_model();
  model.labels = LabelSet::from_sentences(sentences);
  train(model, sentences, options);
  options.batch_size = 8;
  EXPECT_THROW_WITH(train(model, sentences, options), "batch_size");
}

TEST(Trainer, UnlabelledSentenceIsAnError) {
  Sentence s;
  s.words = {"no", "labels"};
  s.source = "input.jsonl:4";
  ContainerModel model = testing::tiny_model();
  EXPECT_THROW_WITH(train(model, {s}, TrainOptions{}), "input.jsonl:4");
}

TEST(Finetune, StopsAtFirstIncreaseOrCapAndReportsSteps) {
  auto support = bundled_sentences(10);
  ContainerModel model = testing::tiny_model();
  LabelSet labels = LabelSet::from_sentences(support);
  FinetuneOptions options;
  options.max_steps = 5;
  FinetuneResult result = finetune(model, support, labels, options);
  ASSERT_FALSE(result.losses.empty());
  EXPECT_LE(result.steps, 5);
  if (result.hit_cap) {
    EXPECT_EQ(result.steps, 5);
  } else {
    // Stopped because the last loss rose above the one before it.
    ASSERT_GE(result.losses.size(), 2u);
    EXPECT_GT(result.losses.back(), result.losses[result.losses.size() - 2]);
    EXPECT_EQ(result.steps + 1, static_cast<int64_t>(result.losses.size()));
  }
  for (std::size_t i = 1; i + 1 < result.losses.size(); ++i) {
    EXPECT_LE(result.losses[i], result.losses[i - 1]);
  }
}

TEST(ModelFolder, SaveLoadRoundTripAndVersionCheck) {
  auto sentences = bundled_sentences(20);
  ContainerModel model = testing::tiny_model();
  model.labels = LabelSet::from_sentences(sentences);
  model.transitions = TransitionCounts::from_sentences(sentences);
  std::string dir = testing::temp_path("model");
  save_model(model, dir);
  save_model(model, dir);  // replacing an existing folder works too
  ContainerModel loaded = load_model(dir);
  EXPECT_TRUE(loaded.trained);
  EXPECT_EQ(loaded.labels.names(), model.labels.names());
  EXPECT_EQ(loaded.transitions.o_o, model.transitions.o_o);
  auto a = snapshot(model);
  auto b = snapshot(loaded);
  for (const auto& [name, tensor] : a) {
    EXPECT_TRUE(torch::equal(tensor, b.at(name))) << name;
  }
  for (const auto& entry :
       fs::directory_iterator(fs::path(dir).parent_path())) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos)
        << "left behind: " << entry.path();
  }

  // A folder of another format version is refused with both versions named.
  std::ofstream(dir + "/gaussner.json")
      << R"({"format": "gaussner-model", "version": 99})";
  EXPECT_THROW_WITH(load_model(dir), "version 99");
}

}  // namespace
}  // namespace gaussner
