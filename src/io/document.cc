#include "io/document.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>

#include "io/line_reader.h"
#include "util/error.h"

namespace gaussner {
namespace {

using nlohmann::json;

// How far past the page edge a box may reach before it is an error (scans
// and PDF extractors overshoot by a pixel or two).
constexpr double kPageTolerance = 0.01;

std::string box_text(const PageBox& b) {
  return fmt::format("[{}, {}, {}, {}]", b.x0, b.y0, b.x1, b.y1);
}

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

// Where a document line came from, for error messages.
struct LineContext {
  const std::string& path;
  std::size_t line;

  template <typename... Args>
  [[noreturn]] void fail_at(const std::string& field,
                            fmt::format_string<Args...> format,
                            Args&&... args) const {
    fail("{}:{}: {}: {}",
         path,
         line,
         field,
         fmt::format(format, std::forward<Args>(args)...));
  }
};

const json& require_array(const json& root,
                          const char* key,
                          const LineContext& context) {
  auto it = root.find(key);
  if (it == root.end()) context.fail_at(key, "missing field");
  if (!it->is_array()) {
    context.fail_at(key, "expected an array, got {}", it->dump());
  }
  return *it;
}

std::vector<std::string> parse_strings(const json& array,
                                       const char* field,
                                       const LineContext& context) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string() || blank(array[i].get<std::string>())) {
      context.fail_at(fmt::format("{}[{}]", field, i),
                      "expected a non-blank string, got {}",
                      array[i].dump());
    }
    out.push_back(array[i].get<std::string>());
  }
  return out;
}

PageBox parse_page_box(const json& value,
                       const std::string& field,
                       const LineContext& context) {
  if (!value.is_array() || value.size() != 4) {
    context.fail_at(field, "expected [x0, y0, x1, y1], got {}", value.dump());
  }
  double c[4];
  for (int k = 0; k < 4; ++k) {
    if (!value[k].is_number() || !std::isfinite(value[k].get<double>())) {
      context.fail_at(field, "expected four numbers, got {}", value.dump());
    }
    c[k] = value[k].get<double>();
  }
  return {c[0], c[1], c[2], c[3]};
}

void parse_page(const json& root, Document& doc, const LineContext& context) {
  const json& page = require_array(root, "page", context);
  bool ok = page.size() == 2 && page[0].is_number() && page[1].is_number() &&
            page[0].get<double>() > 0 && page[1].get<double>() > 0;
  if (!ok) {
    context.fail_at(
        "page", "expected [width, height], both > 0, got {}", page.dump());
  }
  doc.page_width = page[0].get<double>();
  doc.page_height = page[1].get<double>();
}

void parse_boxes(const json& root, Document& doc, const LineContext& context) {
  const json& boxes = require_array(root, "boxes", context);
  if (boxes.size() != doc.words.size()) {
    context.fail_at("boxes",
                    "{} boxes for {} words; expected one box per word",
                    boxes.size(),
                    doc.words.size());
  }
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    std::string field = fmt::format("boxes[{}]", i);
    doc.raw_boxes.push_back(parse_page_box(boxes[i], field, context));
    doc.boxes.push_back(
        normalise_box(doc.raw_boxes.back(),
                      doc.page_width,
                      doc.page_height,
                      fmt::format("{}:{}: document \"{}\": word {} (\"{}\")",
                                  context.path,
                                  context.line,
                                  doc.id,
                                  i,
                                  doc.words[i])));
  }
}

void parse_entities(const json& root,
                    Document& doc,
                    const LineContext& context) {
  if (!root.contains("entity")) return;
  const json& entity = require_array(root, "entity", context);
  if (entity.size() != doc.words.size()) {
    context.fail_at("entity",
                    "{} entries for {} words; expected one per word",
                    entity.size(),
                    doc.words.size());
  }
  for (std::size_t i = 0; i < entity.size(); ++i) {
    if (!entity[i].is_number_integer() || entity[i].get<int64_t>() < -1) {
      context.fail_at(fmt::format("entity[{}]", i),
                      "expected an integer >= -1, got {}",
                      entity[i].dump());
    }
    doc.entity.push_back(static_cast<int>(entity[i].get<int64_t>()));
  }
}

// Page coordinates are written as integers when they are whole numbers.
nlohmann::ordered_json number(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return static_cast<int64_t>(value);
  }
  return value;
}

}  // namespace

Box normalise_box(const PageBox& raw,
                  double page_width,
                  double page_height,
                  const std::string& where) {
  if (!(page_width > 0 && page_height > 0) || !std::isfinite(page_width) ||
      !std::isfinite(page_height)) {
    fail("{}: page size {} x {}: expected a positive width and height",
         where,
         page_width,
         page_height);
  }
  if (raw.x0 < 0 || raw.y0 < 0 || raw.x1 < 0 || raw.y1 < 0) {
    fail(
        "{}: box {} has a negative coordinate; expected page coordinates "
        ">= 0",
        where,
        box_text(raw));
  }
  if (raw.x1 < raw.x0 || raw.y1 < raw.y0) {
    fail("{}: box {} is inverted; expected x0 <= x1 and y0 <= y1",
         where,
         box_text(raw));
  }
  if (raw.x1 > page_width * (1 + kPageTolerance) ||
      raw.y1 > page_height * (1 + kPageTolerance)) {
    fail(
        "{}: box {} lies outside the {} x {} page (more than 1% past its "
        "edge); is the page size right?",
        where,
        box_text(raw),
        page_width,
        page_height);
  }
  auto scale = [](double v, double size) {
    double scaled = std::round(1000.0 * v / size);
    return static_cast<int32_t>(std::min(1000.0, std::max(0.0, scaled)));
  };
  return {scale(raw.x0, page_width),
          scale(raw.y0, page_height),
          scale(raw.x1, page_width),
          scale(raw.y1, page_height)};
}

void validate_document(const Document& doc, const std::string& where) {
  std::size_t n = doc.words.size();
  if (doc.boxes.size() != n ||
      (!doc.raw_boxes.empty() && doc.raw_boxes.size() != n)) {
    fail(
        "{}: document \"{}\": {} words, {} boxes and {} page boxes; "
        "expected one box per word",
        where,
        doc.id,
        n,
        doc.boxes.size(),
        doc.raw_boxes.size());
  }
  if ((!doc.labels.empty() && doc.labels.size() != n) ||
      (!doc.entity.empty() && doc.entity.size() != n)) {
    fail(
        "{}: document \"{}\": {} words, {} labels and {} entity indices; "
        "expected one per word (or none)",
        where,
        doc.id,
        n,
        doc.labels.size(),
        doc.entity.size());
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Box& b = doc.boxes[i];
    bool in_range = b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 1000 && b.y1 <= 1000 &&
                    b.x0 <= b.x1 && b.y0 <= b.y1;
    if (!in_range || blank(doc.words[i]) ||
        (!doc.labels.empty() && blank(doc.labels[i]))) {
      fail(
          "{}: document \"{}\": word {} (\"{}\", box [{}, {}, {}, {}]): "
          "expected a non-blank word and label and a box within 0..1000",
          where,
          doc.id,
          i,
          doc.words[i],
          b.x0,
          b.y0,
          b.x1,
          b.y1);
    }
  }
}

Document parse_document(const std::string& line,
                        const std::string& path,
                        std::size_t line_number) {
  LineContext context{path, line_number};
  json root;
  try {
    root = json::parse(line);
  } catch (const json::parse_error& e) {
    context.fail_at("JSON", "malformed: {}", e.what());
  }
  if (!root.is_object()) {
    context.fail_at("JSON", "expected an object, got {}", root.type_name());
  }

  Document doc;
  auto id = root.find("id");
  if (id == root.end() || !id->is_string() || id->get<std::string>().empty()) {
    context.fail_at("id",
                    "expected a non-empty string, got {}",
                    id == root.end() ? "nothing" : id->dump());
  }
  doc.id = id->get<std::string>();
  parse_page(root, doc, context);
  doc.words =
      parse_strings(require_array(root, "words", context), "words", context);
  parse_boxes(root, doc, context);
  if (root.contains("labels")) {
    doc.labels = parse_strings(
        require_array(root, "labels", context), "labels", context);
    if (doc.labels.size() != doc.words.size()) {
      context.fail_at("labels",
                      "{} labels for {} words; expected one label per word",
                      doc.labels.size(),
                      doc.words.size());
    }
  }
  parse_entities(root, doc, context);
  return doc;
}

std::vector<Document> read_documents(const std::string& path) {
  LineReader reader(path);
  std::vector<Document> documents;
  std::set<std::string> ids;
  std::string line;
  while (reader.next(line)) {
    if (blank(line)) continue;
    documents.push_back(
        parse_document(line, reader.path(), reader.line_number()));
    if (!ids.insert(documents.back().id).second) {
      fail(
          "{}:{}: id: document id \"{}\" was used before; expected unique "
          "ids",
          reader.path(),
          reader.line_number(),
          documents.back().id);
    }
  }
  return documents;
}

std::string document_to_json(const Document& doc) {
  validate_document(doc, "document_to_json");
  using ojson = nlohmann::ordered_json;
  bool raw = !doc.raw_boxes.empty();
  ojson out;
  out["id"] = doc.id;
  out["page"] =
      raw ? ojson::array({number(doc.page_width), number(doc.page_height)})
          : ojson::array({1000, 1000});
  out["words"] = doc.words;
  ojson boxes = ojson::array();
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (raw) {
      const PageBox& b = doc.raw_boxes[i];
      boxes.push_back({number(b.x0), number(b.y0), number(b.x1), number(b.y1)});
    } else {
      const Box& b = doc.boxes[i];
      boxes.push_back({b.x0, b.y0, b.x1, b.y1});
    }
  }
  out["boxes"] = std::move(boxes);
  if (doc.labelled()) out["labels"] = doc.labels;
  if (!doc.entity.empty()) out["entity"] = doc.entity;
  return out.dump();
}

void write_documents(const std::string& path,
                     const std::vector<Document>& documents) {
  std::ofstream file;
  if (path != "-") {
    file.open(path);
    if (!file) {
      fail("{}: cannot open for writing: {}", path, std::strerror(errno));
    }
  }
  std::ostream& out = path == "-" ? std::cout : file;
  for (const auto& doc : documents) out << document_to_json(doc) << '\n';
  out.flush();
  if (!out) fail("{}: write failed", path);
}

}  // namespace gaussner
