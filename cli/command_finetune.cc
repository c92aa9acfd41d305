// `gaussner finetune`: adapt a trained model to a support set and save it.
#include <cstdio>

#include "command.h"
#include "options.h"

namespace gaussner::cli {
namespace {

struct Args {
  std::string model;
  std::string support;
  std::string out;
  InputOptions input;
  FinetuneOptions finetune;
};

void run(const Args& a) {
  ContainerModel model = load_model(a.model);
  std::vector<Sentence> support = read_input(a.support, a.input).sentences;
  LabelSet labels = LabelSet::from_sentences(support);
  FinetuneResult result = finetune(model, support, labels, a.finetune);
  model.labels = labels;
  save_model(model, a.out);
  nlohmann::json summary = {{"out", a.out},
                            {"support_sentences", support.size()},
                            {"labels", labels.names()},
                            {"steps", result.steps},
                            {"hit_cap", result.hit_cap},
                            {"losses", result.losses}};
  std::printf("%s\n", summary.dump().c_str());
}

Command make(CLI::App& parent) {
  auto a = std::make_shared<Args>();
  auto* app = parent.add_subcommand(
      "finetune",
      "Fine-tune a model on a support set (stops at the first loss increase)");
  app->add_option("--model", a->model, "trained model folder")->required();
  app->add_option("--support",
                  a->support,
                  "labelled support sentences (column file or JSON lines)")
      ->required();
  app->add_option("--out", a->out, "model folder to write")->required();
  add_finetune_options(*app, a->finetune);
  add_input_options(*app, a->input);
  return {app, [a] { run(*a); }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
