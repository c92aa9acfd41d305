// Tag prefixes of the BIO/BIOES family and their mapping to IO labels.
#pragma once

#include <string>

namespace gaussner {

// A tag split into its scheme prefix and entity type: "B-PER" is
// {'B', "PER"}; "O" and bare IO types ("person-actor") have prefix 0.
struct Tag {
  char prefix = 0;   // 'B', 'I', 'E', 'S' or 0 for none
  std::string type;  // "PER", "O", "person-actor"; empty when malformed
};

// Splits `tag` without validating it: a one-letter B/I/E/S prefix followed
// by '-' is a prefix, anything else is a bare type.
Tag parse_tag(const std::string& tag);

// True when `tag` is "O" or a type with an optional prefix; false for an
// empty tag, a prefix without a type ("B-") and a prefixed "O" ("B-O").
bool well_formed_tag(const std::string& tag);

// The IO label of `tag` ("B-PER" -> "PER", "O" -> "O", "PER" -> "PER").
// Throws Error for a malformed tag.
std::string io_label(const std::string& tag);

}  // namespace gaussner
