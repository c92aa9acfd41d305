// A labelled sentence (or document window): the unit every stage works on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gaussner {

// A word's box in LayoutLM units: integers in 0..1000, x0 <= x1, y0 <= y1.
struct Box {
  int32_t x0 = 0;
  int32_t y0 = 0;
  int32_t x1 = 0;
  int32_t y1 = 0;
  bool operator==(const Box& o) const {
    return x0 == o.x0 && y0 == o.y0 && x1 == o.x1 && y1 == o.y1;
  }
};

// Pre-split words with optional IO labels and optional boxes.
struct Sentence {
  std::vector<std::string> words;
  // IO labels ("O" or a type name), one per word; empty when unlabelled.
  std::vector<std::string> labels;
  // One box per word (LayoutLM units); empty when the input has no layout.
  std::vector<Box> boxes;
  // Where the sentence came from, for messages ("file:line"); may be empty.
  std::string source;

  std::size_t size() const { return words.size(); }
  bool labelled() const { return !labels.empty(); }
  bool has_boxes() const { return !boxes.empty(); }
};

}  // namespace gaussner
