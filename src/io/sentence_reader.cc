#include "io/sentence_reader.h"

#include <nlohmann/json.hpp>

#include "io/column_file.h"
#include "io/line_reader.h"
#include "util/error.h"

namespace gaussner {

namespace {

std::string sniff_format(const std::string& path) {
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    return line[first] == '{' ? "jsonl" : "column";
  }
  return "column";
}

Box parse_box(const nlohmann::json& j,
              const std::string& where,
              std::size_t index) {
  if (!j.is_array() || j.size() != 4) {
    fail("{}: boxes[{}] is {}, expected [x0, y0, x1, y1]",
         where,
         index,
         j.dump());
  }
  int v[4];
  for (int k = 0; k < 4; ++k) {
    if (!j[k].is_number()) {
      fail("{}: boxes[{}] has a non-number {}", where, index, j[k].dump());
    }
    v[k] = static_cast<int>(j[k].get<double>());
  }
  Box b{v[0], v[1], v[2], v[3]};
  if (b.x0 < 0 || b.y0 < 0 || b.x1 > 1000 || b.y1 > 1000 || b.x1 < b.x0 ||
      b.y1 < b.y0) {
    fail(
        "{}: boxes[{}] = {} is outside 0..1000 or inverted (need 0 <= x0 "
        "<= x1 <= 1000 and 0 <= y0 <= y1 <= 1000)",
        where,
        index,
        j.dump());
  }
  return b;
}

}  // namespace

Sentence parse_sentence_json(const std::string& line,
                             const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON ({})", where, e.what());
  }
  if (!j.is_object() || !j.contains("words") || !j["words"].is_array()) {
    fail("{}: expected an object with a \"words\" list", where);
  }
  Sentence s;
  s.source = where;
  for (const auto& w : j["words"]) {
    if (!w.is_string()) fail("{}: words has a non-string {}", where, w.dump());
    s.words.push_back(w.get<std::string>());
  }
  if (j.contains("labels")) {
    const auto& labels = j["labels"];
    if (!labels.is_array() || labels.size() != s.words.size()) {
      fail("{}: \"labels\" must be a list of {} labels (one per word), got {}",
           where,
           s.words.size(),
           labels.is_array() ? std::to_string(labels.size()) : labels.dump());
    }
    for (const auto& l : labels) {
      if (!l.is_string())
        fail("{}: labels has a non-string {}", where, l.dump());
      s.labels.push_back(to_io(l.get<std::string>()));
    }
  }
  if (j.contains("boxes")) {
    const auto& boxes = j["boxes"];
    if (!boxes.is_array() || boxes.size() != s.words.size()) {
      fail("{}: \"boxes\" must be a list of {} boxes (one per word)",
           where,
           s.words.size());
    }
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      s.boxes.push_back(parse_box(boxes[i], where, i));
    }
  }
  return s;
}

InputSentences read_input(const std::string& path,
                          const InputOptions& options) {
  InputSentences out;
  std::string format = options.format;
  if (format == "auto") format = path == "-" ? "jsonl" : sniff_format(path);
  out.format = format;
  if (format == "column") {
    out.sentences = read_column_file(path, options.column);
    return out;
  }
  if (format != "jsonl" && format != "text") {
    fail("{}: input format '{}' is not one of auto, column, jsonl, text",
         path,
         format);
  }
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) {
    std::string where =
        reader.path() + ":" + std::to_string(reader.line_number());
    if (format == "jsonl") {
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      out.sentences.push_back(parse_sentence_json(line, where));
      continue;
    }
    Sentence s;
    s.source = where;
    out.offsets.push_back(split_words(line, where));
    for (const auto& w : out.offsets.back()) s.words.push_back(w.text);
    out.sentences.push_back(std::move(s));
  }
  return out;
}

}  // namespace gaussner
