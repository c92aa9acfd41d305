// `gaussner bench tokenizer`: words/s and sentences/s of the WordPiece
// tokenizer on a column corpus, word by word and on whole sentences.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench.h"
#include "io/line_reader.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace gaussner::bench {
namespace {

struct TokenizerBenchOptions {
  std::string vocab;      // vocab.txt
  bool uncased = false;   // force the uncased pipeline
  bool cased = false;     // force the cased pipeline
  std::string corpus;     // column file: word first, blank between sentences
  std::size_t limit = 0;  // sentences to read (0 = all)
};

using Sentences = std::vector<std::vector<std::string>>;

// The first column of a CoNLL-style file, sentence by sentence.
Sentences read_words(const std::string& path, std::size_t limit) {
  Sentences sentences(1);
  LineReader reader(path);
  std::string line;
  while (reader.next(line) && (limit == 0 || sentences.size() <= limit)) {
    auto end = line.find_first_of("\t ");
    auto word = line.substr(0, end);
    if (word.empty()) {
      if (!sentences.back().empty()) sentences.emplace_back();
    } else if (word != "-DOCSTART-") {
      sentences.back().push_back(word);
    }
  }
  if (sentences.back().empty()) sentences.pop_back();
  if (limit > 0 && sentences.size() > limit) sentences.resize(limit);
  if (sentences.empty()) fail("{}: no sentences found", path);
  return sentences;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

void run(const TokenizerBenchOptions& options) {
  if (options.uncased && options.cased) {
    fail("bench tokenizer: --uncased and --cased exclude each other");
  }
  auto tokenizer = options.uncased || options.cased
                       ? Tokenizer::load(options.vocab, options.uncased)
                       : Tokenizer::load(options.vocab);
  auto sentences = read_words(options.corpus, options.limit);
  std::size_t words = 0;
  std::vector<std::string> texts;
  for (const auto& sentence : sentences) {
    words += sentence.size();
    std::string text;
    for (const auto& word : sentence) text += (text.empty() ? "" : " ") + word;
    texts.push_back(std::move(text));
  }

  // each word on its own, as NER input is tokenized
  std::size_t word_pieces = 0;
  auto start = std::chrono::steady_clock::now();
  for (const auto& sentence : sentences) {
    for (const auto& word : sentence) {
      word_pieces += tokenizer.tokenize_word(word).size();
    }
  }
  double word_seconds = seconds_since(start);

  // whole sentences joined by spaces
  std::size_t text_pieces = 0;
  start = std::chrono::steady_clock::now();
  for (const auto& text : texts) text_pieces += tokenizer.tokenize(text).size();
  double text_seconds = seconds_since(start);

  double n_sentences = static_cast<double>(sentences.size());
  double n_words = static_cast<double>(words);
  std::printf(
      "{\"bench\":\"tokenizer\",\"lower_case\":%s,\"sentences\":%zu,"
      "\"words\":%zu,\"tokenize_word\":{\"seconds\":%.3f,\"words_per_s\":%.0f,"
      "\"sentences_per_s\":%.0f,\"pieces\":%zu},\"tokenize\":{\"seconds\":%.3f,"
      "\"words_per_s\":%.0f,\"sentences_per_s\":%.0f,\"pieces\":%zu},"
      "\"peak_rss_mb\":%.1f}\n",
      tokenizer.lower_case() ? "true" : "false",
      sentences.size(),
      words,
      word_seconds,
      n_words / word_seconds,
      n_sentences / word_seconds,
      word_pieces,
      text_seconds,
      n_words / text_seconds,
      n_sentences / text_seconds,
      text_pieces,
      peak_rss_mb());
}

cli::Command make(CLI::App& bench) {
  auto* app = bench.add_subcommand(
      "tokenizer",
      "words/s and sentences/s of WordPiece tokenization (one thread)");
  auto options = std::make_shared<TokenizerBenchOptions>();
  app->add_option("--vocab", options->vocab, "vocab.txt")->required();
  app->add_flag("--uncased", options->uncased, "force the uncased pipeline")
      ->capture_default_str();
  app->add_flag("--cased", options->cased, "force the cased pipeline")
      ->capture_default_str();
  app->add_option(
         "--corpus", options->corpus, "column file (word first; gzip ok)")
      ->required();
  app->add_option("--limit", options->limit, "sentences to read (0 = all)")
      ->capture_default_str();
  app->footer(
      "Casing is inferred from the vocabulary unless --uncased or --cased "
      "is given. Prints one JSON line.");
  return {app, [options] { run(*options); }};
}

const bool kRegistered = register_bench(make);

}  // namespace
}  // namespace gaussner::bench
