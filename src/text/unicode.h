// Unicode helpers for the tokenizer: UTF-8 coding, the character classes
// BERT's tokenizer tests, case mapping and normal forms. All character data
// comes from utf8proc's tables.
#pragma once

#include <string>
#include <string_view>

namespace gaussner::unicode {

// Decodes UTF-8 into code points (appended to `out`). Invalid UTF-8 is an
// Error naming the byte offset.
void decode_utf8(std::string_view text, std::u32string& out);

// True when `text` is valid UTF-8.
bool is_valid_utf8(std::string_view text);

// Appends the UTF-8 encoding of `c`.
void append_utf8(char32_t c, std::string& out);

// UTF-8 encoding of `text`.
std::string to_utf8(std::u32string_view text);

// BERT's control characters: general category C* except \t, \n and \r.
bool is_control(char32_t c);

// BERT's whitespace: space, \t, \n, \r and category Zs.
bool is_bert_whitespace(char32_t c);

// Python's str.isspace(): bidirectional class WS, B or S, or category Zs.
bool is_python_space(char32_t c);

// BERT's punctuation: ASCII 33-47, 58-64, 91-96, 123-126 and category P*.
bool is_punctuation(char32_t c);

// The CJK ideograph blocks BERT surrounds with spaces.
bool is_cjk_ideograph(char32_t c);

// Category Mn (non-spacing mark).
bool is_nonspacing_mark(char32_t c);

// Appends Python's str.lower() of the single character `c` (the full
// mapping: one character may give two).
void append_lower(char32_t c, std::u32string& out);

// True when the character has a lower-case form different from itself.
bool has_lower(char32_t c);

// Normalises `text` in place to NFC / NFD.
void to_nfc(std::u32string& text);
void to_nfd(std::u32string& text);

}  // namespace gaussner::unicode
