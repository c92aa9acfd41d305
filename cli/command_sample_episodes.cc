// `gaussner sample-episodes`: Few-NERD N-way K~2K-shot episodes from a
// labelled column file, a document file or a folder of FUNSD forms.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "command.h"
#include "eval/episode_sampler.h"
#include "io/column_file.h"
#include "io/document.h"
#include "io/document_split.h"
#include "io/episodes.h"
#include "io/funsd.h"
#include "io/line_reader.h"
#include "util/error.h"

namespace gaussner::cli {
namespace {

namespace fs = std::filesystem;

struct SampleArgs {
  std::string data;                     // input file or FUNSD folder
  std::string out = "-";                // episode file; "-" = stdout
  std::string format = "auto";          // auto, column, documents or funsd
  std::size_t count = 1000;             // episodes to write
  SamplerOptions sampler;               // ways, shots, seed, ...
  SplitOptions split;                   // document windows
  std::vector<std::string> page_sizes;  // FUNSD page-size tables
  bool keep_other = false;              // FUNSD "other" as a type
  bool reading_order = false;           // FUNSD words in reading order
};

// A folder or *.json is FUNSD; a file whose first line opens a JSON object
// is a document file; anything else is a column file.
std::string detect_format(const std::string& path) {
  if (fs::is_directory(path)) return "funsd";
  if (fs::path(path).extension() == ".json") return "funsd";
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    return line[first] == '{' ? "documents" : "column";
  }
  fail("{}: empty file; expected labelled data", path);
}

std::vector<Sentence> read_funsd_sentences(const SampleArgs& args) {
  PageSizes sizes;
  FunsdOptions options;
  for (const auto& table : args.page_sizes) {
    for (auto& [name, size] : read_page_sizes(table)) sizes[name] = size;
    options.sizes = &sizes;
  }
  options.keep_other = args.keep_other;
  options.reading_order = args.reading_order;
  std::vector<Document> documents =
      fs::is_directory(args.data)
          ? read_funsd_folder(args.data, options)
          : std::vector<Document>{read_funsd(args.data, options)};
  return split_documents(documents, args.split);
}

std::vector<Sentence> read_sentences(const SampleArgs& args) {
  std::string format =
      args.format == "auto" ? detect_format(args.data) : args.format;
  if (format == "column") return read_column_file(args.data);
  if (format == "documents") {
    return split_documents(read_documents(args.data), args.split);
  }
  return read_funsd_sentences(args);
}

void run(const SampleArgs& args) {
  std::vector<Sentence> sentences = read_sentences(args);
  std::size_t sentence_count = sentences.size();
  EpisodeSampler sampler(std::move(sentences), args.sampler);

  std::ofstream file;
  if (args.out != "-") {
    file.open(args.out);
    if (!file) {
      fail("{}: cannot open for writing: {}", args.out, std::strerror(errno));
    }
  }
  std::ostream& out = args.out == "-" ? std::cout : file;
  for (std::size_t i = 0; i < args.count; ++i) {
    out << episode_to_json(sampler.next()) << '\n';
  }
  out.flush();
  if (!out) fail("{}: write failed", args.out);

  const SamplerOptions& o = args.sampler;
  int q = o.query_shots > 0 ? o.query_shots : o.shots;
  std::fprintf(stderr,
               "sample-episodes: %zu episodes, %d-way %d~%d-shot (query "
               "%d~%d), from %zu sentences of %s; %zu of %zu types "
               "eligible; seed %llu\n",
               args.count,
               o.ways,
               o.shots,
               2 * o.shots,
               q,
               2 * q,
               sentence_count,
               args.data.c_str(),
               sampler.eligible_types().size(),
               sampler.mention_counts().size(),
               static_cast<unsigned long long>(o.seed));
}

Command make(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "sample-episodes",
      "Sample Few-NERD N-way K~2K-shot episodes (JSON lines) from labelled "
      "data");
  app->option_defaults()->always_capture_default();
  auto args = std::make_shared<SampleArgs>();
  app->add_option("--data",
                  args->data,
                  "Column file, document file or "
                  "FUNSD folder/file")
      ->required();
  app->add_option("--ways", args->sampler.ways, "N: types per episode");
  app->add_option("--shots",
                  args->sampler.shots,
                  "K: support mentions per "
                  "type (K to 2K)");
  app->add_option("--query-shots",
                  args->sampler.query_shots,
                  "Q: query mentions per type (Q to 2Q); 0 = K");
  app->add_option("--count", args->count, "Episodes to write");
  app->add_option("--seed", args->sampler.seed, "Random seed");
  app->add_option("--out", args->out, "Episode file ('-' = stdout)");
  app->add_option("--format", args->format, "Input format")
      ->check(CLI::IsMember({"auto", "column", "documents", "funsd"}));
  app->add_flag("--relabel-other-types",
                args->sampler.relabel_other_types,
                "Also draw sentences with types outside the episode, "
                "relabelling those as O (Few-NERD never draws them)");
  app->add_option(
      "--max-words", args->split.max_words, "Documents: most words per window");
  app->add_option("--page-sizes",
                  args->page_sizes,
                  "FUNSD: page-size tables ('name width height' lines or "
                  "LayoutLM's *_image.txt); without one the size is "
                  "estimated");
  app->add_flag("--keep-other",
                args->keep_other,
                "FUNSD: keep 'other' entities as a type (default: O)");
  app->add_flag("--reading-order",
                args->reading_order,
                "FUNSD: words in reading order instead of entity order");
  return {app, [args] { run(*args); }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
