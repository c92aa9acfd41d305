#include "model/model_folder.h"

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "util/error.h"
#include "util/shape.h"

namespace gaussner {

namespace fs = std::filesystem;

namespace {

const char* kHeadsFile = "heads.safetensors";
const char* kMetaFile = "gaussner.json";

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open", path.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path.string(), e.what());
  }
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) fail("{}: cannot write", path.string());
}

GaussianHead load_heads(const fs::path& path,
                        const nlohmann::json& meta,
                        int64_t hidden) {
  GaussianHeadOptions options;
  options.input_dim = hidden;
  options.dim = meta.value("dim", int64_t{128});
  options.variance_floor = meta.value("variance_floor", 1e-6);
  GaussianHead head(options);
  TensorMap weights = read_safetensors(path.string());
  for (auto& item : head->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor param = item.value();
    auto it = weights.find(name);
    if (it == weights.end()) {
      fail("{}: missing tensor '{}'", path.string(), name);
    }
    if (it->second.sizes() != param.sizes()) {
      fail("{}: tensor '{}' has shape {}, expected {}",
           path.string(),
           name,
           shape_string(it->second.sizes()),
           shape_string(param.sizes()));
    }
    torch::NoGradGuard no_grad;
    param.copy_(it->second);
  }
  return head;
}

}  // namespace

std::vector<torch::Tensor> ContainerModel::parameters() const {
  std::vector<torch::Tensor> params = encoder->parameters();
  for (auto& p : head->parameters()) params.push_back(p);
  return params;
}

void ContainerModel::to(const torch::Device& device) {
  encoder->to(device);
  head->to(device);
}

torch::Device ContainerModel::device() const {
  return encoder->parameters().front().device();
}

ContainerModel load_model(const std::string& dir, int64_t dim) {
  fs::path root(dir);
  if (!fs::is_directory(root)) {
    fail(
        "{}: not a model folder (expected a directory with config.json, "
        "model.safetensors and vocab.txt)",
        dir);
  }
  ContainerModel model;
  model.encoder = load_encoder(dir);
  model.tokenizer = Tokenizer::from_model_dir(dir);
  int64_t hidden = model.encoder->config().hidden_size;

  fs::path meta_path = root / kMetaFile;
  if (!fs::exists(meta_path)) {
    GaussianHeadOptions options;
    options.input_dim = hidden;
    options.dim = dim;
    model.head = GaussianHead(options);
    return model;
  }

  nlohmann::json meta = read_json(meta_path);
  int version = meta.value("version", -1);
  if (meta.value("format", "") != "gaussner-model" ||
      version != kModelFormatVersion) {
    fail(
        "{}: model format '{}' version {}, this build reads "
        "'gaussner-model' version {}",
        meta_path.string(),
        meta.value("format", "?"),
        version,
        kModelFormatVersion);
  }
  model.head = load_heads(root / kHeadsFile, meta, hidden);
  if (!meta.contains("labels") || !meta["labels"].is_array()) {
    fail("{}: field 'labels' missing or not a list", meta_path.string());
  }
  model.labels = LabelSet(meta["labels"].get<std::vector<std::string>>());
  model.transitions = TransitionCounts::from_json(
      meta.value("transitions", nlohmann::json::object()),
      meta_path.string() + ": transitions");
  model.training = meta.value("training", nlohmann::json::object());
  model.trained = true;
  return model;
}

void save_model(const ContainerModel& model, const std::string& dir) {
  fs::path target(dir);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  fs::path tmp = target;
  tmp += ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directories(tmp);

  save_encoder(model.encoder, tmp.string());
  fs::copy_file(model.tokenizer.vocab_path(),
                tmp / "vocab.txt",
                fs::copy_options::overwrite_existing);
  nlohmann::json tokenizer_config = {
      {"do_lower_case", model.tokenizer.lower_case()},
      {"tokenizer_class", "BertTokenizer"}};
  write_text(tmp / "tokenizer_config.json", tokenizer_config.dump(2) + "\n");

  TensorMap heads;
  for (auto& item : model.head->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor param = item.value();
    heads[name] = param.detach().to(torch::kCPU);
  }
  write_safetensors((tmp / kHeadsFile).string(), heads);

  nlohmann::json meta = {
      {"format", "gaussner-model"},
      {"version", kModelFormatVersion},
      {"labels", model.labels.names()},
      {"dim", model.head->options().dim},
      {"variance_floor", model.head->options().variance_floor},
      {"training", model.training},
      {"transitions", model.transitions.to_json()}};
  write_text(tmp / kMetaFile, meta.dump(2) + "\n");

  // Swap in: the old folder is moved aside first so that a crash leaves
  // either the old or the new model in place, never a mix.
  fs::path old = target;
  old += ".old-" + std::to_string(::getpid());
  bool had_old = fs::exists(target);
  if (had_old) fs::rename(target, old);
  fs::rename(tmp, target);
  if (had_old) fs::remove_all(old);
}

TensorMap snapshot(const ContainerModel& model) {
  TensorMap state;
  for (auto& item : model.encoder->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor t = item.value();
    state["encoder." + name] = t.detach().clone();
  }
  for (auto& item : model.head->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor t = item.value();
    state["head." + name] = t.detach().clone();
  }
  return state;
}

void restore(ContainerModel& model, const TensorMap& state) {
  torch::NoGradGuard no_grad;
  for (auto& item : model.encoder->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor t = item.value();
    t.copy_(state.at("encoder." + name));
  }
  for (auto& item : model.head->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor t = item.value();
    t.copy_(state.at("head." + name));
  }
}

}  // namespace gaussner
