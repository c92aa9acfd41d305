#include "text/word_splitter.h"

#include <utf8proc.h>

#include "text/unicode.h"
#include "util/error.h"

namespace gaussner {

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
    if (unicode::is_python_space(static_cast<char32_t>(c))) {
      in_word = false;
    } else if (unicode::is_punctuation(static_cast<char32_t>(c))) {
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
