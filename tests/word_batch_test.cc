#include "model/word_batch.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

using nlohmann::json;

// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 the=4 play=5 ##ing=6 new=7 york=8.
Tokenizer small_tokenizer() {
  std::string path = testing::temp_path("vocab.txt");
  std::ofstream(path)
      << "[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\nplay\n##ing\nnew\nyork\n";
  return Tokenizer::load(path, true);
}

WordPieces pieces_of(const std::vector<int64_t>& counts) {
  WordPieces p;
  for (int64_t n : counts) {
    p.word_start.push_back(static_cast<int64_t>(p.ids.size()));
    p.word_pieces.push_back(n);
    for (int64_t k = 0; k < n; ++k) p.ids.push_back(4);
  }
  return p;
}

TEST(WordBatchTest, PiecesAndBatchByHand) {
  Tokenizer tokenizer = small_tokenizer();
  Sentence a;
  a.words = {"The", "playing", "", "New York"};
  a.boxes = {{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 9, 9, 9}, {10, 11, 12, 13}};
  WordPieces pa = piece_words(tokenizer, a.words);
  // An empty word stands as [UNK]; "New York" is one word of two pieces.
  EXPECT_EQ(pa.ids, (std::vector<int64_t>{4, 5, 6, 1, 7, 8}));
  EXPECT_EQ(pa.word_start, (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(pa.word_pieces, (std::vector<int64_t>{1, 2, 1, 2}));

  Sentence b;
  b.words = {"playing"};
  b.boxes = {{20, 30, 40, 50}};
  WordPieces pb = piece_words(tokenizer, b.words);

  // Item 0 keeps words 1..2 of a window over words 0..3.
  std::vector<BatchItem> items = {{&a, &pa, {0, 4, 1, 3}},
                                  {&b, &pb, {0, 1, 0, 1}}};
  WordBatch batch = make_word_batch(tokenizer, items, 512);
  EXPECT_TRUE(torch::equal(
      batch.input.input_ids,
      torch::tensor({{2, 4, 5, 6, 1, 7, 8, 3}, {2, 5, 6, 3, 0, 0, 0, 0}})));
  EXPECT_TRUE(torch::equal(
      batch.input.attention_mask,
      torch::tensor({{1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0, 0}})));
  EXPECT_TRUE(torch::equal(batch.input.token_type_ids,
                           torch::zeros({2, 8}, torch::kLong)));
  // Flat first-piece indices: row 0 positions 2 and 4; row 1 position 1.
  EXPECT_TRUE(torch::equal(batch.word_index, torch::tensor({2, 4, 9})));
  EXPECT_EQ(batch.kept_words, (std::vector<int64_t>{2, 1}));

  auto box = [&](int64_t row, int64_t t) {
    auto v = batch.input.bbox[row][t];
    return std::vector<int64_t>(v.data_ptr<int64_t>(),
                                v.data_ptr<int64_t>() + 4);
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(box(0, 0), (V{0, 0, 0, 0}));              // [CLS]
  EXPECT_EQ(box(0, 2), (V{5, 6, 7, 8}));              // play
  EXPECT_EQ(box(0, 3), (V{5, 6, 7, 8}));              // ##ing
  EXPECT_EQ(box(0, 7), (V{1000, 1000, 1000, 1000}));  // [SEP]
  EXPECT_EQ(box(1, 3), (V{1000, 1000, 1000, 1000}));  // [SEP]
  EXPECT_EQ(box(1, 4), (V{0, 0, 0, 0}));              // padding

  // gather_words picks those rows of B x T x H.
  auto hidden = torch::arange(2 * 8 * 3, torch::kFloat).view({2, 8, 3});
  EXPECT_TRUE(
      torch::equal(gather_words(hidden, batch.word_index),
                   torch::stack({hidden[0][2], hidden[0][4], hidden[1][1]})));

  // Mixed boxes and a window that does not fit are errors.
  Sentence c;
  c.words = {"the"};
  c.source = "c.txt:3";
  WordPieces pc = piece_words(tokenizer, c.words);
  EXPECT_THROW_WITH(
      make_word_batch(tokenizer, {items[0], {&c, &pc, {0, 1, 0, 1}}}, 512),
      "2 sentences have boxes; boxes must be given for all or none");
  EXPECT_THROW_WITH(make_word_batch(tokenizer, {{&c, &pc, {0, 2, 0, 2}}}, 512),
                    "c.txt:3: window [0, 2) keeping [0, 2) does not fit 1");
  EXPECT_THROW_WITH(make_word_batch(tokenizer, {items[0]}, 6),
                    "has 6 pieces, more than the 4 that fit");
}

TEST(WordBatchTest, WindowsKeepEveryWordOnceFromItsMostCentralWindow) {
  // By hand: ten one-piece words, four pieces a window.
  auto windows = plan_windows(pieces_of(std::vector<int64_t>(10, 1)), 4);
  ASSERT_EQ(windows.size(), 4u);
  int64_t expected[4][4] = {
      {0, 4, 0, 3}, {2, 6, 3, 5}, {4, 8, 5, 7}, {6, 10, 7, 10}};
  for (size_t j = 0; j < 4; ++j) {
    EXPECT_EQ(windows[j].begin, expected[j][0]) << j;
    EXPECT_EQ(windows[j].end, expected[j][1]) << j;
    EXPECT_EQ(windows[j].keep_begin, expected[j][2]) << j;
    EXPECT_EQ(windows[j].keep_end, expected[j][3]) << j;
  }

  // A sentence that fits is one window; so is an empty one.
  auto one = plan_windows(pieces_of({3, 1, 2}), 6);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].end, 3);
  EXPECT_EQ(one[0].keep_end, 3);
  EXPECT_EQ(plan_windows(pieces_of({}), 6).size(), 1u);

  // Long random sentences: kept ranges tile the words, every window fits
  // (a word longer than the limit counts as the limit), and every word is
  // kept where it has the most context on its poorer side.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    const int64_t limit = 8 + trial % 30;
    std::vector<int64_t> counts(300);
    for (auto& n : counts) n = 1 + rng() % 4;
    counts[17] = limit + 5;
    WordPieces p = pieces_of(counts);
    auto plan = plan_windows(p, limit);
    SCOPED_TRACE("trial " + std::to_string(trial));
    ASSERT_GT(plan.size(), 1u);
    std::vector<int> kept(counts.size(), 0);
    std::vector<int64_t> prefix = {0};
    for (int64_t n : counts)
      prefix.push_back(prefix.back() + std::min(n, limit));
    auto ctx = [&](const Window& w, int64_t i) {
      int64_t big = 1 << 30;
      int64_t left = w.begin == 0 ? big : prefix[i] - prefix[w.begin];
      int64_t right = w.end == 300 ? big : prefix[w.end] - prefix[i + 1];
      return std::min(left, right);
    };
    for (const auto& w : plan) {
      EXPECT_LE(prefix[w.end] - prefix[w.begin], limit);
      EXPECT_LT(w.keep_begin, w.keep_end);
      EXPECT_LE(w.begin, w.keep_begin);
      EXPECT_LE(w.keep_end, w.end);
      for (int64_t i = w.keep_begin; i < w.keep_end; ++i) {
        ++kept[i];
        for (const auto& other : plan) {
          if (other.begin <= i && i < other.end) {
            EXPECT_GE(ctx(w, i), ctx(other, i)) << "word " << i;
          }
        }
      }
    }
    for (size_t i = 0; i < kept.size(); ++i) ASSERT_EQ(kept[i], 1) << i;
  }
  EXPECT_THROW_WITH(plan_windows(pieces_of({1}), 0), "max_pieces is 0");
}

// Largest amount by which |ours - ref| exceeds 2e-5 + 1e-5 |ref|.
double excess(const torch::Tensor& ours, const torch::Tensor& ref) {
  EXPECT_EQ(ours.sizes(), ref.sizes());
  return ((ours - ref).abs() - (2e-5 + 1e-5 * ref.abs())).max().item<double>();
}

TEST(WordBatchTest, ReproducesLayoutLMTokenizedBatchAndItsVectors) {
  GAUSSNER_REQUIRE_SHARED("fixtures/layoutlm-tiny/manifest.json");
  std::string dir = testing::shared_dir() + "/fixtures/layoutlm-tiny";
  std::ifstream in(dir + "/manifest.json");
  json b00 = json::parse(in)["batches"][0];
  ASSERT_EQ(b00["prefix"], "b00.");
  std::vector<Sentence> sentences;
  for (size_t s = 0; s < b00["words"].size(); ++s) {
    Sentence sentence;
    sentence.words = b00["words"][s].get<std::vector<std::string>>();
    for (const auto& b : b00["word_boxes"][s]) {
      sentence.boxes.push_back({b[0].get<int32_t>(),
                                b[1].get<int32_t>(),
                                b[2].get<int32_t>(),
                                b[3].get<int32_t>()});
    }
    sentences.push_back(sentence);
  }

  // The batch Hugging Face's tokenizer made, id for id and box for box.
  Tokenizer tokenizer = Tokenizer::from_model_dir(dir);
  std::vector<WordPieces> pieces;
  for (const auto& s : sentences)
    pieces.push_back(piece_words(tokenizer, s.words));
  std::vector<BatchItem> items;
  for (size_t s = 0; s < sentences.size(); ++s) {
    auto windows = plan_windows(pieces[s], 126);
    ASSERT_EQ(windows.size(), 1u);
    items.push_back({&sentences[s], &pieces[s], windows[0]});
  }
  WordBatch batch = make_word_batch(tokenizer, items, 128);
  TensorMap refs = read_safetensors(dir + "/reference_outputs.safetensors");
  EXPECT_TRUE(torch::equal(batch.input.input_ids, refs.at("b00.input_ids")));
  EXPECT_TRUE(
      torch::equal(batch.input.attention_mask, refs.at("b00.attention_mask")));
  EXPECT_TRUE(torch::equal(batch.input.bbox, refs.at("b00.bbox")));

  // embed_words gives the reference last layer at each word's first piece,
  // whatever the batch size.
  Encoder encoder = load_encoder(dir);
  torch::NoGradGuard no_grad;
  auto expected =
      gather_words(refs.at("b00.last_hidden_state"), batch.word_index);
  for (int64_t batch_size : {1, 2}) {
    EmbedOptions options;
    options.batch_size = batch_size;
    auto vectors = embed_words(encoder, tokenizer, sentences, options);
    ASSERT_EQ(vectors.size(), 2u);
    EXPECT_EQ(vectors[0].size(0), 7);
    EXPECT_EQ(vectors[1].size(0), 3);
    EXPECT_LE(excess(torch::cat(vectors), expected), 0);
  }

  // A long sentence is windowed: every word gets a vector, and one that
  // fits in a single window matches the unwindowed pass where it is kept.
  Sentence long_sentence;
  for (int i = 0; i < 60; ++i) {
    long_sentence.words.push_back(sentences[i % 2].words[i % 3]);
    long_sentence.boxes.push_back(sentences[i % 2].boxes[i % 3]);
  }
  EmbedOptions windowed;
  windowed.max_positions = 32;
  auto long_vectors =
      embed_words(encoder, tokenizer, {long_sentence, sentences[1]}, windowed);
  EXPECT_EQ(long_vectors[0].size(0), 60);
  EXPECT_LE(excess(long_vectors[1], expected.narrow(0, 7, 3)), 0);
  EXPECT_EQ(embed_words(encoder, tokenizer, {Sentence()})[0].sizes(),
            (std::vector<int64_t>{0, 32}));
}

}  // namespace
}  // namespace gaussner
