#include "eval/spans.h"

#include "text/tags.h"

namespace gaussner {

std::vector<Span> extract_spans(const std::vector<std::string>& labels) {
  std::vector<Span> spans;
  std::string previous = "O";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::string label = io_label(labels[i]);
    int index = static_cast<int>(i);
    if (label != "O" && label == previous) {
      spans.back().end = index + 1;
    } else if (label != "O") {
      spans.push_back(Span{index, index + 1, label});
    }
    previous = std::move(label);
  }
  return spans;
}

}  // namespace gaussner
