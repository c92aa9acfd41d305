// WordPiece tokenization identical to Hugging Face's (slow) BertTokenizer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gaussner {

// Const methods may run concurrently (their buffers are per thread).
class Tokenizer {
 public:
  // Loads a vocab.txt (one token per line, id = line number). `lower_case`
  // selects the uncased pipeline (lower-casing and accent stripping).
  static Tokenizer load(const std::string& vocab_path, bool lower_case);

  // Loads a vocab.txt and infers the casing from it: uncased when no token
  // (other than [bracketed] special ones) has a letter with a lower-case
  // form.
  static Tokenizer load(const std::string& vocab_path);

  // Loads `dir`/vocab.txt; casing from tokenizer_config.json's
  // do_lower_case when present, else inferred from the vocabulary.
  static Tokenizer from_model_dir(const std::string& dir);

  // Full pipeline on raw text: clean-up, CJK spacing, NFC, (lower-casing and
  // accent stripping), punctuation split, never-split special tokens,
  // WordPiece. Equals BertTokenizer.tokenize(text).
  std::vector<std::string> tokenize(const std::string& text) const;

  // Pieces of one pre-split word (may be empty, or several basic words).
  std::vector<std::string> tokenize_word(const std::string& word) const;

  // Invalid UTF-8 in `text` or `word` is an Error naming the byte offset.

  // Piece ids of one word: ids(tokenize_word(word)).
  std::vector<int64_t> word_ids(const std::string& word) const;

  // Token -> id; unknown tokens map to [UNK].
  std::vector<int64_t> ids(const std::vector<std::string>& tokens) const;
  int64_t id(const std::string& token) const;
  const std::string& token(int64_t id) const { return tokens_.at(id); }

  int64_t cls_id() const { return cls_id_; }
  int64_t sep_id() const { return sep_id_; }
  int64_t pad_id() const { return pad_id_; }
  int64_t unk_id() const { return unk_id_; }
  std::size_t size() const { return tokens_.size(); }
  bool lower_case() const { return lower_case_; }
  const std::string& vocab_path() const { return vocab_path_; }

 private:
  struct Scratch;

  // Reads vocab_path_ into tokens_ and ids_ and finds the special ids.
  void read_vocab();
  // Runs the whole pipeline, appending tokens and/or ids (either may be
  // null).
  void run(const std::string& text,
           std::vector<std::string>* tokens,
           std::vector<int64_t>* ids) const;
  // Tokenizes the text between two special tokens.
  void run_segment(std::u32string_view segment,
                   Scratch& scratch,
                   std::vector<std::string>* tokens,
                   std::vector<int64_t>* ids) const;
  // Greedy longest-match WordPiece of one basic word.
  void word_piece(std::u32string_view word,
                  Scratch& scratch,
                  std::vector<std::string>* tokens,
                  std::vector<int64_t>* ids) const;
  void emit(int64_t id,
            std::vector<std::string>* tokens,
            std::vector<int64_t>* ids) const;

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> ids_;
  bool lower_case_ = true;
  std::string vocab_path_;
  int64_t cls_id_ = 101;
  int64_t sep_id_ = 102;
  int64_t pad_id_ = 0;
  int64_t unk_id_ = 100;
  std::size_t max_token_bytes_ = 0;  // longest token, to bound the matching
};

}  // namespace gaussner
