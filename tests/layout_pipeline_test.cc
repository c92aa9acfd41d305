// Documents through the LayoutLM path: reading, training, tagging, and the
// checks between boxes and the encoder kind.
#include <gtest/gtest.h>

#include "infer/tagger.h"
#include "io/sentence_reader.h"
#include "model_fixture.h"
#include "train/trainer.h"

namespace gaussner {
namespace {

std::string example_forms() {
  return testing::source_dir() + "/data/docs/example_forms.jsonl";
}

TEST(LayoutPipeline, DocumentsAreDetectedSplitAndCarryBoxes) {
  InputSentences input = read_input(example_forms());
  EXPECT_EQ(input.format, "documents");
  ASSERT_FALSE(input.sentences.empty());
  for (const auto& s : input.sentences) {
    ASSERT_TRUE(s.has_boxes()) << s.source;
    ASSERT_EQ(s.boxes.size(), s.words.size());
    ASSERT_TRUE(s.labelled());
  }
}

TEST(LayoutPipeline, LayoutLmTrainsAndTagsDocuments) {
  auto sentences = read_input(example_forms()).sentences;
  ContainerModel model = testing::tiny_model(2, "layoutlm");
  model.labels = LabelSet::from_sentences(sentences);
  TrainOptions options;
  options.batch_size = 4;
  options.epochs = 10;
  options.max_steps = 3;
  options.quiet = true;
  TrainResult result = train(model, sentences, options);
  EXPECT_EQ(result.steps, 3);

  Tagger tagger(model, sentences, model.labels);
  auto tagged = tagger.tag(sentences);
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    // Each support word is its own nearest neighbour.
    EXPECT_EQ(tagged[i].labels, sentences[i].labels) << sentences[i].source;
  }
}

TEST(LayoutPipeline, LayoutLmWithoutBoxesIsAClearError) {
  auto sentences = read_input(example_forms()).sentences;
  ContainerModel model = testing::tiny_model(2, "layoutlm");
  model.labels = LabelSet::from_sentences(sentences);
  sentences[0].boxes.clear();
  sentences[0].source = "plain.txt:7";
  TrainOptions options;
  options.quiet = true;
  EXPECT_THROW_WITH(train(model, sentences, options), "plain.txt:7");
  EXPECT_THROW_WITH(Tagger(model, sentences, model.labels), "LayoutLM");
}

TEST(LayoutPipeline, BertIgnoresBoxes) {
  auto sentences = read_input(example_forms()).sentences;
  ContainerModel model = testing::tiny_model(2, "bert");
  LabelSet labels = LabelSet::from_sentences(sentences);
  Tagger with_boxes(model, sentences, labels);
  auto a = with_boxes.tag(sentences);
  for (auto& s : sentences) s.boxes.clear();
  Tagger without_boxes(model, sentences, labels);
  auto b = without_boxes.tag(sentences);
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    EXPECT_EQ(a[i].labels, b[i].labels);
  }
}

}  // namespace
}  // namespace gaussner
