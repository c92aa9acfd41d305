#include "io/funsd.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/document_split.h"
#include "io/line_reader.h"
#include "util/error.h"

namespace gaussner {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

bool blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

std::string stem(const std::string& name) {
  return fs::path(name).stem().string();
}

// "name width height" or LayoutLM's "word\tbox\twidth height\timage".
bool parse_size_line(const std::string& line,
                     std::string& name,
                     double& width,
                     double& height) {
  std::vector<std::string> tabs;
  std::stringstream split(line);
  for (std::string part; std::getline(split, part, '\t');) tabs.push_back(part);
  std::istringstream fields(tabs.size() == 4 ? tabs[2] + " " + tabs[3] : line);
  std::string extra;
  if (tabs.size() == 4) {
    fields >> width >> height >> name;
  } else {
    fields >> name >> width >> height;
  }
  return !fields.fail() && !(fields >> extra) && width > 0 && height > 0;
}

// The words of one entity, validated; blank words are skipped.
void read_entity(const json& entity,
                 std::size_t e,
                 const std::string& path,
                 const FunsdOptions& options,
                 Document& doc,
                 std::vector<std::size_t>& word_in_entity) {
  std::string where = fmt::format("{}: entity {}", path, e);
  if (!entity.is_object()) {
    fail("{}: expected an object, got {}", where, entity.dump());
  }
  auto label = entity.find("label");
  if (label == entity.end() || !label->is_string()) {
    fail(
        "{}: missing or non-string \"label\"; expected header, question, "
        "answer or other",
        where);
  }
  std::string type = label->get<std::string>();
  if (type != "header" && type != "question" && type != "answer" &&
      type != "other") {
    fail("{}: label \"{}\"; expected header, question, answer or other",
         where,
         type);
  }
  if (type == "other" && !options.keep_other) type = "O";
  auto words = entity.find("words");
  if (words == entity.end() || !words->is_array() || words->empty()) {
    fail("{}: expected a non-empty \"words\" array, got {}",
         where,
         words == entity.end() ? "nothing" : words->dump());
  }

  for (std::size_t w = 0; w < words->size(); ++w) {
    const json& word = (*words)[w];
    auto text = word.find("text");
    auto box = word.find("box");
    bool ok = word.is_object() && text != word.end() && text->is_string() &&
              box != word.end() && box->is_array() && box->size() == 4;
    for (std::size_t k = 0; ok && k < 4; ++k) {
      ok = (*box)[k].is_number() && std::isfinite((*box)[k].get<double>());
    }
    if (!ok) {
      fail(
          "{} word {}: expected {{\"text\": string, \"box\": [x0, y0, x1, "
          "y1]}}, got {}",
          where,
          w,
          word.dump());
    }
    if (blank(text->get<std::string>())) continue;
    doc.words.push_back(text->get<std::string>());
    doc.raw_boxes.push_back({(*box)[0].get<double>(),
                             (*box)[1].get<double>(),
                             (*box)[2].get<double>(),
                             (*box)[3].get<double>()});
    doc.labels.push_back(type);
    doc.entity.push_back(static_cast<int>(e));
    word_in_entity.push_back(w);
  }
}

// Explicit size, then the table, then FUNSD's fixed height and the words'
// extent.
void resolve_page_size(const std::string& path,
                       const FunsdOptions& options,
                       Document& doc) {
  if ((options.page_width > 0) != (options.page_height > 0)) {
    fail("{}: page size {} x {}: give both width and height, or neither",
         path,
         options.page_width,
         options.page_height);
  }
  if (options.page_width > 0) {
    doc.page_width = options.page_width;
    doc.page_height = options.page_height;
    return;
  }
  if (options.sizes) {
    auto it = options.sizes->find(doc.id);
    if (it != options.sizes->end()) {
      doc.page_width = it->second.first;
      doc.page_height = it->second.second;
      return;
    }
  }
  doc.page_width = kFunsdMinPageWidth;
  doc.page_height = kFunsdPageHeight;
  for (const PageBox& b : doc.raw_boxes) {
    doc.page_width = std::max(doc.page_width, std::ceil(b.x1));
    doc.page_height = std::max(doc.page_height, std::ceil(b.y1));
  }
}

}  // namespace

PageSizes read_page_sizes(const std::string& path) {
  LineReader reader(path);
  PageSizes sizes;
  std::string line, name;
  while (reader.next(line)) {
    if (blank(line)) continue;
    double width = 0, height = 0;
    if (!parse_size_line(line, name, width, height)) {
      fail(
          "{}:{}: \"{}\": expected \"name width height\" or LayoutLM's "
          "\"word<TAB>box<TAB>width height<TAB>image\"",
          reader.path(),
          reader.line_number(),
          line);
    }
    auto [it, added] = sizes.emplace(stem(name), std::pair(width, height));
    if (!added && it->second != std::pair(width, height)) {
      fail("{}:{}: \"{}\" is {} x {} here but {} x {} earlier",
           reader.path(),
           reader.line_number(),
           name,
           width,
           height,
           it->second.first,
           it->second.second);
    }
  }
  return sizes;
}

Document read_funsd(const std::string& path, const FunsdOptions& options) {
  std::ifstream file(path);
  if (!file) fail("{}: cannot open FUNSD file", path);
  json root;
  try {
    root = json::parse(file);
  } catch (const json::parse_error& e) {
    fail("{}: malformed JSON: {}", path, e.what());
  }
  auto form = root.is_object() ? root.find("form") : root.end();
  if (form == root.end() || !form->is_array()) {
    fail("{}: expected an object with a \"form\" array (FUNSD annotation)",
         path);
  }

  Document doc;
  doc.id = stem(path);
  std::vector<std::size_t> word_in_entity;
  for (std::size_t e = 0; e < form->size(); ++e) {
    read_entity((*form)[e], e, path, options, doc, word_in_entity);
  }
  resolve_page_size(path, options, doc);
  for (std::size_t i = 0; i < doc.size(); ++i) {
    doc.boxes.push_back(
        normalise_box(doc.raw_boxes[i],
                      doc.page_width,
                      doc.page_height,
                      fmt::format("{}: entity {} word {} (\"{}\")",
                                  path,
                                  doc.entity[i],
                                  word_in_entity[i],
                                  doc.words[i])));
  }
  if (options.reading_order) sort_reading_order(doc);
  return doc;
}

std::vector<Document> read_funsd_folder(const std::string& folder,
                                        const FunsdOptions& options) {
  if (!fs::is_directory(folder)) fail("{}: not a folder", folder);
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".json") {
      paths.push_back(entry.path().string());
    }
  }
  if (paths.empty()) fail("{}: no *.json FUNSD files in this folder", folder);
  std::sort(paths.begin(), paths.end());
  std::vector<Document> documents;
  for (const auto& path : paths) documents.push_back(read_funsd(path, options));
  return documents;
}

}  // namespace gaussner
