#include "model/word_batch.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "util/error.h"

namespace gaussner {
namespace {

// Box values of [CLS] and [SEP] (Hugging Face's LayoutLM convention).
constexpr int32_t kClsBox = 0;
constexpr int32_t kSepBox = 1000;
constexpr int64_t kWholeSentence = std::numeric_limits<int64_t>::max() / 4;

// Prefix sums of each word's piece count, capped at `max_pieces`.
std::vector<int64_t> capped_prefix(const WordPieces& pieces,
                                   int64_t max_pieces) {
  std::vector<int64_t> prefix(pieces.word_pieces.size() + 1, 0);
  for (size_t i = 0; i < pieces.word_pieces.size(); ++i) {
    prefix[i + 1] = prefix[i] + std::min(pieces.word_pieces[i], max_pieces);
  }
  return prefix;
}

// The end of the longest window starting at word `begin`.
int64_t window_end(const std::vector<int64_t>& prefix,
                   int64_t begin,
                   int64_t max_pieces) {
  auto limit = prefix.begin() + begin;
  auto it = std::upper_bound(limit, prefix.end(), *limit + max_pieces);
  return static_cast<int64_t>(it - prefix.begin()) - 1;
}

// Context of word `i` in window `w`: pieces on its poorer side; a window
// edge at the sentence's edge counts as unlimited context.
int64_t context(const std::vector<int64_t>& prefix,
                const Window& w,
                int64_t i) {
  const int64_t words = static_cast<int64_t>(prefix.size()) - 1;
  int64_t left = w.begin == 0 ? kWholeSentence : prefix[i] - prefix[w.begin];
  int64_t right =
      w.end == words ? kWholeSentence : prefix[w.end] - prefix[i + 1];
  return std::min(left, right);
}

// Overlapping windows of at most `max_pieces`, each starting near the
// middle of the previous one.
std::vector<Window> cover(const std::vector<int64_t>& prefix,
                          int64_t max_pieces) {
  const int64_t words = static_cast<int64_t>(prefix.size()) - 1;
  std::vector<Window> windows;
  int64_t begin = 0;
  while (true) {
    int64_t end = window_end(prefix, begin, max_pieces);
    windows.push_back({begin, end, begin, end});
    if (end == words) break;
    int64_t middle = prefix[begin] + (prefix[end] - prefix[begin]) / 2;
    int64_t next =
        std::lower_bound(
            prefix.begin() + begin + 1, prefix.begin() + end + 1, middle) -
        prefix.begin();
    // The next window must reach past this one.
    while (window_end(prefix, next, max_pieces) <= end) ++next;
    begin = next;
  }
  return windows;
}

// A kept-words boundary between windows a and b: the first shared word
// with more context in b.
int64_t boundary(const std::vector<int64_t>& prefix,
                 const Window& a,
                 const Window& b) {
  for (int64_t i = b.begin; i < a.end; ++i) {
    if (context(prefix, b, i) > context(prefix, a, i)) return i;
  }
  return a.end;
}

// One item's sequence: [CLS] pieces [SEP], and where its kept words start.
struct Sequence {
  std::vector<int64_t> ids;
  std::vector<Box> boxes;
  std::vector<int64_t> kept_starts;
};

void check_item(const BatchItem& item, size_t index) {
  if (item.sentence == nullptr || item.pieces == nullptr) {
    fail("make_word_batch: item {} has no sentence or pieces", index);
  }
  const Sentence& s = *item.sentence;
  const Window& w = item.window;
  const int64_t words = static_cast<int64_t>(item.pieces->word_start.size());
  if (words != static_cast<int64_t>(s.size())) {
    fail("{}: {} words but {} pieced words", s.source, s.size(), words);
  }
  if (w.begin < 0 || w.begin > w.keep_begin || w.keep_begin > w.keep_end ||
      w.keep_end > w.end || w.end > words) {
    fail("{}: window [{}, {}) keeping [{}, {}) does not fit {} words",
         s.source,
         w.begin,
         w.end,
         w.keep_begin,
         w.keep_end,
         words);
  }
  if (s.has_boxes() && s.boxes.size() != s.size()) {
    fail("{}: {} boxes for {} words", s.source, s.boxes.size(), s.size());
  }
}

Sequence make_sequence(const Tokenizer& tokenizer,
                       const BatchItem& item,
                       int64_t max_pieces) {
  const Sentence& s = *item.sentence;
  const WordPieces& p = *item.pieces;
  Sequence seq;
  seq.ids.push_back(tokenizer.cls_id());
  seq.boxes.push_back({kClsBox, kClsBox, kClsBox, kClsBox});
  for (int64_t i = item.window.begin; i < item.window.end; ++i) {
    if (i >= item.window.keep_begin && i < item.window.keep_end) {
      seq.kept_starts.push_back(static_cast<int64_t>(seq.ids.size()));
    }
    // A word longer than the limit keeps its first pieces.
    int64_t n = std::min(p.word_pieces[i], max_pieces);
    auto first = p.ids.begin() + p.word_start[i];
    seq.ids.insert(seq.ids.end(), first, first + n);
    seq.boxes.insert(seq.boxes.end(), n, s.has_boxes() ? s.boxes[i] : Box{});
  }
  seq.ids.push_back(tokenizer.sep_id());
  seq.boxes.push_back({kSepBox, kSepBox, kSepBox, kSepBox});
  if (static_cast<int64_t>(seq.ids.size()) > max_pieces + 2) {
    fail("{}: window [{}, {}) has {} pieces, more than the {} that fit",
         s.source,
         item.window.begin,
         item.window.end,
         seq.ids.size() - 2,
         max_pieces);
  }
  return seq;
}

torch::Tensor to_tensor(std::vector<int64_t>& values,
                        std::vector<int64_t> shape) {
  return torch::from_blob(values.data(), shape, torch::kLong).clone();
}

}  // namespace

WordPieces piece_words(const Tokenizer& tokenizer,
                       const std::vector<std::string>& words) {
  WordPieces out;
  for (const auto& word : words) {
    std::vector<int64_t> ids = tokenizer.word_ids(word);
    if (ids.empty()) ids.push_back(tokenizer.unk_id());
    out.word_start.push_back(static_cast<int64_t>(out.ids.size()));
    out.word_pieces.push_back(static_cast<int64_t>(ids.size()));
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
  }
  return out;
}

std::vector<Window> plan_windows(const WordPieces& pieces, int64_t max_pieces) {
  if (max_pieces < 1) {
    fail("plan_windows: max_pieces is {}, expected at least 1", max_pieces);
  }
  const int64_t words = static_cast<int64_t>(pieces.word_pieces.size());
  std::vector<int64_t> prefix = capped_prefix(pieces, max_pieces);
  std::vector<Window> windows = cover(prefix, max_pieces);

  // Each shared word goes to the window where it has more context; the
  // boundaries never move backwards, so kept ranges tile the sentence.
  int64_t keep_begin = 0;
  std::vector<Window> kept;
  for (size_t j = 0; j < windows.size(); ++j) {
    Window w = windows[j];
    w.keep_begin = keep_begin;
    w.keep_end =
        j + 1 < windows.size()
            ? std::max(keep_begin, boundary(prefix, windows[j], windows[j + 1]))
            : words;
    keep_begin = w.keep_end;
    if (w.keep_end > w.keep_begin || windows.size() == 1) kept.push_back(w);
  }
  return kept;
}

WordBatch make_word_batch(const Tokenizer& tokenizer,
                          const std::vector<BatchItem>& items,
                          int64_t max_positions) {
  if (items.empty()) fail("make_word_batch: no items");
  const int64_t max_pieces = max_positions - 2;
  std::vector<Sequence> seqs;
  size_t with_boxes = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    check_item(items[i], i);
    with_boxes += items[i].sentence->has_boxes();
    seqs.push_back(make_sequence(tokenizer, items[i], max_pieces));
  }
  if (with_boxes != 0 && with_boxes != items.size()) {
    fail(
        "make_word_batch: {} of {} sentences have boxes; boxes must be "
        "given for all or none (first: {})",
        with_boxes,
        items.size(),
        items[0].sentence->source);
  }

  // B x T, padded to the longest item.
  const int64_t b = static_cast<int64_t>(items.size());
  int64_t t = 0;
  for (const auto& s : seqs) t = std::max<int64_t>(t, s.ids.size());
  std::vector<int64_t> ids(b * t, tokenizer.pad_id());
  std::vector<int64_t> mask(b * t, 0);
  std::vector<int64_t> boxes(b * t * 4, 0);
  std::vector<int64_t> word_index;
  WordBatch batch;
  for (int64_t r = 0; r < b; ++r) {
    const Sequence& s = seqs[r];
    for (size_t k = 0; k < s.ids.size(); ++k) {
      ids[r * t + k] = s.ids[k];
      mask[r * t + k] = 1;
      const Box& box = s.boxes[k];
      int64_t* out = &boxes[(r * t + k) * 4];
      out[0] = box.x0;
      out[1] = box.y0;
      out[2] = box.x1;
      out[3] = box.y1;
    }
    for (int64_t start : s.kept_starts) word_index.push_back(r * t + start);
    batch.kept_words.push_back(static_cast<int64_t>(s.kept_starts.size()));
  }

  batch.input.input_ids = to_tensor(ids, {b, t});
  batch.input.attention_mask = to_tensor(mask, {b, t});
  batch.input.token_type_ids = torch::zeros({b, t}, torch::kLong);
  if (with_boxes != 0) batch.input.bbox = to_tensor(boxes, {b, t, 4});
  batch.word_index =
      to_tensor(word_index, {static_cast<int64_t>(word_index.size())});
  return batch;
}

torch::Tensor gather_words(const torch::Tensor& hidden,
                           const torch::Tensor& word_index) {
  // B x T x H -> (B*T) x H -> N x H
  auto flat = hidden.reshape({-1, hidden.size(-1)});
  return flat.index_select(0, word_index.to(hidden.device()));
}

std::vector<torch::Tensor> embed_words(Encoder& encoder,
                                       const Tokenizer& tokenizer,
                                       const std::vector<Sentence>& sentences,
                                       const EmbedOptions& options) {
  const auto& config = encoder->config();
  const int64_t max_positions = options.max_positions > 0
                                    ? options.max_positions
                                    : config.max_position_embeddings;
  if (max_positions < 3 || max_positions > config.max_position_embeddings) {
    fail("embed_words: max_positions {} must be in 3..{}",
         max_positions,
         config.max_position_embeddings);
  }
  if (options.batch_size < 1) {
    fail("embed_words: batch_size is {}, expected at least 1",
         options.batch_size);
  }

  // Every window of every non-empty sentence, shortest first.
  std::vector<WordPieces> pieces;
  std::vector<BatchItem> items;
  std::vector<size_t> owner;  // item -> sentence
  pieces.reserve(sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    pieces.push_back(piece_words(tokenizer, sentences[i].words));
    if (sentences[i].words.empty()) continue;
    for (const Window& w : plan_windows(pieces[i], max_positions - 2)) {
      items.push_back({&sentences[i], &pieces[i], w});
      owner.push_back(i);
    }
  }
  auto length = [&](size_t k) {
    const WordPieces& p = *items[k].pieces;
    const Window& w = items[k].window;
    if (w.end == w.begin) return int64_t{0};
    int64_t stop = w.end < static_cast<int64_t>(p.word_start.size())
                       ? p.word_start[w.end]
                       : static_cast<int64_t>(p.ids.size());
    return stop - p.word_start[w.begin];
  };
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return length(a) < length(b);
  });

  // Word vectors per sentence, keyed by the first kept word.
  std::vector<std::map<int64_t, torch::Tensor>> parts(sentences.size());
  for (size_t start = 0; start < order.size(); start += options.batch_size) {
    size_t stop = std::min(order.size(), start + options.batch_size);
    std::vector<BatchItem> batch_items;
    for (size_t k = start; k < stop; ++k)
      batch_items.push_back(items[order[k]]);
    WordBatch batch = make_word_batch(tokenizer, batch_items, max_positions);
    if (!options.use_boxes || !config.is_layoutlm()) {
      batch.input.bbox = torch::Tensor();
    }
    auto vectors = gather_words(encoder->forward(batch.input),
                                batch.word_index);  // N x H
    int64_t row = 0;
    for (size_t k = start; k < stop; ++k) {
      const BatchItem& item = items[order[k]];
      int64_t n = batch.kept_words[k - start];
      parts[owner[order[k]]][item.window.keep_begin] =
          vectors.narrow(0, row, n);
      row += n;
    }
  }

  // W x H per sentence, in word order.
  auto options_of = encoder->parameters().front().options();
  std::vector<torch::Tensor> out;
  for (size_t i = 0; i < sentences.size(); ++i) {
    std::vector<torch::Tensor> chunks;
    for (auto& [begin, chunk] : parts[i]) chunks.push_back(chunk);
    out.push_back(chunks.empty()
                      ? torch::zeros({0, config.hidden_size}, options_of)
                      : torch::cat(chunks));
  }
  return out;
}

}  // namespace gaussner
