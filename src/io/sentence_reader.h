// One reader for every sentence input the commands accept: column files,
// JSON lines with "words" (and optional "labels", "boxes"), and plain text.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "io/column_file.h"
#include "text/sentence.h"
#include "text/word_splitter.h"

namespace gaussner {

struct InputOptions {
  // "auto" (a folder or .json file: FUNSD; JSON lines with "page":
  // documents; other JSON lines: sentences; else a column file), "column",
  // "jsonl", "text" (one sentence per line, split by split_words),
  // "documents" (gaussner document JSON lines) or "funsd" (a FUNSD
  // annotation file or a folder of them).
  std::string format = "auto";
  ColumnOptions column;  // for column files
  // Documents are split into windows of whole lines (document_split.h).
  int max_words = 64;
  // FUNSD: a page-size table ("name width height" lines or LayoutLM's
  // *_image.txt); without it sizes are estimated (see read_funsd).
  std::string page_sizes;
  // FUNSD: keep "other" entities as a type instead of "O".
  bool keep_other = false;
};

struct InputSentences {
  std::vector<Sentence> sentences;
  // For "text" input: each sentence's words with character offsets.
  std::vector<std::vector<TextWord>> offsets;
  // The format actually read ("column", "jsonl", "text", "documents" or
  // "funsd").
  std::string format;
};

// Reads `path` ("-" = standard input). Errors name file:line and field.
InputSentences read_input(const std::string& path,
                          const InputOptions& options = {});

// A word's box [x0, y0, x1, y1] in LayoutLM units: four integers with
// 0 <= x0 <= x1 <= 1000 and 0 <= y0 <= y1 <= 1000; otherwise an Error
// "`where`: `what` box [..]: expected ...".
Box parse_layout_box(const nlohmann::json& j,
                     const std::string& what,
                     const std::string& where);

// Parses one JSON line {"words": [...], "labels"?: [...], "boxes"?: [...]};
// `where` is "file:line" for messages.
Sentence parse_sentence_json(const std::string& line, const std::string& where);

}  // namespace gaussner
