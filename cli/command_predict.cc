// `gaussner predict`: fine-tune on a support set, then tag new text.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "command.h"
#include "options.h"
#include "util/error.h"

namespace gaussner::cli {
namespace {

struct Args {
  std::string model;
  std::string support;
  std::string input = "-";
  std::string output = "-";
  std::string output_format = "auto";
  bool no_finetune = false;
  InputOptions support_input;
  InputOptions input_options;
  FinetuneOptions finetune;
  TagOptions tag;
};

nlohmann::json entity_json(const Sentence& s,
                           const TaggedSpan& span,
                           const std::vector<TextWord>* offsets) {
  std::string text;
  for (int i = span.start; i < span.end; ++i) {
    text += (i > span.start ? " " : "") + s.words[i];
  }
  nlohmann::json e = {{"start", span.start},
                      {"end", span.end},
                      {"text", text},
                      {"label", span.label},
                      {"confidence", span.confidence}};
  if (offsets != nullptr) {
    e["char_start"] = (*offsets)[span.start].char_start;
    e["char_end"] = (*offsets)[span.end - 1].char_end;
  }
  if (s.has_boxes()) {
    Box u = s.boxes[span.start];
    nlohmann::json boxes = nlohmann::json::array();
    for (int i = span.start; i < span.end; ++i) {
      const Box& b = s.boxes[i];
      boxes.push_back({b.x0, b.y0, b.x1, b.y1});
      u = {std::min(u.x0, b.x0),
           std::min(u.y0, b.y0),
           std::max(u.x1, b.x1),
           std::max(u.y1, b.y1)};
    }
    e["boxes"] = boxes;
    e["box"] = {u.x0, u.y0, u.x1, u.y1};
  }
  return e;
}

// "words [entity words](label 0.93) words" for people to read.
std::string pretty_line(const Sentence& s, const Tagged& tagged) {
  std::string line;
  std::size_t next_span = 0;
  for (std::size_t w = 0; w < s.words.size(); ++w) {
    const TaggedSpan* span =
        next_span < tagged.spans.size() ? &tagged.spans[next_span] : nullptr;
    if (!line.empty()) line += ' ';
    if (span != nullptr && static_cast<int>(w) == span->start) line += '[';
    line += s.words[w];
    if (span != nullptr && static_cast<int>(w) == span->end - 1) {
      line += fmt::format("]({} {:.2f})", span->label, span->confidence);
      ++next_span;
    }
  }
  return line;
}

void run(Args& a) {
  ContainerModel model = load_model(a.model);
  std::vector<Sentence> support =
      read_input(a.support, a.support_input).sentences;
  LabelSet labels = LabelSet::from_sentences(support);
  InputSentences input = read_input(a.input, a.input_options);
  if (!a.no_finetune) {
    FinetuneResult tuned = finetune(model, support, labels, a.finetune);
    std::fprintf(stderr,
                 "predict: fine-tuned %lld steps%s on %zu sentences\n",
                 static_cast<long long>(tuned.steps),
                 tuned.hit_cap ? " (hit the cap)" : "",
                 support.size());
  }
  Tagger tagger(model, support, labels, a.tag);
  std::vector<Tagged> tagged = tagger.tag(input.sentences);

  std::string format = a.output_format;
  if (format == "auto") format = input.format == "column" ? "column" : "jsonl";
  if (format != "column" && format != "jsonl" && format != "pretty") {
    fail(
        "predict: --output-format '{}' is not one of auto, column, jsonl, "
        "pretty",
        format);
  }
  std::ofstream file;
  if (a.output != "-") {
    file.open(a.output);
    if (!file) fail("{}: cannot write", a.output);
  }
  std::ostream& out = a.output == "-" ? std::cout : file;
  for (std::size_t i = 0; i < input.sentences.size(); ++i) {
    const Sentence& s = input.sentences[i];
    if (format == "column") {
      for (std::size_t w = 0; w < s.words.size(); ++w) {
        out << s.words[w] << '\t' << tagged[i].labels[w] << '\n';
      }
      out << '\n';
      continue;
    }
    if (format == "pretty") {
      out << pretty_line(s, tagged[i]) << '\n';
      continue;
    }
    const auto* offsets = input.offsets.empty() ? nullptr : &input.offsets[i];
    nlohmann::json entities = nlohmann::json::array();
    for (const auto& span : tagged[i].spans) {
      entities.push_back(entity_json(s, span, offsets));
    }
    nlohmann::json line = {{"words", s.words},
                           {"labels", tagged[i].labels},
                           {"entities", entities}};
    out << line.dump() << '\n';
  }
}

Command make(CLI::App& parent) {
  auto a = std::make_shared<Args>();
  auto* app = parent.add_subcommand(
      "predict", "Tag text with the entity types of a few labelled sentences");
  app->add_option("--model", a->model, "trained model folder")->required();
  app->add_option("--support",
                  a->support,
                  "labelled support sentences (column file or JSON lines)")
      ->required();
  app->add_option("--input",
                  a->input,
                  "sentences to tag: column file, JSON lines with \"words\", "
                  "or text lines ('-' = stdin)")
      ->capture_default_str();
  app->add_option("--output", a->output, "where to write ('-' = stdout)")
      ->capture_default_str();
  app->add_option("--output-format",
                  a->output_format,
                  "auto (column for column input, else jsonl), column, jsonl, "
                  "pretty (entities in brackets, for reading)")
      ->capture_default_str();
  app->add_option("--input-format",
                  a->input_options.format,
                  "auto, column, jsonl or text (one sentence per line, split "
                  "at spaces and punctuation; entities get character offsets)")
      ->capture_default_str();
  app->add_flag(
      "--no-finetune", a->no_finetune, "tag with the model as stored");
  add_finetune_options(*app, a->finetune);
  add_tag_options(*app, a->tag);
  return {app, [a] {
            a->input_options.column.require_labels = false;
            run(*a);
          }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
