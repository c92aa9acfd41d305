// `gaussner bench train` and `gaussner bench episodes`: training throughput,
// FLOP rate against sgemm, and peak memory, with random weights of a named
// size (no checkpoint needed).
#include <cstdio>

#include "bench.h"
#include "eval/episode_runner.h"
#include "io/sentence_reader.h"
#include "train/trainer.h"

namespace gaussner::bench {
namespace {

struct Args {
  std::string data;
  std::string size = "base";
  std::string arch = "bert";
  std::string vocab = "data/vocab/bert-base-uncased/vocab.txt";
  int64_t batch = 32;
  int64_t steps = 10;
  int64_t pad_to = 0;
  int64_t max_sentences = 20000;
  int64_t limit = 10;
  int64_t dim = 128;
  int64_t finetune_steps = 30;
};

ContainerModel random_model(const Args& a) {
  torch::manual_seed(1);
  ContainerModel model;
  model.tokenizer = Tokenizer::load(a.vocab, true);
  EncoderConfig config = EncoderConfig::preset(
      a.size, a.arch, static_cast<int64_t>(model.tokenizer.size()));
  model.encoder = Encoder(config);
  GaussianHeadOptions head;
  head.input_dim = config.hidden_size;
  head.dim = a.dim;
  model.head = GaussianHead(head);
  return model;
}

// Forward FLOPs per position of the encoder's matrix products at mean
// attention length t: per layer 2(4H^2 + 2HI) + 4tH.
double forward_flops_per_position(const EncoderConfig& c, double t) {
  double h = c.hidden_size, i = c.intermediate_size;
  return c.num_hidden_layers * (2 * (4 * h * h + 2 * h * i) + 4 * t * h);
}

void run_train(const Args& a) {
  double rss_before = current_rss_mb();
  ContainerModel model = random_model(a);
  InputOptions input;
  auto sentences = read_input(a.data, input).sentences;
  if (static_cast<int64_t>(sentences.size()) > a.max_sentences) {
    sentences.resize(a.max_sentences);
  }
  model.labels = LabelSet::from_sentences(sentences);
  TrainOptions options;
  options.batch_size = a.batch;
  options.pad_to = a.pad_to;
  options.quiet = true;
  options.max_steps = 1;  // warm-up: first-touch allocations
  train(model, sentences, options);
  options.max_steps = a.steps;
  options.seed = 2;
  TrainResult r = train(model, sentences, options);

  double mean_t = static_cast<double>(r.positions) / (r.steps * a.batch);
  double flops = 3 *
                 forward_flops_per_position(model.encoder->config(), mean_t) *
                 static_cast<double>(r.positions);
  double gflops = flops / r.seconds / 1e9;
  double sgemm = sgemm_gflops();
  std::printf(
      "{\"bench\":\"train\",\"size\":\"%s\",\"batch\":%lld,\"steps\":%lld,"
      "\"pad_to\":%lld,\"threads\":%d,\"seconds\":%.3f,\"words_per_s\":%.1f,"
      "\"tokens_per_s\":%.1f,\"positions_per_s\":%.1f,\"padding_share\":%.3f,"
      "\"gflops\":%.1f,\"sgemm_gflops\":%.1f,\"ratio\":%.3f,"
      "\"peak_rss_mb\":%.0f,\"rss_before_mb\":%.0f}\n",
      a.size.c_str(),
      static_cast<long long>(a.batch),
      static_cast<long long>(r.steps),
      static_cast<long long>(a.pad_to),
      at::get_num_threads(),
      r.seconds,
      r.words / r.seconds,
      r.pieces / r.seconds,
      r.positions / r.seconds,
      1.0 - static_cast<double>(r.pieces) / r.positions,
      gflops,
      sgemm,
      gflops / sgemm,
      peak_rss_mb(),
      rss_before);
}

void run_episodes(const Args& a) {
  ContainerModel model = random_model(a);
  TensorMap source = snapshot(model);
  auto episodes = read_episodes(a.data);
  if (static_cast<int64_t>(episodes.size()) > a.limit) {
    episodes.resize(a.limit);
  }
  EpisodeOptions options;
  options.finetune.max_steps = a.finetune_steps;
  double seconds = 0, steps = 0, support_words = 0;
  for (const auto& e : episodes) {
    EpisodeResult r = run_episode(model, source, e, options);
    seconds += r.seconds;
    steps += r.finetune_steps;
    for (const auto& s : e.support) support_words += s.size();
  }
  double n = static_cast<double>(episodes.size());
  std::printf(
      "{\"bench\":\"episodes\",\"size\":\"%s\",\"episodes\":%zu,"
      "\"threads\":%d,\"seconds_per_episode\":%.3f,\"episodes_per_hour\":%.0f,"
      "\"mean_finetune_steps\":%.2f,\"mean_support_words\":%.1f,"
      "\"peak_rss_mb\":%.0f}\n",
      a.size.c_str(),
      episodes.size(),
      at::get_num_threads(),
      seconds / n,
      3600.0 * n / seconds,
      steps / n,
      support_words / n,
      peak_rss_mb());
}

void add_common(CLI::App* app, Args& a) {
  app->add_option("--data", a.data, "training file / episode file")->required();
  app->add_option("--size", a.size, "tiny, small or base")
      ->capture_default_str();
  app->add_option("--arch", a.arch, "bert or layoutlm")->capture_default_str();
  app->add_option("--vocab", a.vocab, "vocab.txt")->capture_default_str();
  app->add_option("--dim", a.dim, "Gaussian dimension")->capture_default_str();
}

cli::Command make_train(CLI::App& bench) {
  auto a = std::make_shared<Args>();
  auto* app = bench.add_subcommand(
      "train", "Source-training throughput, FLOP rate and peak memory");
  add_common(app, *a);
  app->add_option("--batch", a->batch, "sentences per step")
      ->capture_default_str();
  app->add_option("--steps", a->steps, "timed steps (after one warm-up)")
      ->capture_default_str();
  app->add_option("--pad-to",
                  a->pad_to,
                  "pad every batch to this length (0 = own longest)")
      ->capture_default_str();
  app->add_option("--max-sentences", a->max_sentences, "sentences read")
      ->capture_default_str();
  return {app, [a] { run_train(*a); }};
}

cli::Command make_episodes(CLI::App& bench) {
  auto a = std::make_shared<Args>();
  auto* app = bench.add_subcommand(
      "episodes", "Seconds per episode (fine-tune + tag) and peak memory");
  add_common(app, *a);
  app->add_option("--limit", a->limit, "episodes to run")
      ->capture_default_str();
  app->add_option("--finetune-steps",
                  a->finetune_steps,
                  "cap on fine-tuning steps per episode")
      ->capture_default_str();
  return {app, [a] { run_episodes(*a); }};
}

const bool kTrain = register_bench(make_train);
const bool kEpisodes = register_bench(make_episodes);

}  // namespace
}  // namespace gaussner::bench
