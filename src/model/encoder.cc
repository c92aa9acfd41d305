#include "model/encoder.h"

#include <c10/util/Half.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <fmt/ranges.h>

#include "model/encoder_modules.h"
#include "util/error.h"

namespace gaussner {
namespace {

namespace fs = std::filesystem;
namespace nn = torch::nn;

// Hugging Face's initializer_range.
constexpr double kInitStd = 0.02;

std::string shape_str(torch::IntArrayRef sizes) {
  return fmt::format("[{}]", fmt::join(sizes, ", "));
}

// The lowest finite value of `dtype` (Hugging Face's finfo(dtype).min).
double lowest(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kDouble:
      return std::numeric_limits<double>::lowest();
    case torch::kHalf:
      return std::numeric_limits<c10::Half>::lowest();
    case torch::kBFloat16:
      return std::numeric_limits<c10::BFloat16>::lowest();
    default:
      return std::numeric_limits<float>::lowest();
  }
}

// Checks one optional B x T (x 4) input and brings it to `device` as int64;
// an undefined input becomes `fallback`.
torch::Tensor prepare(const torch::Tensor& t,
                      const char* name,
                      torch::IntArrayRef shape,
                      const torch::Device& device,
                      const torch::Tensor& fallback) {
  if (!t.defined()) return fallback;
  if (t.sizes() != shape) {
    fail("[Encoder::forward] {} has shape {}, expected {} (as input_ids)",
         name,
         shape_str(t.sizes()),
         shape_str(shape));
  }
  if (t.is_floating_point() || t.is_complex()) {
    fail("[Encoder::forward] {} has dtype {}, expected an integer type",
         name,
         c10::toString(t.scalar_type()));
  }
  return t.to(device, torch::kLong);
}

// Every value of `t` must lie in [0, limit).
void check_range(const torch::Tensor& t, const char* what, int64_t limit) {
  if (t.numel() == 0) return;
  int64_t lo = t.min().item<int64_t>();
  int64_t hi = t.max().item<int64_t>();
  if (lo < 0 || hi >= limit) {
    fail("[Encoder::forward] {} holds {}, expected values in 0..{}",
         what,
         lo < 0 ? lo : hi,
         limit - 1);
  }
}

// The inputs with Hugging Face's defaults filled in, validated, on `device`.
EncoderInput complete_input(const EncoderInput& in,
                            const EncoderConfig& config,
                            const torch::Device& device) {
  if (!in.input_ids.defined() || in.input_ids.dim() != 2 ||
      in.input_ids.size(1) == 0) {
    fail("[Encoder::forward] input_ids must be B x T with T >= 1, got {}",
         in.input_ids.defined() ? shape_str(in.input_ids.sizes())
                                : std::string("nothing"));
  }
  const auto shape = in.input_ids.sizes();
  const int64_t b = shape[0];
  const int64_t t = shape[1];
  auto longs = torch::TensorOptions().dtype(torch::kLong).device(device);

  EncoderInput out;
  out.input_ids = prepare(in.input_ids, "input_ids", shape, device, {});
  // The mask may be any dtype (int, bool or float 0/1).
  if (in.attention_mask.defined() && in.attention_mask.sizes() != shape) {
    fail(
        "[Encoder::forward] attention_mask has shape {}, expected {} (as "
        "input_ids)",
        shape_str(in.attention_mask.sizes()),
        shape_str(shape));
  }
  out.attention_mask = in.attention_mask.defined()
                           ? in.attention_mask.to(device)
                           : torch::ones({b, t}, longs);
  out.token_type_ids = prepare(in.token_type_ids,
                               "token_type_ids",
                               shape,
                               device,
                               torch::zeros({b, t}, longs));
  out.position_ids = prepare(in.position_ids,
                             "position_ids",
                             shape,
                             device,
                             torch::arange(t, longs).expand({b, t}));
  check_range(out.input_ids, "input_ids", config.vocab_size);
  check_range(out.token_type_ids, "token_type_ids", config.type_vocab_size);
  check_range(out.position_ids,
              "position_ids (the sequence may be longer than "
              "max_position_embeddings)",
              config.max_position_embeddings);
  if (config.is_layoutlm()) {
    out.bbox = prepare(
        in.bbox, "bbox", {b, t, 4}, device, torch::zeros({b, t, 4}, longs));
    auto wh = torch::stack({out.bbox.select(2, 2) - out.bbox.select(2, 0),
                            out.bbox.select(2, 3) - out.bbox.select(2, 1)});
    check_range(out.bbox, "bbox", config.max_2d_position_embeddings);
    check_range(wh,
                "bbox width or height (x1 - x0, y1 - y0)",
                config.max_2d_position_embeddings);
  }
  return out;
}

// Checkpoint key -> canonical name: no model prefix, weight/bias for the
// old LayerNorm gamma/beta.
std::string canonical_name(const std::string& key) {
  std::string name = key;
  for (const char* prefix : {"bert.", "layoutlm."}) {
    std::string p = prefix;
    if (name.compare(0, p.size(), p) == 0) {
      name = name.substr(p.size());
      break;
    }
  }
  auto replace_suffix = [&](const std::string& from, const std::string& to) {
    if (name.size() >= from.size() &&
        name.compare(name.size() - from.size(), from.size(), from) == 0) {
      name = name.substr(0, name.size() - from.size()) + to;
    }
  };
  replace_suffix("LayerNorm.gamma", "LayerNorm.weight");
  replace_suffix("LayerNorm.beta", "LayerNorm.bias");
  return name;
}

// Tensors a checkpoint may carry that an encoder does not use.
bool known_extra(const std::string& name) {
  return name == "embeddings.position_ids" || name.rfind("cls.", 0) == 0;
}

void warn_unused(const std::vector<std::string>& unused,
                 const std::string& file) {
  if (unused.empty()) return;
  const size_t shown = std::min<size_t>(unused.size(), 8);
  std::vector<std::string> head(unused.begin(), unused.begin() + shown);
  std::fprintf(stderr,
               "gaussner: warning: %s: %zu tensor(s) not used by the "
               "encoder: %s%s\n",
               file.c_str(),
               unused.size(),
               fmt::format("{}", fmt::join(head, ", ")).c_str(),
               shown < unused.size() ? ", ..." : "");
}

int64_t count_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open", path);
  int64_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

}  // namespace

struct EncoderImpl::Layers {
  Embeddings embeddings{nullptr};
  std::vector<EncoderLayer> layers;
  nn::Linear pooler{nullptr};
};

EncoderImpl::EncoderImpl(const EncoderConfig& config)
    : config_(config), layers_(std::make_shared<Layers>()) {
  layers_->embeddings = register_module("embeddings", Embeddings(config));
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    layers_->layers.push_back(
        register_module(fmt::format("layer{}", i), EncoderLayer(config)));
  }
  layers_->pooler = register_module(
      "pooler", nn::Linear(config.hidden_size, config.hidden_size));
  init_weights();
}

std::vector<torch::Tensor> EncoderImpl::run(const EncoderInput& input,
                                            bool keep_all) {
  auto& embeddings = *layers_->embeddings;
  auto in = complete_input(input, config_, embeddings.word->weight.device());
  const int64_t b = in.input_ids.size(0);
  const int64_t t = in.input_ids.size(1);
  const int64_t hidden = config_.hidden_size;

  // B x T x H, kept as (B*T) x H so that every projection is one matmul.
  auto h = embeddings.forward(
      in.input_ids, in.token_type_ids, in.position_ids, in.bbox);
  std::vector<torch::Tensor> outputs = {h};
  h = h.view({b * t, hidden});

  // B x 1 x 1 x T: 0 where a key is attended, finfo.min where masked.
  auto dtype = h.scalar_type();
  auto mask_bias = (1.0 - in.attention_mask.to(dtype)).mul_(lowest(dtype));
  mask_bias = mask_bias.view({b, 1, 1, t});

  for (auto& layer : layers_->layers) {
    h = layer->forward(h, mask_bias, b);
    if (keep_all) outputs.push_back(h.view({b, t, hidden}));
  }
  if (!keep_all) outputs = {h.view({b, t, hidden})};
  return outputs;
}

torch::Tensor EncoderImpl::forward(const EncoderInput& input) {
  return run(input, false).back();
}

std::vector<torch::Tensor> EncoderImpl::forward_all(const EncoderInput& input) {
  return run(input, true);
}

torch::Tensor EncoderImpl::pool(const torch::Tensor& last_hidden) {
  return torch::tanh(layers_->pooler(last_hidden.select(1, 0)));
}

TensorMap EncoderImpl::weights() const {
  TensorMap out;
  layers_->embeddings->collect("embeddings.", out);
  for (size_t i = 0; i < layers_->layers.size(); ++i) {
    layers_->layers[i]->collect(fmt::format("encoder.layer.{}.", i), out);
  }
  out["pooler.dense.weight"] = layers_->pooler->weight;
  out["pooler.dense.bias"] = layers_->pooler->bias;
  return out;
}

void EncoderImpl::init_weights(c10::optional<at::Generator> generator) {
  torch::NoGradGuard no_grad;
  // A CPU generator draws on the CPU, whatever the parameters' device.
  auto normal = [&](torch::Tensor& t) {
    if (!generator || t.is_cpu()) {
      t.normal_(0, kInitStd, generator);
    } else {
      t.copy_(torch::empty(t.sizes()).normal_(0, kInitStd, generator));
    }
  };
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<nn::Linear>()) {
      normal(linear->weight);
      linear->bias.zero_();
    } else if (auto* embedding = module->as<nn::Embedding>()) {
      normal(embedding->weight);
      if (auto pad = embedding->options.padding_idx()) {
        embedding->weight[*pad].zero_();
      }
    } else if (auto* norm = module->as<nn::LayerNorm>()) {
      norm->weight.fill_(1);
      norm->bias.zero_();
    }
  }
}

void EncoderImpl::load_weights(const TensorMap& weights,
                               const std::string& file) {
  torch::NoGradGuard no_grad;
  TensorMap targets = this->weights();

  // Match checkpoint keys to canonical names.
  std::map<std::string, std::string> sources;  // canonical name -> key
  std::vector<std::string> unused;
  for (const auto& [key, tensor] : weights) {
    std::string name = canonical_name(key);
    if (known_extra(name)) continue;
    if (!targets.count(name)) {
      unused.push_back(key);
      continue;
    }
    auto [it, fresh] = sources.emplace(name, key);
    if (!fresh) {
      fail("{}: tensors '{}' and '{}' both give the encoder's '{}'",
           file,
           it->second,
           key,
           name);
    }
  }

  // Checkpoints saved from a tagging model carry no pooler; the pooler is
  // not used for word vectors, so that is a warning, not an error.
  if (!sources.count("pooler.dense.weight") &&
      !sources.count("pooler.dense.bias")) {
    std::fprintf(stderr,
                 "gaussner: warning: %s: no pooler weights; pool() keeps its "
                 "initial values\n",
                 file.c_str());
    targets.erase("pooler.dense.weight");
    targets.erase("pooler.dense.bias");
  }

  for (auto& [name, target] : targets) {
    auto it = sources.find(name);
    if (it == sources.end()) {
      fail(
          "{}: missing tensor '{}' (expected shape {}, found none; is this "
          "a {} checkpoint?)",
          file,
          name,
          shape_str(target.sizes()),
          config_.model_type);
    }
    const auto& source = weights.at(it->second);
    if (source.sizes() != target.sizes()) {
      fail("{}: tensor '{}' has shape {}, expected {}",
           file,
           it->second,
           shape_str(source.sizes()),
           shape_str(target.sizes()));
    }
    target.copy_(source.to(target.dtype()));
  }
  warn_unused(unused, file);
}

Encoder load_encoder(const std::string& dir) {
  auto config = EncoderConfig::load((fs::path(dir) / "config.json").string());
  auto vocab = fs::path(dir) / "vocab.txt";
  if (fs::exists(vocab)) {
    int64_t lines = count_lines(vocab.string());
    if (lines != config.vocab_size) {
      fail(
          "{}: {} tokens, but config.json has vocab_size {}: wrong vocab for "
          "this model?",
          vocab.string(),
          lines,
          config.vocab_size);
    }
  }
  auto weights = fs::path(dir) / "model.safetensors";
  if (!fs::exists(weights)) {
    fail(
        "{}: not found (only safetensors checkpoints are read; convert a "
        "pytorch_model.bin with save_pretrained(safe_serialization=True))",
        weights.string());
  }
  Encoder encoder(config);
  encoder->load_weights(read_safetensors(weights.string()), weights.string());
  encoder->eval();
  return encoder;
}

void save_encoder(const Encoder& encoder, const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) fail("{}: cannot create directory: {}", dir, error.message());
  encoder->config().save((fs::path(dir) / "config.json").string());
  write_safetensors((fs::path(dir) / "model.safetensors").string(),
                    encoder->weights());
}

}  // namespace gaussner
