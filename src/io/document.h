// Documents: words with boxes on a page (forms, invoices, receipts), and
// gaussner's JSON-lines file of them.
//
// A document line reads
//   {"id": "form-1", "page": [850, 1100], "words": ["Name:", "Ada"],
//    "boxes": [[60, 80, 120, 96], [130, 80, 170, 96]],
//    "labels": ["question", "answer"]}
// with boxes in page units (pixels, points: whatever `page` is measured in)
// and optional IO labels. FUNSD annotation files are read by io/funsd.h;
// documents are cut into sentence windows by io/document_split.h.
#pragma once

#include <string>
#include <vector>

#include "text/sentence.h"

namespace gaussner {

// A word's box in page units, as the file gives it (top-left origin).
struct PageBox {
  double x0 = 0;
  double y0 = 0;
  double x1 = 0;
  double y1 = 0;
};

// One page of words. All per-word vectors have one entry per word, except
// `labels` and `entity`, which may be empty.
struct Document {
  std::string id;
  double page_width = 0;   // page units
  double page_height = 0;  // page units
  std::vector<std::string> words;
  std::vector<PageBox> raw_boxes;   // page units, as in the file
  std::vector<Box> boxes;           // LayoutLM units 0..1000
  std::vector<std::string> labels;  // IO ("O" or a type); empty: unlabelled
  // Index of the annotated entity (FUNSD "form" entry) each word belongs
  // to, -1 for none; empty when the source has no entities.
  std::vector<int> entity;

  std::size_t size() const { return words.size(); }
  bool labelled() const { return !labels.empty(); }
};

// Scales a page box to LayoutLM units: 1000 * coordinate / page size,
// rounded to the nearest integer (LayoutLM's own preprocessing truncates).
// A box up to 1% past the page edge is clamped to 1000; a negative
// coordinate, an inverted box (x1 < x0 or y1 < y0) or a box further outside
// the page is an Error naming `where` (file, document, word) and the box.
Box normalise_box(const PageBox& raw,
                  double page_width,
                  double page_height,
                  const std::string& where);

// Checks a document's invariants (vector lengths, boxes inside 0..1000,
// non-blank words and labels) and fails naming `where` and the word index.
void validate_document(const Document& document, const std::string& where);

// Parses one line of a document file; errors name path:line_number, the
// field and the word index.
Document parse_document(const std::string& line,
                        const std::string& path,
                        std::size_t line_number);

// Reads a JSON-lines document file (gzip read transparently; blank lines
// skipped). Boxes are normalised with the document's page size. Errors name
// file:line, the field and the word index; a repeated id is an error.
std::vector<Document> read_documents(const std::string& path);

// One document as a JSON line (page boxes; normalised boxes with page
// [1000, 1000] when the document has no page boxes).
std::string document_to_json(const Document& document);

// Writes documents in the format read_documents reads ("-" = stdout).
void write_documents(const std::string& path,
                     const std::vector<Document>& documents);

}  // namespace gaussner
