// Few-NERD episode files: JSON lines with support, query and types.
#pragma once

#include <string>
#include <vector>

#include "text/sentence.h"

namespace gaussner {

struct Episode {
  std::vector<Sentence> support;
  std::vector<Sentence> query;
  std::vector<std::string> types;  // the episode's N entity types
  std::size_t index = 0;           // 0-based line in the file
};

// Reads every episode. {"support": {"word": [[...]], "label": [[...]],
// optional "box": [[[x0,y0,x1,y1], ...]]}, "query": {...}, "types": [...]}.
// Errors name the file, the episode index (0-based line) and the field: a
// missing field, word/label length mismatch, a label outside `types`, an
// empty support set. Blank lines are skipped. Labels "B-X"/"I-X" of a type
// X in `types` are read as X (IO).
std::vector<Episode> read_episodes(const std::string& path);

// Parses one line (used by read_episodes and tests).
Episode parse_episode(const std::string& line,
                      const std::string& path,
                      std::size_t index);

// Serialises an episode in the same format (boxes when present).
std::string episode_to_json(const Episode& episode);

}  // namespace gaussner
