#include "text/label_set.h"

#include <algorithm>
#include <set>

#include "io/line_reader.h"
#include "text/tags.h"
#include "util/error.h"

namespace gaussner {

namespace {

constexpr char kOutside[] = "O";
// How many labels an "unknown label" message lists before eliding.
constexpr std::size_t kListedLabels = 12;

std::string trim(const std::string& text) {
  const char* blanks = " \t";
  std::size_t begin = text.find_first_not_of(blanks);
  if (begin == std::string::npos) return "";
  std::size_t end = text.find_last_not_of(blanks);
  return text.substr(begin, end - begin + 1);
}

// "O, PER, LOC" or "O, PER, ... (40 in all)".
std::string list_labels(const std::vector<std::string>& names) {
  std::string out;
  std::size_t shown = std::min(names.size(), kListedLabels);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (shown < names.size()) {
    out += fmt::format(", ... ({} in all)", names.size());
  }
  return out;
}

}  // namespace

LabelSet::LabelSet() {
  add(kOutside);
}

LabelSet::LabelSet(const std::vector<std::string>& names) : LabelSet() {
  for (const auto& name : names) add(name);
}

LabelSet LabelSet::from_sentences(const std::vector<Sentence>& sentences) {
  std::set<std::string> seen;
  for (const auto& sentence : sentences) {
    seen.insert(sentence.labels.begin(), sentence.labels.end());
  }
  // std::set iterates in name order; "O" is skipped by the constructor.
  return LabelSet(std::vector<std::string>(seen.begin(), seen.end()));
}

LabelSet LabelSet::from_file(const std::string& path) {
  LineReader reader(path);
  LabelSet labels;
  std::set<std::string> lines_seen;
  std::string line;
  while (reader.next(line)) {
    std::string label = trim(line);
    if (label.empty()) continue;
    std::string where = fmt::format("{}:{}", path, reader.line_number());
    if (label.find_first_of(" \t") != std::string::npos) {
      fail("{}: label '{}' contains whitespace; expected one label per line",
           where,
           label);
    }
    if (!well_formed_tag(label)) {
      fail(
          "{}: label '{}' is malformed; expected O, a type, or "
          "B-/I-/E-/S- followed by a type",
          where,
          label);
    }
    if (!lines_seen.insert(label).second) {
      fail("{}: duplicate label '{}'", where, label);
    }
    // BIO/BIOES label lists (B-PER, I-PER) give their IO type once.
    labels.add(io_label(label));
  }
  if (lines_seen.empty()) {
    fail("{}: no labels found; expected one label per line", path);
  }
  return labels;
}

int64_t LabelSet::add(const std::string& name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  int64_t id = static_cast<int64_t>(names_.size());
  names_.push_back(name);
  ids_.emplace(name, id);
  return id;
}

int64_t LabelSet::find(const std::string& name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? -1 : it->second;
}

int64_t LabelSet::at(const std::string& name, const std::string& where) const {
  int64_t id = find(name);
  if (id < 0) {
    fail("{}: unknown label '{}'; known labels: {}",
         where,
         name,
         list_labels(names_));
  }
  return id;
}

}  // namespace gaussner
