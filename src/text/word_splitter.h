// Splits plain text into words for tagging, keeping character offsets.
#pragma once

#include <string>
#include <vector>

namespace gaussner {

// A word of a text line with its offsets in Unicode code points
// ([char_start, char_end), counted from the start of the line).
struct TextWord {
  std::string text;
  int char_start = 0;
  int char_end = 0;
};

// The rule: whitespace separates words; every punctuation character (ASCII
// punctuation or Unicode category P*) is a word of its own; any other run of
// characters is one word. "Dr. Smith's" -> "Dr", ".", "Smith", "'", "s".
// Invalid UTF-8 is an Error naming `where`.
std::vector<TextWord> split_words(const std::string& line,
                                  const std::string& where);

}  // namespace gaussner
