// From words to encoder input and back: each word is represented by its
// first piece (METHOD.md section 1); long sentences are split into windows.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/encoder.h"
#include "text/sentence.h"
#include "text/tokenizer.h"

namespace gaussner {

// One sentence's pieces, without [CLS]/[SEP].
struct WordPieces {
  std::vector<int64_t> ids;         // pieces of all words, in order
  std::vector<int64_t> word_start;  // W: index in `ids` of a word's first piece
  std::vector<int64_t> word_pieces;  // W: piece count (>= 1: a word with no
                                     // piece is represented by [UNK])
};

// Tokenizes each word on its own (as tokenizer(words,
// is_split_into_words=True) does).
WordPieces piece_words(const Tokenizer& tokenizer,
                       const std::vector<std::string>& words);

// Words [begin, end) of a sentence encoded together; the vectors of words
// [keep_begin, keep_end) are taken from this window.
struct Window {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t keep_begin = 0;
  int64_t keep_end = 0;
};

// Splits a sentence whose pieces exceed `max_pieces` (the encoder limit
// minus [CLS] and [SEP]) into overlapping windows so that every word is
// kept exactly once, from the window where it has the most context on both
// sides. A sentence that fits gives one window. A single word longer than
// the limit is truncated to its first pieces (its first piece is what
// counts).
std::vector<Window> plan_windows(const WordPieces& pieces, int64_t max_pieces);

// One padded batch and where each kept word's first piece sits in it.
struct WordBatch {
  EncoderInput input;        // B x T: [CLS] pieces [SEP] + padding; bbox set
                             // when the items have boxes
  torch::Tensor word_index;  // N int64: flat index b * T + t of each kept
                             // word's first piece, items in order
  std::vector<int64_t> kept_words;  // per item, number of words kept
};

// One item of a batch: a window of a sentence.
struct BatchItem {
  const Sentence* sentence = nullptr;
  const WordPieces* pieces = nullptr;
  Window window;
};

// Builds the batch, padded only to its own longest item. Every piece of a
// word carries the word's box; [CLS] (0,0,0,0), [SEP] (1000,1000,1000,1000),
// padding zeros (METHOD.md section 2).
WordBatch make_word_batch(const Tokenizer& tokenizer,
                          const std::vector<BatchItem>& items,
                          int64_t max_positions);

// Word vectors of `hidden` (B x T x H): N x H in the batch's word order.
torch::Tensor gather_words(const torch::Tensor& hidden,
                           const torch::Tensor& word_index);

struct EmbedOptions {
  int64_t batch_size = 32;    // sentences (windows) per forward pass
  int64_t max_positions = 0;  // 0 = the encoder's max_position_embeddings
  bool use_boxes = true;      // feed boxes to a LayoutLM encoder
};

// Embeds every word of every sentence with the encoder as it is (call
// eval() and NoGradGuard outside as needed): one W x H tensor per sentence,
// long sentences windowed, items grouped by length to keep padding small.
std::vector<torch::Tensor> embed_words(Encoder& encoder,
                                       const Tokenizer& tokenizer,
                                       const std::vector<Sentence>& sentences,
                                       const EmbedOptions& options = {});

}  // namespace gaussner
