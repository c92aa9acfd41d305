#include "io/episodes.h"

#include <nlohmann/json.hpp>

#include <set>

#include "io/line_reader.h"
#include "text/tags.h"
#include "util/error.h"

namespace gaussner {
namespace {

using nlohmann::json;

// Where an episode came from, for error messages.
struct EpisodeContext {
  const std::string& path;
  std::size_t index;

  template <typename... Args>
  [[noreturn]] void fail_at(const std::string& field,
                            fmt::format_string<Args...> format,
                            Args&&... args) const {
    fail("{}: episode {} (line {}): {}: {}",
         path,
         index,
         index + 1,
         field,
         fmt::format(format, std::forward<Args>(args)...));
  }
};

const json& require(const json& object,
                    const char* key,
                    const std::string& field,
                    const EpisodeContext& context) {
  auto it = object.find(key);
  if (it == object.end()) context.fail_at(field, "missing field \"{}\"", key);
  return *it;
}

const json& require_array(const json& value,
                          const std::string& field,
                          const EpisodeContext& context) {
  if (!value.is_array()) {
    context.fail_at(field, "expected an array, got {}", value.dump());
  }
  return value;
}

// A B-/I-/E-/S- label whose type is an episode type is read as that type;
// Few-NERD files are IO already.
std::string episode_label(const std::string& label,
                          const std::set<std::string>& types) {
  if (label == "O" || types.count(label)) return label;
  Tag tag = parse_tag(label);
  return tag.prefix != 0 && types.count(tag.type) ? tag.type : label;
}

std::vector<std::string> parse_words(const json& words,
                                     const std::string& field,
                                     const EpisodeContext& context) {
  require_array(words, field, context);
  std::vector<std::string> out;
  out.reserve(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (!words[i].is_string()) {
      context.fail_at(fmt::format("{}[{}]", field, i),
                      "expected a string, got {}",
                      words[i].dump());
    }
    out.push_back(words[i].get<std::string>());
  }
  return out;
}

Box parse_box(const json& value,
              const std::string& field,
              const EpisodeContext& context) {
  if (!value.is_array() || value.size() != 4) {
    context.fail_at(field, "expected [x0, y0, x1, y1], got {}", value.dump());
  }
  int32_t c[4];
  for (int k = 0; k < 4; ++k) {
    if (!value[k].is_number_integer() || value[k].get<int64_t>() < 0 ||
        value[k].get<int64_t>() > 1000) {
      context.fail_at(
          field, "expected integers in 0..1000, got {}", value.dump());
    }
    c[k] = static_cast<int32_t>(value[k].get<int64_t>());
  }
  if (c[2] < c[0] || c[3] < c[1]) {
    context.fail_at(
        field, "expected x0 <= x1 and y0 <= y1, got {}", value.dump());
  }
  return {c[0], c[1], c[2], c[3]};
}

std::vector<Box> parse_boxes(const json& boxes,
                             const std::string& field,
                             const EpisodeContext& context) {
  require_array(boxes, field, context);
  std::vector<Box> out;
  out.reserve(boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    out.push_back(
        parse_box(boxes[i], fmt::format("{}[{}]", field, i), context));
  }
  return out;
}

void check_labels(const Sentence& sentence,
                  const std::set<std::string>& types,
                  const std::string& field,
                  const EpisodeContext& context) {
  for (std::size_t i = 0; i < sentence.labels.size(); ++i) {
    const std::string& label = sentence.labels[i];
    if (label != "O" && !types.count(label)) {
      context.fail_at(
          fmt::format("{}[{}]", field, i),
          "label \"{}\" is not \"O\" nor one of the episode's "
          "types {}",
          label,
          json(std::vector<std::string>(types.begin(), types.end())).dump());
    }
  }
}

// One set ("support" or "query"): parallel word/label (and box) arrays.
std::vector<Sentence> parse_set(const json& set,
                                const std::string& name,
                                const std::set<std::string>& types,
                                const EpisodeContext& context) {
  if (!set.is_object()) {
    context.fail_at(name, "expected an object, got {}", set.dump());
  }
  const json& words = require_array(
      require(set, "word", name, context), name + ".word", context);
  const json& labels = require_array(
      require(set, "label", name, context), name + ".label", context);
  const json* boxes = set.contains("box") ? &set["box"] : nullptr;
  if (boxes) require_array(*boxes, name + ".box", context);
  if (labels.size() != words.size() ||
      (boxes && boxes->size() != words.size())) {
    context.fail_at(name,
                    "{} word lists but {} label lists{}",
                    words.size(),
                    labels.size(),
                    boxes ? fmt::format(" and {} box lists", boxes->size())
                          : std::string());
  }

  std::vector<Sentence> out(words.size());
  for (std::size_t k = 0; k < words.size(); ++k) {
    Sentence& s = out[k];
    std::string at = fmt::format("[{}]", k);
    s.words = parse_words(words[k], name + ".word" + at, context);
    s.labels = parse_words(labels[k], name + ".label" + at, context);
    for (auto& label : s.labels) label = episode_label(label, types);
    if (boxes) s.boxes = parse_boxes((*boxes)[k], name + ".box" + at, context);
    if (s.words.empty()) context.fail_at(name + at, "sentence has no words");
    if (s.labels.size() != s.words.size() ||
        (boxes && s.boxes.size() != s.words.size())) {
      context.fail_at(
          name + at,
          "sentence {} has {} words but {} labels{}",
          k,
          s.words.size(),
          s.labels.size(),
          boxes ? fmt::format(" and {} boxes", s.boxes.size()) : std::string());
    }
    check_labels(s, types, name + ".label" + at, context);
    s.source = fmt::format(
        "{}:{}: {} sentence {}", context.path, context.index + 1, name, k);
  }
  return out;
}

std::vector<std::string> parse_types(const json& types,
                                     const EpisodeContext& context) {
  std::vector<std::string> out = parse_words(types, "types", context);
  if (out.empty()) context.fail_at("types", "expected at least one type");
  std::set<std::string> seen;
  for (const auto& type : out) {
    if (type == "O" || type.empty()) {
      context.fail_at("types", "\"{}\" cannot be an entity type", type);
    }
    if (!seen.insert(type).second) {
      context.fail_at("types", "type \"{}\" is listed twice", type);
    }
  }
  return out;
}

nlohmann::ordered_json set_to_json(const std::vector<Sentence>& set,
                                   const char* name) {
  using ojson = nlohmann::ordered_json;
  ojson words = ojson::array(), labels = ojson::array(), boxes = ojson::array();
  bool with_boxes = !set.empty() && set.front().has_boxes();
  for (const auto& s : set) {
    if (!s.labelled() || s.labels.size() != s.words.size()) {
      fail(
          "episode_to_json: {} sentence \"{}\" has {} words and {} labels; "
          "episode sentences must be labelled",
          name,
          s.source,
          s.words.size(),
          s.labels.size());
    }
    if (s.has_boxes() != with_boxes) {
      fail(
          "episode_to_json: {} sentence \"{}\": either every sentence of a "
          "set has boxes or none has",
          name,
          s.source);
    }
    words.push_back(s.words);
    labels.push_back(s.labels);
    if (!with_boxes) continue;
    ojson sentence_boxes = ojson::array();
    for (const Box& b : s.boxes) {
      sentence_boxes.push_back({b.x0, b.y0, b.x1, b.y1});
    }
    boxes.push_back(std::move(sentence_boxes));
  }
  ojson out;
  out["word"] = std::move(words);
  out["label"] = std::move(labels);
  if (with_boxes) out["box"] = std::move(boxes);
  return out;
}

}  // namespace

Episode parse_episode(const std::string& line,
                      const std::string& path,
                      std::size_t index) {
  EpisodeContext context{path, index};
  json root;
  try {
    root = json::parse(line);
  } catch (const json::parse_error& e) {
    context.fail_at("JSON", "malformed: {}", e.what());
  }
  if (!root.is_object()) {
    context.fail_at("JSON", "expected an object, got {}", root.type_name());
  }

  Episode episode;
  episode.index = index;
  episode.types =
      parse_types(require(root, "types", "types", context), context);
  std::set<std::string> types(episode.types.begin(), episode.types.end());
  episode.support = parse_set(
      require(root, "support", "support", context), "support", types, context);
  episode.query = parse_set(
      require(root, "query", "query", context), "query", types, context);
  if (episode.support.empty()) {
    context.fail_at("support", "the support set is empty");
  }
  return episode;
}

std::vector<Episode> read_episodes(const std::string& path) {
  LineReader reader(path);
  std::vector<Episode> episodes;
  std::string line;
  while (reader.next(line)) {
    // Blank lines are skipped; an episode's index stays its 0-based line.
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    episodes.push_back(
        parse_episode(line, reader.path(), reader.line_number() - 1));
  }
  return episodes;
}

std::string episode_to_json(const Episode& episode) {
  // Few-NERD's key order: support, query, types.
  nlohmann::ordered_json out;
  out["support"] = set_to_json(episode.support, "support");
  out["query"] = set_to_json(episode.query, "query");
  out["types"] = episode.types;
  return out.dump();
}

}  // namespace gaussner
