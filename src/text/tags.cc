#include "text/tags.h"

#include "util/error.h"

namespace gaussner {

namespace {

bool is_prefix_letter(char c) {
  return c == 'B' || c == 'I' || c == 'E' || c == 'S';
}

}  // namespace

Tag parse_tag(const std::string& tag) {
  if (tag.size() >= 2 && tag[1] == '-' && is_prefix_letter(tag[0])) {
    return Tag{tag[0], tag.substr(2)};
  }
  return Tag{0, tag};
}

bool well_formed_tag(const std::string& tag) {
  Tag parsed = parse_tag(tag);
  // "B-O" would make "O" an entity type.
  return !parsed.type.empty() && !(parsed.prefix != 0 && parsed.type == "O");
}

std::string io_label(const std::string& tag) {
  if (!well_formed_tag(tag)) {
    fail(
        "tag '{}' is malformed: expected O, a type, or B-/I-/E-/S- "
        "followed by a type",
        tag);
  }
  return parse_tag(tag).type;
}

}  // namespace gaussner
