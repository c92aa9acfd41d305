// Tensor shapes in messages: "[30522, 768]".
#pragma once

#include <c10/util/ArrayRef.h>

#include <string>

namespace gaussner {

inline std::string shape_string(c10::IntArrayRef sizes) {
  std::string s = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(sizes[i]);
  }
  return s + "]";
}

}  // namespace gaussner
