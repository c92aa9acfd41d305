#include "train/trainer.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "model/word_batch.h"
#include "util/error.h"
#include "util/progress.h"

namespace gaussner {

namespace fs = std::filesystem;

namespace {

// A window of a sentence with its words' label ids.
struct TrainItem {
  BatchItem item;
  std::vector<int64_t> labels;  // ids of the kept words
  int64_t length = 0;           // pieces in the window
};

// Pieces of every sentence, kept alive for the items that point into them.
struct PreparedData {
  std::vector<WordPieces> pieces;
  std::vector<TrainItem> items;
};

PreparedData prepare(const ContainerModel& model,
                     const std::vector<Sentence>& sentences,
                     const LabelSet& labels,
                     int64_t max_positions) {
  PreparedData data;
  data.pieces.reserve(sentences.size());
  for (const auto& s : sentences) {
    if (!s.labelled()) {
      fail("{}: sentence has no labels; training needs labelled words",
           s.source.empty() ? "input" : s.source);
    }
    data.pieces.push_back(piece_words(model.tokenizer, s.words));
  }
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const Sentence& s = sentences[i];
    const WordPieces& p = data.pieces[i];
    for (const Window& w : plan_windows(p, max_positions - 2)) {
      TrainItem t;
      t.item = {&s, &p, w};
      for (int64_t k = w.keep_begin; k < w.keep_end; ++k) {
        t.labels.push_back(labels.at(s.labels[k], s.source));
      }
      int64_t last = w.end - 1;
      t.length =
          p.word_start[last] + p.word_pieces[last] - p.word_start[w.begin] + 2;
      data.items.push_back(std::move(t));
    }
  }
  return data;
}

// Uniform integer in [0, n) from a 64-bit engine, the same on every
// platform (std::uniform_int_distribution is implementation-defined).
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = rng();
  } while (x >= limit);
  return x % n;
}

template <typename T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    std::swap(v[i - 1], v[uniform_below(rng, i)]);
  }
}

// Batches for one epoch: shuffle, sort pools of 50 batches by length so
// that a batch pads only to similar lengths, then shuffle the batches.
std::vector<std::vector<int64_t>> plan_batches(
    const std::vector<TrainItem>& items, int64_t batch_size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> order(items.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  shuffle(order, rng);
  std::size_t pool = static_cast<std::size_t>(batch_size) * 50;
  std::vector<std::vector<int64_t>> batches;
  for (std::size_t begin = 0; begin < order.size(); begin += pool) {
    std::size_t end = std::min(order.size(), begin + pool);
    std::stable_sort(
        order.begin() + begin, order.begin() + end, [&](int64_t a, int64_t b) {
          return items[a].length < items[b].length;
        });
    for (std::size_t b = begin; b < end; b += batch_size) {
      std::size_t e = std::min(end, b + static_cast<std::size_t>(batch_size));
      batches.emplace_back(order.begin() + b, order.begin() + e);
    }
  }
  shuffle(batches, rng);
  return batches;
}

struct StepOutput {
  torch::Tensor loss;
  int64_t words = 0;
  int64_t pieces = 0;
  int64_t positions = 0;  // B x T, padding included
};

// Pads a batch to `length` positions (the reference pads everything to
// 128); word indices are recomputed for the wider rows.
void pad_batch(WordBatch& batch, int64_t length) {
  auto& in = batch.input;
  int64_t t = in.input_ids.size(1);
  if (length <= t) return;
  namespace F = torch::nn::functional;
  auto pad = F::PadFuncOptions({0, length - t});
  in.input_ids = F::pad(in.input_ids, pad);
  in.attention_mask = F::pad(in.attention_mask, pad);
  if (in.token_type_ids.defined()) {
    in.token_type_ids = F::pad(in.token_type_ids, pad);
  }
  if (in.bbox.defined()) {
    in.bbox = F::pad(in.bbox, F::PadFuncOptions({0, 0, 0, length - t}));
  }
  batch.word_index =
      batch.word_index.div(t, "floor") * length + batch.word_index.remainder(t);
}

// Forward pass of one batch to the loss (METHOD.md sections 3 and 4).
StepOutput batch_loss(ContainerModel& model,
                      const std::vector<TrainItem>& items,
                      const std::vector<int64_t>& chosen,
                      int64_t max_positions,
                      bool log2,
                      int64_t pad_to = 0) {
  std::vector<BatchItem> batch_items;
  std::vector<int64_t> labels;
  StepOutput out;
  for (int64_t i : chosen) {
    batch_items.push_back(items[i].item);
    labels.insert(labels.end(), items[i].labels.begin(), items[i].labels.end());
    out.pieces += items[i].length;
  }
  auto device = model.device();
  WordBatch batch =
      make_word_batch(model.tokenizer, batch_items, max_positions);
  if (pad_to > 0) pad_batch(batch, pad_to);
  out.positions = batch.input.input_ids.numel();
  EncoderInput input = batch.input;
  input.input_ids = input.input_ids.to(device);
  input.attention_mask = input.attention_mask.to(device);
  if (input.token_type_ids.defined()) {
    input.token_type_ids = input.token_type_ids.to(device);
  }
  if (input.bbox.defined()) input.bbox = input.bbox.to(device);

  // h: N x H at each word's first piece; mu, var: N x D.
  torch::Tensor hidden = model.encoder->forward(input);
  torch::Tensor h = gather_words(hidden, batch.word_index.to(device));
  auto [mu, var] = model.head->forward(h);
  torch::Tensor y = torch::tensor(labels, torch::kInt64).to(device);
  LossOptions loss_options;
  loss_options.log2 = log2;
  out.loss = contrastive_loss(mu, var, y, loss_options);
  out.words = static_cast<int64_t>(labels.size());
  return out;
}

double learning_rate_at(const TrainOptions& o, int64_t step, int64_t total) {
  double warm = o.warmup * total;
  if (warm > 0 && step < warm) return o.learning_rate * (step + 1) / warm;
  if (o.linear_decay && total > warm) {
    double left = (total - step) / (total - warm);
    return o.learning_rate * std::max(0.0, left);
  }
  return o.learning_rate;
}

torch::optim::AdamW make_optimizer(const ContainerModel& model,
                                   double lr,
                                   double eps,
                                   double weight_decay) {
  torch::optim::AdamWOptions options(lr);
  options.eps(eps).weight_decay(weight_decay);
  return torch::optim::AdamW(model.parameters(), options);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  }
}

// Checkpoint: model folder + optimizer state + step, replaced atomically.
void save_checkpoint(const ContainerModel& model,
                     const torch::optim::AdamW& optimizer,
                     const TrainOptions& options,
                     int64_t step,
                     std::size_t items) {
  fs::path dir(options.checkpoint_dir);
  fs::path tmp = dir;
  tmp += ".tmp";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  save_model(model, (tmp / "model").string());
  torch::save(optimizer, (tmp / "optimizer.pt").string());
  nlohmann::json state = {
      {"step", step}, {"items", items}, {"options", options.to_json()}};
  std::ofstream(tmp / "state.json") << state.dump(2) << "\n";
  fs::remove_all(dir);
  fs::rename(tmp, dir);
}

// Restores a checkpoint into `model` and `optimizer`; returns the step to
// continue from (0 when there is none).
int64_t load_checkpoint(ContainerModel& model,
                        torch::optim::AdamW& optimizer,
                        const TrainOptions& options,
                        std::size_t items) {
  if (options.checkpoint_dir.empty()) return 0;
  fs::path dir(options.checkpoint_dir);
  if (!fs::exists(dir / "state.json")) return 0;
  nlohmann::json state;
  std::ifstream(dir / "state.json") >> state;
  nlohmann::json now = options.to_json();
  nlohmann::json then = state.value("options", nlohmann::json::object());
  for (const char* key : {"batch_size", "seed", "epochs", "max_positions"}) {
    if (then.value(key, nlohmann::json()) != now[key]) {
      fail(
          "{}: checkpoint was made with {} = {}, this run has {}; resume "
          "needs the same setting (or remove the checkpoint folder)",
          dir.string(),
          key,
          then.value(key, nlohmann::json()).dump(),
          now[key].dump());
    }
  }
  if (state.value("items", std::size_t{0}) != items) {
    fail("{}: checkpoint was made on {} training windows, this data gives {}",
         dir.string(),
         state.value("items", std::size_t{0}),
         items);
  }
  ContainerModel saved = load_model((dir / "model").string());
  torch::NoGradGuard no_grad;
  auto src = snapshot(saved);
  restore(model, src);
  torch::load(optimizer, (dir / "optimizer.pt").string());
  return state.at("step").get<int64_t>();
}

}  // namespace

nlohmann::json TrainOptions::to_json() const {
  return {{"batch_size", batch_size},
          {"learning_rate", learning_rate},
          {"adam_eps", adam_eps},
          {"weight_decay", weight_decay},
          {"clip_norm", clip_norm},
          {"epochs", epochs},
          {"max_steps", max_steps},
          {"warmup", warmup},
          {"linear_decay", linear_decay},
          {"seed", seed},
          {"max_positions", max_positions},
          {"log2", log2}};
}

TrainResult train(ContainerModel& model,
                  const std::vector<Sentence>& sentences,
                  const TrainOptions& options) {
  if (sentences.empty()) fail("train: no training sentences");
  if (options.batch_size <= 0) {
    fail("train: batch size must be positive, got {}", options.batch_size);
  }
  check_layout(model, sentences, "training data");
  PreparedData data =
      prepare(model, sentences, model.labels, options.max_positions);
  std::vector<std::vector<std::vector<int64_t>>> epochs;
  int64_t total = 0;
  for (int64_t e = 0; e < options.epochs; ++e) {
    epochs.push_back(
        plan_batches(data.items, options.batch_size, options.seed + e));
    total += static_cast<int64_t>(epochs.back().size());
  }
  if (options.max_steps > 0) total = std::min(total, options.max_steps);

  model.transitions = TransitionCounts::from_sentences(sentences);
  model.training = options.to_json();
  model.trained = true;

  auto optimizer = make_optimizer(
      model, options.learning_rate, options.adam_eps, options.weight_decay);
  int64_t start = load_checkpoint(model, optimizer, options, data.items.size());
  if (start > 0 && !options.quiet) {
    std::fprintf(stderr,
                 "train: resuming from step %lld of %lld\n",
                 static_cast<long long>(start),
                 static_cast<long long>(total));
  }

  std::ofstream log;
  if (!options.log_file.empty()) log.open(options.log_file, std::ios::app);
  Progress progress("train", total - start, 0.0);
  TrainResult result;
  double interval_loss = 0;
  int64_t interval_steps = 0, interval_pieces = 0;
  auto interval_start = std::chrono::steady_clock::now();
  model.encoder->train();
  model.head->train();

  int64_t step = 0;
  for (std::size_t e = 0; e < epochs.size() && step < total; ++e) {
    for (const auto& chosen : epochs[e]) {
      if (step >= total) break;
      if (step < start) {
        ++step;
        continue;
      }
      // Dropout masks depend only on (seed, step), so a resumed run draws
      // the same ones as an uninterrupted run.
      torch::manual_seed(options.seed * 1000003ULL + step);
      double lr = learning_rate_at(options, step, total);
      set_learning_rate(optimizer, lr);
      optimizer.zero_grad();
      StepOutput out = batch_loss(model,
                                  data.items,
                                  chosen,
                                  options.max_positions,
                                  options.log2,
                                  options.pad_to);
      out.loss.backward();
      double grad_norm = torch::nn::utils::clip_grad_norm_(model.parameters(),
                                                           options.clip_norm);
      optimizer.step();
      ++step;

      double loss = out.loss.item<double>();
      if (result.steps == 0) result.first_loss = loss;
      ++result.steps;
      result.words += out.words;
      result.pieces += out.pieces;
      result.positions += out.positions;
      interval_loss += loss;
      ++interval_steps;
      interval_pieces += out.pieces;

      bool log_now =
          step % std::max<int64_t>(1, options.log_every) == 0 || step == total;
      if (log_now) {
        double secs = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - interval_start)
                          .count();
        double mean_loss = interval_loss / interval_steps;
        double rate = interval_pieces / std::max(secs, 1e-9);
        result.last_loss = mean_loss;
        if (!options.quiet) {
          progress.update(step - start,
                          fmt::format("epoch {} step {}/{} loss {:.4f} lr "
                                      "{:.2e} grad {:.3f} tok/s {:.0f}",
                                      e + 1,
                                      step,
                                      total,
                                      mean_loss,
                                      lr,
                                      grad_norm,
                                      rate));
        }
        if (log.is_open()) {
          log << nlohmann::json{{"step", step},
                                {"total", total},
                                {"epoch", e + 1},
                                {"loss", mean_loss},
                                {"lr", lr},
                                {"grad_norm", grad_norm},
                                {"tokens_per_s", rate},
                                {"elapsed_s", progress.elapsed()}}
                     .dump()
              << "\n"
              << std::flush;
        }
        interval_loss = 0;
        interval_steps = 0;
        interval_pieces = 0;
        interval_start = std::chrono::steady_clock::now();
      }
      if (options.checkpoint_every > 0 && !options.checkpoint_dir.empty() &&
          step % options.checkpoint_every == 0 && step < total) {
        save_checkpoint(model, optimizer, options, step, data.items.size());
      }
    }
  }
  progress.finish();
  result.seconds = progress.elapsed();
  model.encoder->eval();
  model.head->eval();
  return result;
}

FinetuneResult finetune(ContainerModel& model,
                        const std::vector<Sentence>& support,
                        const LabelSet& labels,
                        const FinetuneOptions& options) {
  FinetuneResult result;
  if (support.empty()) fail("finetune: the support set is empty");
  check_layout(model, support, "support set");
  PreparedData data = prepare(model, support, labels, options.max_positions);
  std::vector<int64_t> all(data.items.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;

  auto optimizer = make_optimizer(model, options.learning_rate, 1e-8, 0.0);
  model.encoder->train();
  model.head->train();
  torch::manual_seed(options.seed);
  double previous = INFINITY;
  for (int64_t step = 0; step < options.max_steps; ++step) {
    optimizer.zero_grad();
    StepOutput out =
        batch_loss(model, data.items, all, options.max_positions, options.log2);
    double loss = out.loss.item<double>();
    result.losses.push_back(loss);
    if (loss > previous) break;  // first increase: stop without stepping
    previous = loss;
    out.loss.backward();
    torch::nn::utils::clip_grad_norm_(model.parameters(), 1.0);
    optimizer.step();
    ++result.steps;
  }
  result.hit_cap = result.steps == options.max_steps;
  model.encoder->eval();
  model.head->eval();
  return result;
}

}  // namespace gaussner
