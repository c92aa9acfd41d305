// `gaussner bench tokenizer`: words/s and sentences/s of the WordPiece
// tokenizer on a column corpus, word by word and on whole sentences.
#include <fmt/format.h>
#include <time.h>

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

// Wall-clock and CPU time of this thread since construction: on a shared
// machine the CPU time is the fairer measure.
class Stopwatch {
 public:
  Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(cpu_now()) {}
  double wall_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         wall_)
        .count();
  }
  double cpu_seconds() const { return cpu_now() - cpu_; }

 private:
  static double cpu_now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) +
           1e-9 * static_cast<double>(t.tv_nsec);
  }
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

// One timed pass as a JSON object.
std::string report(const Stopwatch& watch,
                   std::size_t sentences,
                   std::size_t words,
                   std::size_t pieces) {
  double wall = watch.wall_seconds();
  double cpu = watch.cpu_seconds();
  return fmt::format(
      "{{\"seconds\":{:.3f},\"cpu_seconds\":{:.3f},\"words_per_s\":{:.0f},"
      "\"sentences_per_s\":{:.0f},\"words_per_cpu_s\":{:.0f},"
      "\"sentences_per_cpu_s\":{:.0f},\"pieces\":{}}}",
      wall,
      cpu,
      words / wall,
      sentences / wall,
      words / cpu,
      sentences / cpu,
      pieces);
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
  Stopwatch word_watch;
  for (const auto& sentence : sentences) {
    for (const auto& word : sentence) {
      word_pieces += tokenizer.tokenize_word(word).size();
    }
  }
  auto word_report = report(word_watch, sentences.size(), words, word_pieces);

  // whole sentences joined by spaces
  std::size_t text_pieces = 0;
  Stopwatch text_watch;
  for (const auto& text : texts) text_pieces += tokenizer.tokenize(text).size();
  auto text_report = report(text_watch, sentences.size(), words, text_pieces);

  std::printf(
      "{\"bench\":\"tokenizer\",\"lower_case\":%s,\"sentences\":%zu,"
      "\"words\":%zu,\"tokenize_word\":%s,\"tokenize\":%s,"
      "\"peak_rss_mb\":%.1f}\n",
      tokenizer.lower_case() ? "true" : "false",
      sentences.size(),
      words,
      word_report.c_str(),
      text_report.c_str(),
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
