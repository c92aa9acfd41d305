// Command-line options shared by several subcommands, bound to the
// library's option structs so that --help shows their defaults.
#pragma once

#include <CLI/CLI.hpp>

#include "infer/tagger.h"
#include "io/sentence_reader.h"
#include "train/trainer.h"

namespace gaussner::cli {

// --space, --k, --centroids, --viterbi, --tau, --temperature.
void add_tag_options(CLI::App& app, TagOptions& options);

// --finetune-steps, --finetune-lr, --seed (as the fine-tuning seed).
void add_finetune_options(CLI::App& app, FinetuneOptions& options);

// --word-column, --label-column, --scheme, --input-format.
void add_input_options(CLI::App& app, InputOptions& options);

}  // namespace gaussner::cli
