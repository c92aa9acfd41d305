#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>

#include "io/line_reader.h"
#include "text/basic_tokenizer.h"
#include "text/unicode.h"
#include "util/error.h"

namespace gaussner {
namespace {

namespace fs = std::filesystem;

// Hugging Face's max_input_chars_per_word: longer words become [UNK].
constexpr std::size_t kMaxWordChars = 100;
constexpr const char* kUnkToken = "[UNK]";

// do_lower_case from a tokenizer_config.json; empty when the file or the
// field is absent.
std::optional<bool> read_do_lower_case(const fs::path& path) {
  if (!fs::exists(path)) return std::nullopt;
  std::ifstream in(path);
  if (!in) fail("{}: cannot open for reading", path.string());
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path.string(), e.what());
  }
  if (!config.is_object() || !config.contains("do_lower_case")) {
    return std::nullopt;
  }
  const auto& value = config["do_lower_case"];
  if (!value.is_boolean()) {
    fail("{}: do_lower_case is {}: expected true or false",
         path.string(),
         value.dump());
  }
  return value.get<bool>();
}

// A vocabulary is cased when some ordinary token has a letter with a
// lower-case form (bert-base-uncased has none, though it has U+211D).
bool vocab_is_uncased(const std::vector<std::string>& tokens) {
  std::u32string chars;
  for (const auto& token : tokens) {
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
      continue;  // [CLS], [unused0], ...
    }
    chars.clear();
    unicode::decode_utf8(token, chars);
    for (char32_t c : chars) {
      if (unicode::has_lower(c)) return false;
    }
  }
  return true;
}

}  // namespace

// Buffers reused across words and calls (one set per thread), so that
// tokenizing a word does not allocate except for its output.
struct Tokenizer::Scratch {
  std::u32string chars;        // the decoded input
  std::u32string lowered;      // a segment after per-character lower-casing
  WordList words;              // basic words of a segment
  std::string utf8;            // the word being matched, as UTF-8
  std::vector<size_t> starts;  // byte offset of each character, plus end
  std::string key;             // candidate piece ("##" + substring)
  std::vector<int64_t> pieces;
};

Tokenizer Tokenizer::load(const std::string& vocab_path, bool lower_case) {
  Tokenizer tokenizer;
  tokenizer.vocab_path_ = vocab_path;
  tokenizer.read_vocab();
  tokenizer.lower_case_ = lower_case;
  return tokenizer;
}

Tokenizer Tokenizer::load(const std::string& vocab_path) {
  Tokenizer tokenizer;
  tokenizer.vocab_path_ = vocab_path;
  tokenizer.read_vocab();
  tokenizer.lower_case_ = vocab_is_uncased(tokenizer.tokens_);
  return tokenizer;
}

Tokenizer Tokenizer::from_model_dir(const std::string& dir) {
  if (!fs::is_directory(dir)) {
    fail("{}: model directory not found (expected a folder with vocab.txt)",
         dir);
  }
  fs::path vocab = fs::path(dir) / "vocab.txt";
  if (!fs::exists(vocab)) {
    fail("{}: no vocab.txt in the model directory", vocab.string());
  }
  auto lower_case = read_do_lower_case(fs::path(dir) / "tokenizer_config.json");
  return lower_case ? load(vocab.string(), *lower_case) : load(vocab.string());
}

void Tokenizer::read_vocab() {
  if (fs::is_directory(vocab_path_)) {
    fail("{}: is a directory: expected a vocab.txt file", vocab_path_);
  }
  LineReader reader(vocab_path_);
  std::string line;
  while (reader.next(line)) {
    auto number = reader.line_number();
    if (line.empty()) {
      fail("{}:{}: empty line: expected one token per line",
           vocab_path_,
           number);
    }
    if (!unicode::is_valid_utf8(line)) {
      fail("{}:{}: token is not valid UTF-8", vocab_path_, number);
    }
    auto [it, inserted] =
        ids_.emplace(line, static_cast<int64_t>(tokens_.size()));
    if (!inserted) {
      fail(
          "{}:{}: duplicate token '{}' (first on line {}): expected each "
          "token once",
          vocab_path_,
          number,
          line,
          it->second + 1);
    }
    max_token_bytes_ = std::max(max_token_bytes_, line.size());
    tokens_.push_back(line);
  }
  if (tokens_.empty()) {
    fail("{}: vocabulary is empty: expected one token per line", vocab_path_);
  }

  auto required = [this](const char* token) {
    auto it = ids_.find(token);
    if (it == ids_.end()) {
      fail(
          "{}: vocabulary has no {} token: expected [PAD], [UNK], [CLS] and "
          "[SEP] (is this a BERT vocab.txt?)",
          vocab_path_,
          token);
    }
    return it->second;
  };
  pad_id_ = required("[PAD]");
  unk_id_ = required(kUnkToken);
  cls_id_ = required("[CLS]");
  sep_id_ = required("[SEP]");
}

std::vector<std::string> Tokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  run(text, &tokens, nullptr);
  return tokens;
}

std::vector<std::string> Tokenizer::tokenize_word(
    const std::string& word) const {
  return tokenize(word);
}

std::vector<int64_t> Tokenizer::word_ids(const std::string& word) const {
  std::vector<int64_t> ids;
  run(word, nullptr, &ids);
  return ids;
}

std::vector<int64_t> Tokenizer::ids(
    const std::vector<std::string>& tokens) const {
  std::vector<int64_t> out;
  out.reserve(tokens.size());
  for (const auto& token : tokens) out.push_back(id(token));
  return out;
}

int64_t Tokenizer::id(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? unk_id_ : it->second;
}

void Tokenizer::run(const std::string& text,
                    std::vector<std::string>* tokens,
                    std::vector<int64_t>* ids) const {
  thread_local Scratch scratch;
  scratch.chars.clear();
  unicode::decode_utf8(text, scratch.chars);
  std::u32string_view view(scratch.chars);

  // special tokens are cut out of the raw text first; the text between
  // them is tokenized on its own
  std::size_t start = 0;
  std::size_t pos = 0;
  while (pos < view.size()) {
    std::size_t length = special_token_at(view, pos);
    if (length == 0) {
      ++pos;
      continue;
    }
    run_segment(view.substr(start, pos - start), scratch, tokens, ids);
    auto special = unicode::to_utf8(view.substr(pos, length));
    if (tokens) tokens->push_back(special);
    if (ids) ids->push_back(id(special));
    pos += length;
    start = pos;
  }
  run_segment(view.substr(start), scratch, tokens, ids);
}

void Tokenizer::run_segment(std::u32string_view segment,
                            Scratch& scratch,
                            std::vector<std::string>* tokens,
                            std::vector<int64_t>* ids) const {
  if (segment.empty()) return;

  // Hugging Face lower-cases the raw text one character at a time before
  // anything else, so Greek final sigma is never applied
  if (lower_case_) {
    scratch.lowered.clear();
    for (char32_t c : segment) unicode::append_lower(c, scratch.lowered);
    segment = scratch.lowered;
  }

  scratch.words.clear();
  basic_split(segment, lower_case_, scratch.words);
  for (std::size_t i = 0; i < scratch.words.size(); ++i) {
    word_piece(scratch.words[i], scratch, tokens, ids);
  }
}

void Tokenizer::word_piece(std::u32string_view word,
                           Scratch& scratch,
                           std::vector<std::string>* tokens,
                           std::vector<int64_t>* ids) const {
  if (word.size() > kMaxWordChars) {
    emit(unk_id_, tokens, ids);
    return;
  }

  scratch.utf8.clear();
  scratch.starts.clear();
  for (char32_t c : word) {
    scratch.starts.push_back(scratch.utf8.size());
    unicode::append_utf8(c, scratch.utf8);
  }
  scratch.starts.push_back(scratch.utf8.size());

  // longest vocabulary entry from each start; one miss makes the whole
  // word [UNK]
  scratch.pieces.clear();
  std::size_t start = 0;
  while (start < word.size()) {
    std::size_t prefix = start > 0 ? 2 : 0;
    std::size_t end = word.size();
    int64_t found = -1;
    for (; end > start; --end) {
      std::size_t bytes = scratch.starts[end] - scratch.starts[start];
      if (prefix + bytes > max_token_bytes_) continue;
      scratch.key.assign(prefix > 0 ? "##" : "");
      scratch.key.append(scratch.utf8, scratch.starts[start], bytes);
      auto it = ids_.find(scratch.key);
      if (it != ids_.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) {
      emit(unk_id_, tokens, ids);
      return;
    }
    scratch.pieces.push_back(found);
    start = end;
  }
  for (int64_t id : scratch.pieces) emit(id, tokens, ids);
}

void Tokenizer::emit(int64_t id,
                     std::vector<std::string>* tokens,
                     std::vector<int64_t>* ids) const {
  if (tokens) tokens->push_back(tokens_[static_cast<std::size_t>(id)]);
  if (ids) ids->push_back(id);
}

}  // namespace gaussner
