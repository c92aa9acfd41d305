#include "options.h"

namespace gaussner::cli {

void add_tag_options(CLI::App& app, TagOptions& o) {
  app.add_option("--space",
                 o.space,
                 "distance space: hidden (normalised last layer, reference), "
                 "mu, kl")
      ->capture_default_str();
  app.add_option("--k", o.k, "neighbours that vote")->capture_default_str();
  app.add_flag("--centroids",
               o.centroids,
               "distance to class centroids instead of nearest word");
  app.add_flag(
      "--viterbi", o.viterbi, "Viterbi decoding with abstract transitions");
  app.add_option("--tau", o.tau, "transition temperature for --viterbi")
      ->capture_default_str();
  app.add_option("--temperature",
                 o.temperature,
                 "softmax temperature of the confidence")
      ->capture_default_str();
}

void add_finetune_options(CLI::App& app, FinetuneOptions& o) {
  app.add_option("--finetune-steps",
                 o.max_steps,
                 "cap on support fine-tuning steps (the reference has none)")
      ->capture_default_str();
  app.add_option("--finetune-lr",
                 o.learning_rate,
                 "AdamW learning rate for fine-tuning")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed for fine-tuning dropout")
      ->capture_default_str();
}

void add_input_options(CLI::App& app, InputOptions& o) {
  app.add_option(
         "--input-format",
         o.format,
         "auto, column, jsonl, text (one sentence per line), documents "
         "(JSON lines with page, words, boxes) or funsd (file or folder)")
      ->capture_default_str();
  app.add_option("--word-column",
                 o.column.word_column,
                 "0-based word column of column files")
      ->capture_default_str();
  app.add_option("--label-column",
                 o.column.label_column,
                 "0-based label column of column files (-1 = last)")
      ->capture_default_str();
  app.add_option("--scheme",
                 o.column.scheme,
                 "tag scheme of column files: auto, io, bio, bioes")
      ->capture_default_str();
  app.add_option("--max-words",
                 o.max_words,
                 "documents: most words per window of whole lines")
      ->capture_default_str();
  app.add_option("--page-sizes",
                 o.page_sizes,
                 "FUNSD: page-size table (name width height, or LayoutLM's "
                 "*_image.txt)");
  app.add_flag("--keep-other",
               o.keep_other,
               "FUNSD: keep 'other' entities as a type instead of O");
}

}  // namespace gaussner::cli
