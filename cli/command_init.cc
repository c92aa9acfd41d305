// `gaussner init`: a randomly initialised BERT or LayoutLM model folder,
// loadable by gaussner and by Hugging Face.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.h"
#include "model/encoder.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace gaussner::cli {
namespace {

namespace fs = std::filesystem;

struct InitOptions {
  std::string arch = "bert";  // bert or layoutlm
  std::string size = "tiny";  // tiny, small or base (EncoderConfig::preset)
  std::string vocab;          // vocab.txt to copy; its size is the model's
  std::string out;            // the model folder to create
  uint64_t seed = 0;          // random seed of the weights
  bool uncased = false;       // lower-case input (default: inferred)
  bool cased = false;         // keep case (default: inferred)
  bool force = false;         // replace a non-empty `out`
};

// Writes every file of the model folder into `dir`.
void write_model(const InitOptions& o,
                 const Tokenizer& vocab,
                 bool lower_case,
                 const std::string& dir) {
  auto config =
      EncoderConfig::preset(o.size, o.arch, static_cast<int64_t>(vocab.size()));
  config.pad_token_id = vocab.pad_id();
  Encoder encoder(config);
  encoder->init_weights(at::make_generator<at::CPUGeneratorImpl>(o.seed));
  save_encoder(encoder, dir);
  fs::copy_file(o.vocab, fs::path(dir) / "vocab.txt");

  nlohmann::json tokenizer = {
      {"do_lower_case", lower_case},
      {"tokenizer_class",
       config.is_layoutlm() ? "LayoutLMTokenizer" : "BertTokenizer"},
  };
  std::ofstream out(fs::path(dir) / "tokenizer_config.json");
  out << tokenizer.dump(2) << "\n";
  out.close();
  if (!out) fail("{}: cannot write tokenizer_config.json", dir);
}

void run(const InitOptions& o) {
  fs::path out = fs::path(o.out).lexically_normal();
  if (!out.has_filename()) out = out.parent_path();
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out)) &&
      !o.force) {
    fail("{}: exists and is not empty; pass --force to replace it",
         out.string());
  }
  // Loading checks the vocabulary (special tokens, duplicates, UTF-8) and
  // infers its casing.
  Tokenizer vocab = Tokenizer::load(o.vocab);
  bool lower_case = o.uncased || (!o.cased && vocab.lower_case());

  // Build beside the target, then swap it in, so that `out` is never half
  // written.
  fs::path tmp = out.string() + ".tmp";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  try {
    write_model(o, vocab, lower_case, tmp.string());
  } catch (...) {
    fs::remove_all(tmp);
    throw;
  }
  fs::remove_all(out);
  fs::rename(tmp, out);
  std::fprintf(stderr,
               "gaussner init: wrote %s (%s %s, vocab %zu, %s, seed %llu)\n",
               out.c_str(),
               o.arch.c_str(),
               o.size.c_str(),
               vocab.size(),
               lower_case ? "uncased" : "cased",
               static_cast<unsigned long long>(o.seed));
}

Command make(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "init", "Create a randomly initialised BERT or LayoutLM model folder");
  auto o = std::make_shared<InitOptions>();
  app->add_option("--arch", o->arch, "architecture")
      ->check(CLI::IsMember({"bert", "layoutlm"}))
      ->capture_default_str();
  app->add_option("--size",
                  o->size,
                  "tiny (2 x 128), small (4 x 256) or "
                  "base (12 x 768)")
      ->check(CLI::IsMember({"tiny", "small", "base"}))
      ->capture_default_str();
  app->add_option("--vocab", o->vocab, "vocab.txt (one token per line)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--out", o->out, "model folder to create")->required();
  app->add_option("--seed", o->seed, "random seed")->capture_default_str();
  auto* uncased = app->add_flag("--uncased",
                                o->uncased,
                                "lower-case input (default: inferred, "
                                "uncased when the vocab has no upper case)");
  app->add_flag("--cased", o->cased, "keep case")->excludes(uncased);
  app->add_flag("--force", o->force, "replace an existing non-empty --out");
  return {app, [o] { run(*o); }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
