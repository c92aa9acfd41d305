// Column files of the CoNLL family: one word per line, blank line between
// sentences.
#pragma once

#include <string>
#include <vector>

#include "text/label_set.h"
#include "text/sentence.h"

namespace gaussner {

struct ColumnOptions {
  int word_column = 0;    // 0-based column of the word
  int label_column = -1;  // 0-based column of the label; -1 = last column
  // Tag scheme of the file: "auto" (detect), "io", "bio" or "bioes". All are
  // mapped to IO (B-X, I-X, E-X, S-X -> X; METHOD.md section 1).
  std::string scheme = "auto";
  // When set, a label outside it is an Error naming file:line (not "O").
  const LabelSet* labels = nullptr;
  // When false, lines with a single column are words without labels.
  bool require_labels = true;
};

// Reads a column file (tab- or space-separated; gzip read transparently).
// -DOCSTART- lines are skipped; blank or whitespace-only lines end a
// sentence. Errors name file:line, the text seen and what was expected.
std::vector<Sentence> read_column_file(const std::string& path,
                                       const ColumnOptions& options = {});

// Maps one BIO/BIOES/IO label to IO ("B-PER" -> "PER", "O" -> "O"); a
// malformed tag ("B-", "B-O") is an Error.
std::string to_io(const std::string& label);

// Writes sentences as "word<TAB>label" lines, blank line between sentences
// (gzip when `path` ends in ".gz"). Words or labels that would not read back
// (empty, holding whitespace) are an Error.
void write_column_file(const std::string& path,
                       const std::vector<Sentence>& sentences);

}  // namespace gaussner
