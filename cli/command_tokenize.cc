// `gaussner tokenize`: WordPiece tokens and ids of text or word lines, as
// JSON lines.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "io/line_reader.h"
#include "text/tokenizer.h"
#include "text/unicode.h"
#include "util/error.h"

namespace gaussner::cli {
namespace {

using Json = nlohmann::ordered_json;

struct TokenizeOptions {
  std::string vocab;        // vocab.txt, one token per line
  std::string model;        // model folder holding vocab.txt (instead)
  bool uncased = false;     // force lower-casing and accent stripping
  bool cased = false;       // force the cased pipeline
  bool words = false;       // print the pieces of each word separately
  std::string input = "-";  // input lines ("-" = standard input; gzip ok)
};

// One input line: raw text, or a list of words.
struct LineInput {
  bool has_words = false;
  std::string text;
  std::vector<std::string> words;
};

Tokenizer open_tokenizer(const TokenizeOptions& options) {
  if (options.vocab.empty() == options.model.empty()) {
    fail("tokenize: give exactly one of --vocab FILE and --model DIR");
  }
  if (options.uncased && options.cased) {
    fail("tokenize: --uncased and --cased exclude each other");
  }
  bool forced = options.uncased || options.cased;
  if (!options.model.empty()) {
    auto tokenizer = Tokenizer::from_model_dir(options.model);
    if (!forced) return tokenizer;
    return Tokenizer::load(tokenizer.vocab_path(), options.uncased);
  }
  return forced ? Tokenizer::load(options.vocab, options.uncased)
                : Tokenizer::load(options.vocab);
}

LineInput parse_json_line(const std::string& line) {
  Json json;
  try {
    json = Json::parse(line);
  } catch (const Json::exception& e) {
    fail("malformed JSON: {}", e.what());
  }
  LineInput input;
  if (json.is_object() && json.contains("words") && json["words"].is_array()) {
    input.has_words = true;
    for (const auto& word : json["words"]) {
      if (!word.is_string()) {
        fail("\"words\" holds {}: expected strings only", word.dump());
      }
      input.words.push_back(word.get<std::string>());
    }
    return input;
  }
  if (json.is_object() && json.contains("text") && json["text"].is_string()) {
    input.text = json["text"].get<std::string>();
    return input;
  }
  fail(
      "JSON line {}: expected an object with \"words\" (array of strings) "
      "or \"text\" (string)",
      json.dump().substr(0, 80));
}

// Words of a text line: split on whitespace (Python's str.split()).
std::vector<std::string> split_words(const std::string& text) {
  std::u32string chars;
  unicode::decode_utf8(text, chars);
  std::vector<std::string> words;
  std::u32string word;
  for (char32_t c : chars + U' ') {
    if (!unicode::is_python_space(c)) {
      word.push_back(c);
    } else if (!word.empty()) {
      words.push_back(unicode::to_utf8(word));
      word.clear();
    }
  }
  return words;
}

// The output object of one line.
Json tokenize_line(const Tokenizer& tokenizer,
                   const LineInput& input,
                   bool per_word) {
  Json out;
  if (per_word) {
    auto words = input.has_words ? input.words : split_words(input.text);
    Json pieces = Json::array();
    Json ids = Json::array();
    for (const auto& word : words) {
      auto word_pieces = tokenizer.tokenize_word(word);
      ids.push_back(tokenizer.ids(word_pieces));
      pieces.push_back(std::move(word_pieces));
    }
    out["word_pieces"] = std::move(pieces);
    out["ids"] = std::move(ids);
    return out;
  }
  std::vector<std::string> tokens;
  if (input.has_words) {
    for (const auto& word : input.words) {
      auto pieces = tokenizer.tokenize_word(word);
      tokens.insert(tokens.end(), pieces.begin(), pieces.end());
    }
  } else {
    tokens = tokenizer.tokenize(input.text);
  }
  auto ids = tokenizer.ids(tokens);
  out["tokens"] = std::move(tokens);
  out["ids"] = std::move(ids);
  return out;
}

void run(const TokenizeOptions& options) {
  auto tokenizer = open_tokenizer(options);
  LineReader reader(options.input);
  std::string line;
  while (reader.next(line)) {
    std::string output;
    try {
      LineInput input;
      if (!line.empty() && line.front() == '{') {
        input = parse_json_line(line);
      } else {
        input.text = line;
      }
      output = tokenize_line(tokenizer, input, options.words).dump();
    } catch (const Error& e) {
      fail("{}:{}: {}", reader.path(), reader.line_number(), e.what());
    }
    output.push_back('\n');
    std::fwrite(output.data(), 1, output.size(), stdout);
  }
}

Command make(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "tokenize", "WordPiece-tokenize lines (BERT's slow tokenizer, exactly)");
  app->footer(
      "Input: one item per line. A line starting with '{' is JSON: "
      "{\"words\": [...]} (each word tokenized on its own, as for NER) or "
      "{\"text\": \"...\"}; any other line is raw text.\n"
      "Output: one JSON line per input line, {\"tokens\": [...], \"ids\": "
      "[...]}; with --words {\"word_pieces\": [[...], ...], \"ids\": [[...], "
      "...]}, where a raw text line is first split into words on "
      "whitespace.\n"
      "Casing: --uncased / --cased, else tokenizer_config.json's "
      "do_lower_case (with --model), else inferred from the vocabulary.");
  auto options = std::make_shared<TokenizeOptions>();
  app->add_option("--vocab", options->vocab, "vocab.txt (one token per line)");
  app->add_option(
      "--model", options->model, "model folder with vocab.txt (instead)");
  app->add_flag("--uncased", options->uncased, "lower-case and strip accents")
      ->capture_default_str();
  app->add_flag("--cased", options->cased, "keep case and accents")
      ->capture_default_str();
  app->add_flag("--words", options->words, "print pieces per word")
      ->capture_default_str();
  app->add_option("--input", options->input, "input file (- = stdin)")
      ->capture_default_str();
  return {app, [options] { run(*options); }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
