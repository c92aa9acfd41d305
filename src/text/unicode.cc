#include "text/unicode.h"

#include <utf8proc.h>

#include <algorithm>
#include <vector>

#include "util/error.h"

namespace gaussner::unicode {
namespace {

using Int32 = utf8proc_int32_t;

// The options utf8proc_NFC uses, split into its two passes.
constexpr auto kDecompose =
    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
constexpr auto kCompose =
    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);

utf8proc_category_t category(char32_t c) {
  return utf8proc_category(static_cast<Int32>(c));
}

// Decoded length of the UTF-8 sequence at `data`, storing the code point;
// negative when the bytes there are not valid UTF-8.
std::ptrdiff_t next_code_point(const char* data,
                               std::size_t size,
                               char32_t& c) {
  auto first = static_cast<unsigned char>(*data);
  if (first < 0x80) {
    c = first;
    return 1;
  }
  Int32 value = 0;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(data),
                            static_cast<utf8proc_ssize_t>(size),
                            &value);
  c = static_cast<char32_t>(value);
  return n;
}

// Puts each maximal run of combining marks into canonical order (stable by
// combining class), as canonical decomposition requires.
void reorder_marks(std::vector<Int32>& text) {
  auto ccc = [](Int32 c) { return utf8proc_get_property(c)->combining_class; };
  std::size_t i = 0;
  while (i < text.size()) {
    if (ccc(text[i]) == 0) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < text.size() && ccc(text[end]) != 0) ++end;
    std::stable_sort(text.begin() + i,
                     text.begin() + end,
                     [&](Int32 a, Int32 b) { return ccc(a) < ccc(b); });
    i = end;
  }
}

// Full canonical decomposition of `text`, in canonical order.
std::vector<Int32> decompose(const std::u32string& text) {
  std::vector<Int32> out;
  out.reserve(text.size() + 8);
  Int32 buffer[16];
  for (char32_t c : text) {
    int boundclass = 0;
    auto n = utf8proc_decompose_char(
        static_cast<Int32>(c), buffer, 16, kDecompose, &boundclass);
    if (n < 0 || n > 16) {
      fail("[unicode] cannot decompose U+{:04X}: {}",
           static_cast<uint32_t>(c),
           n < 0 ? utf8proc_errmsg(n) : "decomposition too long");
    }
    out.insert(out.end(), buffer, buffer + n);
  }
  reorder_marks(out);
  return out;
}

void assign(std::u32string& text, const std::vector<Int32>& code_points) {
  text.resize(code_points.size());
  std::transform(
      code_points.begin(), code_points.end(), text.begin(), [](Int32 c) {
        return static_cast<char32_t>(c);
      });
}

bool all_below(const std::u32string& text, char32_t limit) {
  return std::all_of(
      text.begin(), text.end(), [limit](char32_t c) { return c < limit; });
}

}  // namespace

void decode_utf8(std::string_view text, std::u32string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t c = 0;
    auto n = next_code_point(text.data() + i, text.size() - i, c);
    if (n <= 0) {
      fail(
          "invalid UTF-8 at byte {} (byte value 0x{:02X}): expected UTF-8 "
          "text",
          i,
          static_cast<unsigned char>(text[i]));
    }
    out.push_back(c);
    i += static_cast<std::size_t>(n);
  }
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t c = 0;
    auto n = next_code_point(text.data() + i, text.size() - i, c);
    if (n <= 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

void append_utf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
    return;
  }
  utf8proc_uint8_t bytes[4];
  auto n = utf8proc_encode_char(static_cast<Int32>(c), bytes);
  out.append(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(n));
}

std::string to_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) append_utf8(c, out);
  return out;
}

bool is_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (category(c)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

bool is_bert_whitespace(char32_t c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  return category(c) == UTF8PROC_CATEGORY_ZS;
}

bool is_python_space(char32_t c) {
  if (c == ' ') return true;
  if (c < 0x80 && !(c >= '\t' && c <= '\r') && !(c >= 0x1C && c <= 0x1F)) {
    return false;  // fast path for the common ASCII characters
  }
  auto bidi = utf8proc_get_property(static_cast<Int32>(c))->bidi_class;
  return bidi == UTF8PROC_BIDI_CLASS_WS || bidi == UTF8PROC_BIDI_CLASS_B ||
         bidi == UTF8PROC_BIDI_CLASS_S || category(c) == UTF8PROC_CATEGORY_ZS;
}

bool is_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126)) {
    return true;
  }
  if (c < 0x80) return false;
  switch (category(c)) {
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

bool is_cjk_ideograph(char32_t c) {
  // The blocks BERT's original code lists (CJK Unified Ideographs and
  // extensions A-E, compatibility ideographs and their supplement).
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_nonspacing_mark(char32_t c) {
  return c >= 0x300 && category(c) == UTF8PROC_CATEGORY_MN;
}

void append_lower(char32_t c, std::u32string& out) {
  if (c < 0x80) {
    out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    return;
  }
  // utf8proc has only the one-to-one mappings; SpecialCasing.txt has a
  // single unconditional lower-case mapping longer than one character
  // (Python applies it): capital I with dot above -> i + combining dot.
  if (c == 0x130) {
    out.push_back(U'i');
    out.push_back(0x307);
    return;
  }
  out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<Int32>(c))));
}

bool has_lower(char32_t c) {
  return c == 0x130 ||
         utf8proc_tolower(static_cast<Int32>(c)) != static_cast<Int32>(c);
}

void to_nfc(std::u32string& text) {
  // Nothing below U+0300 decomposes to something else or composes.
  if (all_below(text, 0x300)) return;
  auto code_points = decompose(text);
  auto n = utf8proc_normalize_utf32(
      code_points.data(),
      static_cast<utf8proc_ssize_t>(code_points.size()),
      kCompose);
  if (n < 0) {
    fail("[unicode] NFC composition failed: {}", utf8proc_errmsg(n));
  }
  code_points.resize(static_cast<std::size_t>(n));
  assign(text, code_points);
}

void to_nfd(std::u32string& text) {
  // The first character with a canonical decomposition is U+00C0.
  if (all_below(text, 0xC0)) return;
  assign(text, decompose(text));
}

}  // namespace gaussner::unicode
