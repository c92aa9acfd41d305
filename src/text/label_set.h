// The label inventory: "O" is always id 0, entity types follow.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "text/sentence.h"

namespace gaussner {

class LabelSet {
 public:
  // A set holding only "O".
  LabelSet();

  // "O" plus `names` in the given order ("O" in `names` is skipped).
  explicit LabelSet(const std::vector<std::string>& names);

  // Every label of `sentences`, "O" first, the others sorted by name.
  static LabelSet from_sentences(const std::vector<Sentence>& sentences);

  // One label per line ("O" optional, blank lines ignored); BIO/BIOES names
  // map to their IO type (B-PER and I-PER give PER). A repeated line is an
  // error; errors name the file and line.
  static LabelSet from_file(const std::string& path);

  // Adds a label if new; returns its id.
  int64_t add(const std::string& name);

  // The id of `name`, or -1 when absent.
  int64_t find(const std::string& name) const;

  // The id of `name`; an Error naming `where` and the known labels when
  // absent (never a silent "O").
  int64_t at(const std::string& name, const std::string& where) const;

  const std::string& name(int64_t id) const { return names_.at(id); }
  const std::vector<std::string>& names() const { return names_; }
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace gaussner
