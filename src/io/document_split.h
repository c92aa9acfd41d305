// Cutting documents into sentence windows the encoder can take, and putting
// the windows' predictions back together.
//
// Lines: two consecutive words belong to one line when the second's
// vertical centre lies within the line's band (band * line height of the
// line's mean centre) and it starts to the right of the first, at most
// max_gap line heights away. Windows: consecutive lines are packed into
// windows of at most max_words words; a longer line is cut. No word is
// dropped or reordered, so concatenating the windows gives the document.
#pragma once

#include <string>
#include <vector>

#include "io/document.h"
#include "text/sentence.h"

namespace gaussner {

struct SplitOptions {
  // Most words in one window (64 keeps most windows under the reference
  // 128 word pieces).
  int max_words = 64;
  // Same line while the vertical centre is within band * line height.
  double band = 0.5;
  // A horizontal gap wider than max_gap line heights starts a new line
  // (a form's label and its far-away field become separate lines).
  double max_gap = 4.0;
};

// The lines of a document in its current word order: [first, end) word
// ranges that together cover every word once, in order.
std::vector<std::pair<int, int>> document_lines(
    const Document& document, const SplitOptions& options = {});

// Reorders the words (and every per-word vector) into reading order: lines
// top to bottom (words whose vertical centres share a band), each line left
// to right.
void sort_reading_order(Document& document, const SplitOptions& options = {});

// Windows of at most max_words words: words, IO labels (when the document
// is labelled) and normalised boxes; source "id:first_word_index".
std::vector<Sentence> split_document(const Document& document,
                                     const SplitOptions& options = {});

// split_document for each document, in order.
std::vector<Sentence> split_documents(const std::vector<Document>& documents,
                                      const SplitOptions& options = {});

// Per-word labels of `document` from its windows' predictions (one label
// per window word; windows in any order). Errors when a window belongs to
// another document, or the windows do not cover every word exactly once.
std::vector<std::string> reassemble(
    const Document& document,
    const std::vector<Sentence>& windows,
    const std::vector<std::vector<std::string>>& predictions);

}  // namespace gaussner
