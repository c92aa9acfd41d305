#include "io/document_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.h"

namespace gaussner {
namespace {

// A word's extent in page units (so that x and y distances compare).
struct Extent {
  double x0 = 0;
  double x1 = 0;
  double cy = 0;  // vertical centre
  double h = 0;   // height, at least one LayoutLM unit
};

std::vector<Extent> extents(const Document& doc) {
  double sx = doc.page_width > 0 ? doc.page_width / 1000 : 1;
  double sy = doc.page_height > 0 ? doc.page_height / 1000 : 1;
  std::vector<Extent> out;
  out.reserve(doc.size());
  for (const Box& b : doc.boxes) {
    out.push_back({b.x0 * sx,
                   b.x1 * sx,
                   (b.y0 + b.y1) * 0.5 * sy,
                   std::max(b.y1 - b.y0, 1) * sy});
  }
  return out;
}

// A line being built: the running mean of its words' centres and heights.
class LineBand {
 public:
  explicit LineBand(const Extent& first) { add(first); }
  void add(const Extent& e) {
    sum_cy_ += e.cy;
    sum_h_ += e.h;
    ++count_;
  }
  double height() const { return sum_h_ / count_; }
  bool holds(const Extent& e, double band) const {
    double centre = sum_cy_ / count_;
    return std::fabs(e.cy - centre) <= band * std::max(height(), e.h);
  }

 private:
  double sum_cy_ = 0;
  double sum_h_ = 0;
  int count_ = 0;
};

template <typename T>
void permute(std::vector<T>& values, const std::vector<int>& order) {
  if (values.empty()) return;
  std::vector<T> out;
  out.reserve(values.size());
  for (int i : order) out.push_back(std::move(values[i]));
  values = std::move(out);
}

// [first, end) word ranges of at most max_words words, whole lines where a
// line fits.
std::vector<std::pair<int, int>> pack_lines(
    const std::vector<std::pair<int, int>>& lines, int max_words) {
  std::vector<std::pair<int, int>> windows;
  int start = 0, end = 0;
  for (const auto& [first, last] : lines) {
    if (end > start && last - start > max_words) {
      windows.emplace_back(start, end);
      start = first;
    }
    while (last - start > max_words) {
      windows.emplace_back(start, start + max_words);
      start += max_words;
    }
    end = last;
  }
  if (end > start) windows.emplace_back(start, end);
  return windows;
}

// The word offset a window's source "id:first" names, or -1.
long window_offset(const Sentence& window, const std::string& id) {
  const std::string& source = window.source;
  if (source.size() <= id.size() + 1 || source.compare(0, id.size(), id) ||
      source[id.size()] != ':') {
    return -1;
  }
  std::string digits = source.substr(id.size() + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stol(digits);
}

}  // namespace

std::vector<std::pair<int, int>> document_lines(const Document& document,
                                                const SplitOptions& options) {
  validate_document(document, "document_lines");
  std::vector<Extent> e = extents(document);
  std::vector<std::pair<int, int>> lines;
  if (e.empty()) return lines;

  int first = 0;
  LineBand band(e[0]);
  for (int i = 1; i < static_cast<int>(e.size()); ++i) {
    double gap = e[i].x0 - e[i - 1].x1;
    bool same_line = band.holds(e[i], options.band) && e[i].x0 >= e[i - 1].x0 &&
                     gap <= options.max_gap * std::max(band.height(), e[i].h);
    if (same_line) {
      band.add(e[i]);
      continue;
    }
    lines.emplace_back(first, i);
    first = i;
    band = LineBand(e[i]);
  }
  lines.emplace_back(first, static_cast<int>(e.size()));
  return lines;
}

void sort_reading_order(Document& document, const SplitOptions& options) {
  validate_document(document, "sort_reading_order");
  std::vector<Extent> e = extents(document);
  std::vector<int> by_height(e.size());
  std::iota(by_height.begin(), by_height.end(), 0);
  std::stable_sort(by_height.begin(), by_height.end(), [&](int a, int b) {
    return e[a].cy != e[b].cy ? e[a].cy < e[b].cy : e[a].x0 < e[b].x0;
  });

  // bands top to bottom, then each band left to right
  std::vector<std::vector<int>> lines;
  std::vector<LineBand> bands;
  for (int i : by_height) {
    if (bands.empty() || !bands.back().holds(e[i], options.band)) {
      bands.emplace_back(e[i]);
      lines.emplace_back();
    } else {
      bands.back().add(e[i]);
    }
    lines.back().push_back(i);
  }
  std::vector<int> order;
  for (auto& line : lines) {
    std::stable_sort(line.begin(), line.end(), [&](int a, int b) {
      return e[a].x0 < e[b].x0;
    });
    order.insert(order.end(), line.begin(), line.end());
  }

  permute(document.words, order);
  permute(document.raw_boxes, order);
  permute(document.boxes, order);
  permute(document.labels, order);
  permute(document.entity, order);
}

std::vector<Sentence> split_document(const Document& document,
                                     const SplitOptions& options) {
  if (options.max_words < 1) {
    fail("split_document: max_words {}: expected at least 1",
         options.max_words);
  }
  auto windows =
      pack_lines(document_lines(document, options), options.max_words);
  std::vector<Sentence> out;
  for (const auto& [first, end] : windows) {
    Sentence s;
    s.words.assign(document.words.begin() + first,
                   document.words.begin() + end);
    if (document.labelled()) {
      s.labels.assign(document.labels.begin() + first,
                      document.labels.begin() + end);
    }
    s.boxes.assign(document.boxes.begin() + first,
                   document.boxes.begin() + end);
    s.source = fmt::format("{}:{}", document.id, first);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Sentence> split_documents(const std::vector<Document>& documents,
                                      const SplitOptions& options) {
  std::vector<Sentence> out;
  for (const auto& document : documents) {
    auto windows = split_document(document, options);
    std::move(windows.begin(), windows.end(), std::back_inserter(out));
  }
  return out;
}

std::vector<std::string> reassemble(
    const Document& document,
    const std::vector<Sentence>& windows,
    const std::vector<std::vector<std::string>>& predictions) {
  if (windows.size() != predictions.size()) {
    fail("reassemble: document \"{}\": {} windows but {} predictions",
         document.id,
         windows.size(),
         predictions.size());
  }
  std::vector<std::pair<long, std::size_t>> offsets;  // (offset, window)
  for (std::size_t k = 0; k < windows.size(); ++k) {
    const Sentence& w = windows[k];
    long offset = window_offset(w, document.id);
    bool fits =
        offset >= 0 && offset + w.size() <= document.size() &&
        std::equal(
            w.words.begin(), w.words.end(), document.words.begin() + offset);
    if (!fits || predictions[k].size() != w.size()) {
      fail(
          "reassemble: window {} (source \"{}\", {} words, {} predictions) "
          "is not a part of document \"{}\" ({} words)",
          k,
          w.source,
          w.size(),
          predictions[k].size(),
          document.id,
          document.size());
    }
    offsets.emplace_back(offset, k);
  }

  std::sort(offsets.begin(), offsets.end());
  std::vector<std::string> labels;
  labels.reserve(document.size());
  for (const auto& [offset, k] : offsets) {
    if (offset != static_cast<long>(labels.size())) {
      fail(
          "reassemble: document \"{}\": window \"{}\" starts at word {}; "
          "expected word {} (windows overlap or leave a gap)",
          document.id,
          windows[k].source,
          offset,
          labels.size());
    }
    labels.insert(labels.end(), predictions[k].begin(), predictions[k].end());
  }
  if (labels.size() != document.size()) {
    fail("reassemble: document \"{}\": windows cover {} of {} words",
         document.id,
         labels.size(),
         document.size());
  }
  return labels;
}

}  // namespace gaussner
