#include "text/basic_tokenizer.h"

#include <algorithm>

#include "text/unicode.h"

namespace gaussner {
namespace {

// Deletes NUL, U+FFFD and control characters, turns whitespace into
// spaces and puts spaces around CJK ideographs.
void clean_text(std::u32string_view text, std::u32string& out) {
  out.clear();
  out.reserve(text.size() + 8);
  for (char32_t c : text) {
    if (c == 0 || c == 0xFFFD || unicode::is_control(c)) continue;
    if (unicode::is_bert_whitespace(c)) {
      out.push_back(U' ');
    } else if (unicode::is_cjk_ideograph(c)) {
      out.push_back(U' ');
      out.push_back(c);
      out.push_back(U' ');
    } else {
      out.push_back(c);
    }
  }
}

// Each punctuation character becomes a word of its own.
void split_on_punctuation(std::u32string_view word, WordList& words) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (!unicode::is_punctuation(word[i])) continue;
    if (i > start) words.push_back(word.substr(start, i - start));
    words.push_back(word.substr(i, 1));
    start = i + 1;
  }
  if (word.size() > start) words.push_back(word.substr(start));
}

// Lower-cases, decomposes and drops non-spacing marks (into `out`).
void lower_and_strip_accents(std::u32string_view word, std::u32string& out) {
  out.clear();
  for (char32_t c : word) unicode::append_lower(c, out);
  unicode::to_nfd(out);
  out.erase(std::remove_if(out.begin(), out.end(), unicode::is_nonspacing_mark),
            out.end());
}

bool is_special_token(std::u32string_view word) {
  return !word.empty() && word.front() == U'[' &&
         special_token_at(word, 0) == word.size();
}

}  // namespace

std::u32string_view WordList::operator[](std::size_t i) const {
  std::size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::u32string_view(chars_).substr(begin, ends_[i] - begin);
}

void WordList::clear() {
  chars_.clear();
  ends_.clear();
}

void WordList::push_back(std::u32string_view word) {
  chars_.append(word);
  ends_.push_back(chars_.size());
}

const std::vector<std::u32string>& special_tokens() {
  static const std::vector<std::u32string> kTokens = {
      U"[CLS]", U"[SEP]", U"[PAD]", U"[UNK]", U"[MASK]"};
  return kTokens;
}

std::size_t special_token_at(std::u32string_view text, std::size_t pos) {
  if (pos >= text.size() || text[pos] != U'[') return 0;
  for (const auto& token : special_tokens()) {
    if (text.substr(pos, token.size()) == token) return token.size();
  }
  return 0;
}

void basic_split(std::u32string_view text, bool lower_case, WordList& words) {
  // buffers kept per thread so that short texts do not allocate
  thread_local std::u32string cleaned;
  thread_local std::u32string lowered;
  clean_text(text, cleaned);
  unicode::to_nfc(cleaned);

  // whitespace split as Python's str.split(), which also splits on the
  // line and paragraph separators that clean-up keeps
  std::u32string_view view(cleaned);
  std::size_t i = 0;
  while (i < view.size()) {
    if (unicode::is_python_space(view[i])) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < view.size() && !unicode::is_python_space(view[end])) ++end;
    auto word = view.substr(i, end - i);
    i = end;

    if (is_special_token(word)) {
      words.push_back(word);
    } else if (lower_case) {
      lower_and_strip_accents(word, lowered);
      split_on_punctuation(lowered, words);
    } else {
      split_on_punctuation(word, words);
    }
  }
}

}  // namespace gaussner
