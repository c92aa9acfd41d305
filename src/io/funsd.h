// FUNSD form annotations (Jaume et al., ICDAR-OST 2019) read as Documents.
//
// A FUNSD file is {"form": [entity, ...]}; each entity has a "label"
// (header, question, answer or other) and "words", each {"text", "box"} in
// pixels of the scan. Words take their entity's label, IO-style. By default
// "other" becomes "O", as LayoutLM's FUNSD preprocessing does; keep_other
// keeps it as a fourth type. Words with empty or blank text are skipped
// (FUNSD has 890 of them). The JSON stores no page size: see FunsdOptions.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "io/document.h"

namespace gaussner {

// Page size (width, height) by image name without extension ("82092117").
using PageSizes = std::map<std::string, std::pair<double, double>>;

// Reads a page-size table. Two line forms are accepted:
//   name width height                  (whitespace-separated)
//   word<TAB>x0 y0 x1 y1<TAB>width height<TAB>image-file
// the second being LayoutLM's FUNSD `*_image.txt`, so that file can be used
// as it is. Names lose their extension; blank lines are skipped. A name given
// two different sizes, or a line of neither form, is an Error naming
// file:line.
PageSizes read_page_sizes(const std::string& path);

// FUNSD scans are 1000 px high (dataset README); widths are 754..863 px.
constexpr double kFunsdPageHeight = 1000;
constexpr double kFunsdMinPageWidth = 754;

struct FunsdOptions {
  // Page size in pixels for every file; 0 = look it up in `sizes`, else
  // estimate (see read_funsd).
  double page_width = 0;
  double page_height = 0;
  // Sizes by document id (file name without ".json"); not owned.
  const PageSizes* sizes = nullptr;
  // Keep "other" entities as type "other" instead of "O" (LayoutLM: "O").
  bool keep_other = false;
  // Reorder words into reading order (document_split.h) instead of the
  // file's entity order (which LayoutLM's preprocessing keeps).
  bool reading_order = false;
};

// Reads one FUNSD annotation file; the document id is the file name without
// ".json". Page size: options.page_width/height when given, else the
// `sizes` entry, else an estimate: height max(1000, largest y1), width
// max(754, largest x1) (on FUNSD's 199 files this is within 6.3% of the true
// width, 1.5% on average). Errors name the file, the entity index and the
// word index: malformed JSON, a missing "form", an entity without words or
// label, an unknown label, a bad box.
Document read_funsd(const std::string& path, const FunsdOptions& options = {});

// Reads every *.json file of a folder, sorted by file name.
std::vector<Document> read_funsd_folder(const std::string& folder,
                                        const FunsdOptions& options = {});

}  // namespace gaussner
