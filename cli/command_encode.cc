// `gaussner encode`: hidden states of a BERT/LayoutLM model for JSON lines,
// either one vector per word or the raw last layer of given piece ids.
#include <torch/torch.h>

#include <fmt/format.h>

#include <cstdio>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "io/line_reader.h"
#include "io/sentence_reader.h"
#include "model/encoder.h"
#include "model/word_batch.h"
#include "text/sentence.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace gaussner::cli {
namespace {

using nlohmann::json;

struct EncodeOptions {
  std::string model;        // model folder: config.json, model.safetensors
  std::string input = "-";  // JSON lines ("-" = standard input)
  int64_t batch_size = 32;  // sentences per forward pass
};

// One input line waiting for its forward pass.
struct Item {
  std::string where;   // "file:line"
  bool words = false;  // form A (words) or form B (piece ids)
  Sentence sentence;   // form A
  EncoderInput input;  // form B, batch of one
};

// Appends `values` as a JSON list of floats that read back as the same
// float32 values (fmt's shortest round-trip form).
void append_floats(std::string& out, const float* values, int64_t n) {
  out += '[';
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    fmt::format_to(std::back_inserter(out), "{}", values[i]);
  }
  out += ']';
}

// Appends a T x H matrix as a list of rows.
void append_rows(std::string& out, const torch::Tensor& matrix) {
  auto m = matrix.to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t rows = m.size(0);
  const int64_t cols = m.size(1);
  out += '[';
  for (int64_t r = 0; r < rows; ++r) {
    if (r > 0) out += ',';
    append_floats(out, m.data_ptr<float>() + r * cols, cols);
  }
  out += ']';
}

const json& field(const json& j, const char* name, const std::string& where) {
  if (!j.contains(name)) fail("{}: missing field '{}'", where, name);
  return j[name];
}

std::vector<int64_t> int_list(const json& j,
                              const char* name,
                              const std::string& where) {
  if (!j.is_array()) {
    fail("{}: '{}' is {}, expected a list of integers", where, name, j.dump());
  }
  std::vector<int64_t> values;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number_integer()) {
      fail(
          "{}: {}[{}] is {}, expected an integer", where, name, i, j[i].dump());
    }
    values.push_back(j[i].get<int64_t>());
  }
  return values;
}

// Form A: {"words": [...], "boxes": [[x0, y0, x1, y1], ...]}.
Sentence parse_words(const json& j,
                     const std::string& where,
                     const EncoderConfig& config) {
  Sentence s;
  s.source = where;
  const json& words = field(j, "words", where);
  if (!words.is_array()) fail("{}: 'words' is not a list", where);
  for (size_t i = 0; i < words.size(); ++i) {
    if (!words[i].is_string()) {
      fail("{}: words[{}] is {}, expected a string", where, i, words[i].dump());
    }
    s.words.push_back(words[i].get<std::string>());
  }
  if (!j.contains("boxes")) return s;
  if (!config.is_layoutlm()) {
    // Checked like any boxes, then ignored: BERT has no 2D embeddings.
    static bool warned = false;
    if (!warned) {
      std::fprintf(stderr,
                   "gaussner: warning: %s: the model is %s, so 'boxes' are "
                   "ignored\n",
                   where.c_str(),
                   config.model_type.c_str());
      warned = true;
    }
  }
  const json& boxes = j["boxes"];
  if (!boxes.is_array() || boxes.size() != words.size()) {
    fail("{}: 'boxes' must be a list of {} boxes, one per word",
         where,
         words.size());
  }
  for (size_t i = 0; i < boxes.size(); ++i) {
    s.boxes.push_back(
        parse_layout_box(boxes[i], fmt::format("word {}", i), where));
  }
  return s;
}

// Form B: {"input_ids": [...], optional "attention_mask", "token_type_ids",
// "position_ids" (T each) and "bbox" (T x 4)}.
EncoderInput parse_ids(const json& j, const std::string& where) {
  auto ids = int_list(j["input_ids"], "input_ids", where);
  const int64_t t = static_cast<int64_t>(ids.size());
  if (t == 0) fail("{}: 'input_ids' is empty", where);
  auto row = [&](const char* name) -> torch::Tensor {
    if (!j.contains(name) || j[name].is_null()) return {};
    auto values = int_list(j[name], name, where);
    if (static_cast<int64_t>(values.size()) != t) {
      fail("{}: '{}' has {} values, expected {} (one per input id)",
           where,
           name,
           values.size(),
           t);
    }
    return torch::tensor(values, torch::kLong).view({1, t});
  };
  EncoderInput in;
  in.input_ids = torch::tensor(ids, torch::kLong).view({1, t});
  in.attention_mask = row("attention_mask");
  in.token_type_ids = row("token_type_ids");
  in.position_ids = row("position_ids");
  if (j.contains("bbox") && !j["bbox"].is_null()) {
    const json& bbox = j["bbox"];
    if (!bbox.is_array() || static_cast<int64_t>(bbox.size()) != t) {
      fail("{}: 'bbox' must be a list of {} boxes", where, t);
    }
    std::vector<int64_t> flat;
    for (size_t i = 0; i < bbox.size(); ++i) {
      Box b = parse_layout_box(bbox[i], fmt::format("position {}", i), where);
      flat.insert(flat.end(), {b.x0, b.y0, b.x1, b.y1});
    }
    in.bbox = torch::tensor(flat, torch::kLong).view({1, t, 4});
  }
  return in;
}

class EncodeRun {
 public:
  explicit EncodeRun(const EncodeOptions& o)
      : options_(o), encoder_(load_encoder(o.model)) {}

  // Reads every line; on a bad line, prints what came before, then fails.
  void run() {
    torch::NoGradGuard no_grad;
    LineReader reader(options_.input);
    std::string line;
    while (reader.next(line)) {
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      std::string where =
          fmt::format("{}:{}", reader.path(), reader.line_number());
      try {
        pending_.push_back(parse_line(line, where));
      } catch (const Error&) {
        flush();
        throw;
      }
      if (static_cast<int64_t>(pending_.size()) >= options_.batch_size) {
        flush();
      }
    }
    flush();
  }

 private:
  Item parse_line(const std::string& line, const std::string& where) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      fail("{}: not valid JSON (expected one object per line)", where);
    }
    Item item;
    item.where = where;
    if (j.contains("input_ids")) {
      item.input = parse_ids(j, where);
    } else if (j.contains("words")) {
      item.words = true;
      item.sentence = parse_words(j, where, encoder_->config());
    } else {
      fail("{}: expected an object with 'words' or 'input_ids'", where);
    }
    return item;
  }

  const Tokenizer& tokenizer() {
    if (!tokenizer_) tokenizer_ = Tokenizer::from_model_dir(options_.model);
    return *tokenizer_;
  }

  // Encodes the pending lines and prints one output line for each, in
  // input order.
  void flush() {
    std::vector<Sentence> sentences;
    for (const auto& item : pending_) {
      if (item.words) sentences.push_back(item.sentence);
    }
    std::vector<torch::Tensor> vectors;
    if (!sentences.empty()) {
      EmbedOptions embed;
      embed.batch_size = options_.batch_size;
      vectors = embed_words(encoder_, tokenizer(), sentences, embed);
    }
    std::string out;
    size_t next = 0;
    std::vector<Item> items = std::move(pending_);
    pending_.clear();
    for (const auto& item : items) {
      if (item.words) {
        out += "{\"words\":";
        out += json(item.sentence.words).dump();
        out += ",\"vectors\":";
        append_rows(out, vectors[next++]);
      } else {
        torch::Tensor hidden = forward_one(item, out);
        out += "{\"last_hidden_state\":";
        append_rows(out, hidden[0]);
      }
      out += "}\n";
    }
    print(out);
  }

  // Runs one form-B line; on an error prints `done` (the lines before it)
  // and fails naming the line.
  torch::Tensor forward_one(const Item& item, const std::string& done) {
    try {
      return encoder_->forward(item.input);
    } catch (const Error& e) {
      print(done);
      fail("{}: {}", item.where, e.what());
    }
  }

  static void print(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }

  EncodeOptions options_;
  Encoder encoder_;
  std::optional<Tokenizer> tokenizer_;
  std::vector<Item> pending_;
};

Command make(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "encode",
      "Hidden states for JSON lines: {\"words\": [...], \"boxes\": [...]} "
      "gives one last-layer vector per word (its first piece); "
      "{\"input_ids\": [...], ...} gives the raw last_hidden_state");
  auto o = std::make_shared<EncodeOptions>();
  app->add_option("--model",
                  o->model,
                  "model folder (config.json, "
                  "model.safetensors, vocab.txt)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app->add_option("--input", o->input, "JSON lines, \"-\" = standard input")
      ->capture_default_str();
  app->add_option("--batch-size", o->batch_size, "sentences per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  return {app, [o] {
            EncodeRun run(*o);
            run.run();
          }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
