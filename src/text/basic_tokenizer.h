// BERT's basic tokenizer: everything that happens to text before WordPiece
// (clean-up, CJK spacing, NFC, whitespace split, lower-casing and accent
// stripping, punctuation split), as Hugging Face's BasicTokenizer does it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gaussner {

// Words held in one buffer with end offsets, so that splitting a sentence
// does not allocate once per word.
class WordList {
 public:
  std::size_t size() const { return ends_.size(); }
  std::u32string_view operator[](std::size_t i) const;
  void clear();
  void push_back(std::u32string_view word);

 private:
  std::u32string chars_;
  std::vector<std::size_t> ends_;
};

// BERT's special tokens ([CLS] [SEP] [PAD] [UNK] [MASK]): never split,
// never lower-cased, recognised even when glued to other text.
const std::vector<std::u32string>& special_tokens();

// Length of the special token starting at text[pos], or 0 when none does.
std::size_t special_token_at(std::u32string_view text, std::size_t pos);

// Appends the words of `text` to `words`. With `lower_case`, each word
// (except a special token) is lower-cased, decomposed (NFD) and stripped of
// its non-spacing marks. Words never contain whitespace and are never empty.
void basic_split(std::u32string_view text, bool lower_case, WordList& words);

}  // namespace gaussner
