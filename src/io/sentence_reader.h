// One reader for every sentence input the commands accept: column files,
// JSON lines with "words" (and optional "labels", "boxes"), and plain text.
#pragma once

#include <string>
#include <vector>

#include "io/column_file.h"
#include "text/sentence.h"
#include "text/word_splitter.h"

namespace gaussner {

struct InputOptions {
  // "auto" (JSON lines if the first non-blank line starts with '{', else a
  // column file), "column", "jsonl" or "text" (one sentence per line, split
  // by split_words).
  std::string format = "auto";
  ColumnOptions column;  // for column files
};

struct InputSentences {
  std::vector<Sentence> sentences;
  // For "text" input: each sentence's words with character offsets.
  std::vector<std::vector<TextWord>> offsets;
  // The format actually read ("column", "jsonl" or "text").
  std::string format;
};

// Reads `path` ("-" = standard input). Errors name file:line and field.
InputSentences read_input(const std::string& path,
                          const InputOptions& options = {});

// Parses one JSON line {"words": [...], "labels"?: [...], "boxes"?: [...]};
// `where` is "file:line" for messages.
Sentence parse_sentence_json(const std::string& line, const std::string& where);

}  // namespace gaussner
