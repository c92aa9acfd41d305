// `gaussner train`: source training from an encoder folder to a model
// folder (METHOD.md section 5).
#include <cstdio>
#include <filesystem>

#include "command.h"
#include "options.h"
#include "util/error.h"

namespace gaussner::cli {
namespace {

struct Args {
  std::string encoder;
  std::string train_file;
  std::string out;
  std::string labels_file;
  int64_t dim = 128;
  int64_t max_sentences = 0;
  bool resume = false;
  InputOptions input;
  TrainOptions train;
};

void run(Args& a) {
  namespace fs = std::filesystem;
  ContainerModel model = load_model(a.encoder, a.dim);
  if (model.trained) {
    std::fprintf(stderr,
                 "train: %s is a gaussner model; training continues from its "
                 "encoder and heads\n",
                 a.encoder.c_str());
  }
  if (!a.labels_file.empty()) {
    model.labels = LabelSet::from_file(a.labels_file);
    a.input.column.labels = &model.labels;
  }
  a.input.column.require_labels = true;
  std::vector<Sentence> sentences = read_input(a.train_file, a.input).sentences;
  if (a.max_sentences > 0 &&
      static_cast<int64_t>(sentences.size()) > a.max_sentences) {
    sentences.resize(a.max_sentences);
  }
  if (a.labels_file.empty()) model.labels = LabelSet::from_sentences(sentences);

  a.train.checkpoint_dir = a.out + ".checkpoint";
  if (!a.resume && fs::exists(a.train.checkpoint_dir)) {
    std::fprintf(stderr,
                 "train: ignoring the old checkpoint %s (pass --resume to "
                 "continue it)\n",
                 a.train.checkpoint_dir.c_str());
    fs::remove_all(a.train.checkpoint_dir);
  }
  nlohmann::json config = a.train.to_json();
  config["encoder"] = a.encoder;
  config["train"] = a.train_file;
  config["sentences"] = sentences.size();
  config["labels"] = model.labels.size();
  config["dim"] = model.head->options().dim;
  config["threads"] = at::get_num_threads();
  std::fprintf(stderr, "train: %s\n", config.dump().c_str());

  TrainResult result = train(model, sentences, a.train);
  save_model(model, a.out);
  fs::remove_all(a.train.checkpoint_dir);
  nlohmann::json summary = {
      {"out", a.out},
      {"steps", result.steps},
      {"first_loss", result.first_loss},
      {"last_loss", result.last_loss},
      {"seconds", result.seconds},
      {"words", result.words},
      {"tokens_per_s", result.pieces / std::max(result.seconds, 1e-9)}};
  std::printf("%s\n", summary.dump().c_str());
}

Command make(CLI::App& parent) {
  auto a = std::make_shared<Args>();
  auto* app = parent.add_subcommand(
      "train", "Train encoder and Gaussian heads on labelled source data");
  app->add_option("--encoder",
                  a->encoder,
                  "Hugging Face BERT/LayoutLM folder (or a gaussner model)")
      ->required();
  app->add_option("--train",
                  a->train_file,
                  "labelled sentences: column file (gzip ok) or JSON lines")
      ->required();
  app->add_option("--out", a->out, "model folder to write")->required();
  app->add_option("--labels",
                  a->labels_file,
                  "label set file (one per line); a label outside it is an "
                  "error");
  app->add_option("--dim", a->dim, "Gaussian dimension D")
      ->capture_default_str();
  app->add_option("--max-sentences",
                  a->max_sentences,
                  "use only the first N sentences (0 = all)")
      ->capture_default_str();
  auto& t = a->train;
  app->add_option("--max-steps", t.max_steps, "stop after N steps (0 = none)")
      ->capture_default_str();
  app->add_option("--batch-size", t.batch_size, "sentences per step")
      ->capture_default_str();
  app->add_option("--epochs", t.epochs, "passes over the data")
      ->capture_default_str();
  app->add_option("--lr", t.learning_rate, "AdamW learning rate")
      ->capture_default_str();
  app->add_option("--weight-decay", t.weight_decay, "AdamW weight decay")
      ->capture_default_str();
  app->add_option("--clip", t.clip_norm, "gradient-norm clip")
      ->capture_default_str();
  app->add_option("--warmup", t.warmup, "share of steps with linear warm-up")
      ->capture_default_str();
  app->add_flag("--linear-decay",
                t.linear_decay,
                "decay the learning rate linearly to 0");
  app->add_option("--seed", t.seed, "seed for batch order and dropout")
      ->capture_default_str();
  app->add_option("--max-positions",
                  t.max_positions,
                  "pieces per window incl. [CLS]/[SEP]")
      ->capture_default_str();
  app->add_option("--log-every", t.log_every, "steps between log lines")
      ->capture_default_str();
  app->add_option("--log-file", t.log_file, "JSON-lines log (appended)");
  app->add_option("--checkpoint-every",
                  t.checkpoint_every,
                  "steps between checkpoints in OUT.checkpoint (0 = none)")
      ->capture_default_str();
  app->add_flag("--resume",
                a->resume,
                "continue from OUT.checkpoint (same data and settings)");
  app->add_flag("--log2", t.log2, "loss in log base 2, as the reference");
  add_input_options(*app, a->input);
  return {app, [a] { run(*a); }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
