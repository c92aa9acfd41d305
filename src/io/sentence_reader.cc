#include "io/sentence_reader.h"

#include <nlohmann/json.hpp>

#include <filesystem>

#include "io/column_file.h"
#include "io/document.h"
#include "io/document_split.h"
#include "io/funsd.h"
#include "io/line_reader.h"
#include "util/error.h"

namespace gaussner {

namespace {

std::string sniff_format(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path) || fs::path(path).extension() == ".json") {
    return "funsd";
  }
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line[first] != '{') return "column";
    auto j = nlohmann::json::parse(line, nullptr, false);
    return j.is_object() && j.contains("page") ? "documents" : "jsonl";
  }
  return "column";
}

std::vector<Sentence> read_document_input(const std::string& path,
                                          const std::string& format,
                                          const InputOptions& options) {
  std::vector<Document> documents;
  if (format == "documents") {
    documents = read_documents(path);
  } else {
    PageSizes sizes;
    FunsdOptions funsd;
    funsd.keep_other = options.keep_other;
    if (!options.page_sizes.empty()) {
      sizes = read_page_sizes(options.page_sizes);
      funsd.sizes = &sizes;
    }
    documents = std::filesystem::is_directory(path)
                    ? read_funsd_folder(path, funsd)
                    : std::vector<Document>{read_funsd(path, funsd)};
  }
  SplitOptions split;
  split.max_words = options.max_words;
  return split_documents(documents, split);
}

}  // namespace

Box parse_layout_box(const nlohmann::json& j,
                     const std::string& what,
                     const std::string& where) {
  bool ok = j.is_array() && j.size() == 4;
  for (std::size_t k = 0; ok && k < 4; ++k) ok = j[k].is_number_integer();
  Box b;
  if (ok) {
    b = {j[0].get<int32_t>(),
         j[1].get<int32_t>(),
         j[2].get<int32_t>(),
         j[3].get<int32_t>()};
    ok = b.x0 >= 0 && b.y0 >= 0 && b.x0 <= b.x1 && b.y0 <= b.y1 &&
         b.x1 <= 1000 && b.y1 <= 1000;
  }
  if (!ok) {
    fail(
        "{}: {} box {}: expected [x0, y0, x1, y1] with 0 <= x0 <= x1 "
        "<= 1000 and 0 <= y0 <= y1 <= 1000",
        where,
        what,
        j.dump());
  }
  return b;
}

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
      s.boxes.push_back(
          parse_layout_box(boxes[i], fmt::format("word {}", i), where));
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
  if (format == "documents" || format == "funsd") {
    out.sentences = read_document_input(path, format, options);
    return out;
  }
  if (format != "jsonl" && format != "text") {
    fail(
        "{}: input format '{}' is not one of auto, column, jsonl, text, "
        "documents, funsd",
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
