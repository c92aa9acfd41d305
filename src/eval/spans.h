// Entity spans from IO labels (METHOD.md section 7).
#pragma once

#include <string>
#include <vector>

namespace gaussner {

// Words [start, end) labelled `label`.
struct Span {
  int start = 0;
  int end = 0;
  std::string label;
  bool operator==(const Span& o) const {
    return start == o.start && end == o.end && label == o.label;
  }
};

// Maximal runs of one non-"O" label. Accepts BIO/BIOES too (mapped to IO
// first, so "B-X I-X" is one span; adjacent same-type entities merge, as IO
// implies).
std::vector<Span> extract_spans(const std::vector<std::string>& labels);

}  // namespace gaussner
