#include "text/word_splitter.h"

#include <utf8proc.h>

#include "util/error.h"

namespace gaussner {

namespace {

bool is_space(utf8proc_int32_t c) {
  auto category = utf8proc_category(c);
  return c == '\t' || c == '\n' || c == '\r' || c == ' ' ||
         category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP;
}

bool is_punctuation(utf8proc_int32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126)) {
    return true;
  }
  switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<TextWord> split_words(const std::string& line,
                                  const std::string& where) {
  std::vector<TextWord> words;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(line.data());
  utf8proc_ssize_t size = static_cast<utf8proc_ssize_t>(line.size());
  utf8proc_ssize_t pos = 0;
  int chars = 0;
  bool in_word = false;
  while (pos < size) {
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + pos, size - pos, &c);
    if (n < 0) {
      fail("{}: invalid UTF-8 at byte {}", where, static_cast<long long>(pos));
    }
    std::string text = line.substr(pos, n);
    if (is_space(c)) {
      in_word = false;
    } else if (is_punctuation(c)) {
      words.push_back({text, chars, chars + 1});
      in_word = false;
    } else if (in_word) {
      words.back().text += text;
      words.back().char_end = chars + 1;
    } else {
      words.push_back({text, chars, chars + 1});
      in_word = true;
    }
    pos += n;
    ++chars;
  }
  return words;
}

}  // namespace gaussner
