#include "model/encoder_config.h"

#include <fstream>
#include <sstream>

#include "util/error.h"

namespace gaussner {
namespace {

using nlohmann::json;

// Hugging Face's initializer_range, written to config.json for loaders.
constexpr double kInitializerRange = 0.02;

int64_t get_int(const json& j,
                const char* field,
                const std::string& where,
                int64_t fallback,
                bool required) {
  if (!j.contains(field) || j[field].is_null()) {
    if (required) fail("{}: required field '{}' is missing", where, field);
    return fallback;
  }
  const json& v = j[field];
  if (!v.is_number_integer() || v.get<int64_t>() < 0) {
    fail("{}: field '{}' is {}, expected a non-negative integer",
         where,
         field,
         v.dump());
  }
  return v.get<int64_t>();
}

double get_double(const json& j,
                  const char* field,
                  const std::string& where,
                  double fallback) {
  if (!j.contains(field) || j[field].is_null()) return fallback;
  const json& v = j[field];
  if (!v.is_number()) {
    fail("{}: field '{}' is {}, expected a number", where, field, v.dump());
  }
  return v.get<double>();
}

std::string get_string(const json& j,
                       const char* field,
                       const std::string& where,
                       const std::string& fallback,
                       bool required) {
  if (!j.contains(field) || j[field].is_null()) {
    if (required) fail("{}: required field '{}' is missing", where, field);
    return fallback;
  }
  const json& v = j[field];
  if (!v.is_string()) {
    fail("{}: field '{}' is {}, expected a string", where, field, v.dump());
  }
  return v.get<std::string>();
}

void require_positive(int64_t value,
                      const char* field,
                      const std::string& where) {
  if (value <= 0) {
    fail("{}: field '{}' is {}, expected a positive integer",
         where,
         field,
         value);
  }
}

// Checks what this encoder implements; everything else is a clear error.
void validate(const EncoderConfig& c, const json& j, const std::string& where) {
  if (c.model_type != "bert" && c.model_type != "layoutlm") {
    fail(
        "{}: field 'model_type' is \"{}\"; supported: \"bert\", "
        "\"layoutlm\"",
        where,
        c.model_type);
  }
  if (c.hidden_act != "gelu") {
    fail(
        "{}: field 'hidden_act' is \"{}\"; only \"gelu\" (the exact erf "
        "form) is supported",
        where,
        c.hidden_act);
  }
  std::string position_type =
      get_string(j, "position_embedding_type", where, "absolute", false);
  if (position_type != "absolute") {
    fail(
        "{}: field 'position_embedding_type' is \"{}\"; only \"absolute\" "
        "is supported",
        where,
        position_type);
  }
  require_positive(c.vocab_size, "vocab_size", where);
  require_positive(c.hidden_size, "hidden_size", where);
  require_positive(c.num_hidden_layers, "num_hidden_layers", where);
  require_positive(c.num_attention_heads, "num_attention_heads", where);
  require_positive(c.intermediate_size, "intermediate_size", where);
  require_positive(c.max_position_embeddings, "max_position_embeddings", where);
  require_positive(c.type_vocab_size, "type_vocab_size", where);
  if (c.is_layoutlm()) {
    require_positive(
        c.max_2d_position_embeddings, "max_2d_position_embeddings", where);
  }
  if (c.hidden_size % c.num_attention_heads != 0) {
    fail(
        "{}: field 'hidden_size' is {}, which is not divisible by "
        "num_attention_heads {}",
        where,
        c.hidden_size,
        c.num_attention_heads);
  }
  if (c.pad_token_id >= c.vocab_size) {
    fail("{}: field 'pad_token_id' is {}, outside the vocabulary (size {})",
         where,
         c.pad_token_id,
         c.vocab_size);
  }
}

}  // namespace

EncoderConfig EncoderConfig::from_json(const json& j,
                                       const std::string& where) {
  if (!j.is_object()) fail("{}: expected a JSON object", where);
  EncoderConfig c;
  c.model_type = get_string(j, "model_type", where, c.model_type, true);
  c.vocab_size = get_int(j, "vocab_size", where, 0, true);
  c.hidden_size = get_int(j, "hidden_size", where, 0, true);
  c.num_hidden_layers = get_int(j, "num_hidden_layers", where, 0, true);
  c.num_attention_heads = get_int(j, "num_attention_heads", where, 0, true);
  c.intermediate_size = get_int(j, "intermediate_size", where, 0, true);
  c.max_position_embeddings = get_int(
      j, "max_position_embeddings", where, c.max_position_embeddings, false);
  c.type_vocab_size =
      get_int(j, "type_vocab_size", where, c.type_vocab_size, false);
  c.max_2d_position_embeddings = get_int(j,
                                         "max_2d_position_embeddings",
                                         where,
                                         c.max_2d_position_embeddings,
                                         false);
  c.layer_norm_eps = get_double(j, "layer_norm_eps", where, c.layer_norm_eps);
  c.hidden_dropout_prob =
      get_double(j, "hidden_dropout_prob", where, c.hidden_dropout_prob);
  c.attention_probs_dropout_prob = get_double(
      j, "attention_probs_dropout_prob", where, c.attention_probs_dropout_prob);
  c.pad_token_id = get_int(j, "pad_token_id", where, c.pad_token_id, false);
  c.hidden_act = get_string(j, "hidden_act", where, c.hidden_act, false);
  validate(c, j, where);
  return c;
}

EncoderConfig EncoderConfig::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open the model config", path);
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) fail("{}: not valid JSON", path);
  return from_json(j, path);
}

json EncoderConfig::to_json() const {
  json j = {
      {"architectures", {is_layoutlm() ? "LayoutLMModel" : "BertModel"}},
      {"model_type", model_type},
      {"vocab_size", vocab_size},
      {"hidden_size", hidden_size},
      {"num_hidden_layers", num_hidden_layers},
      {"num_attention_heads", num_attention_heads},
      {"intermediate_size", intermediate_size},
      {"max_position_embeddings", max_position_embeddings},
      {"type_vocab_size", type_vocab_size},
      {"layer_norm_eps", layer_norm_eps},
      {"hidden_dropout_prob", hidden_dropout_prob},
      {"attention_probs_dropout_prob", attention_probs_dropout_prob},
      {"pad_token_id", pad_token_id},
      {"hidden_act", hidden_act},
      {"initializer_range", kInitializerRange},
      {"position_embedding_type", "absolute"},
      {"torch_dtype", "float32"},
  };
  if (is_layoutlm()) {
    j["max_2d_position_embeddings"] = max_2d_position_embeddings;
  }
  return j;
}

void EncoderConfig::save(const std::string& path) const {
  std::ofstream out(path);
  out << to_json().dump(2) << "\n";
  out.close();
  if (!out) fail("{}: cannot write the model config", path);
}

EncoderConfig EncoderConfig::preset(const std::string& size,
                                    const std::string& model_type,
                                    int64_t vocab_size) {
  EncoderConfig c;
  if (size == "tiny") {
    c.num_hidden_layers = 2;
    c.hidden_size = 128;
    c.num_attention_heads = 2;
    c.intermediate_size = 512;
  } else if (size == "small") {
    c.num_hidden_layers = 4;
    c.hidden_size = 256;
    c.num_attention_heads = 4;
    c.intermediate_size = 1024;
  } else if (size == "base") {
    c.num_hidden_layers = 12;
    c.hidden_size = 768;
    c.num_attention_heads = 12;
    c.intermediate_size = 3072;
  } else {
    fail("encoder size '{}' is unknown; expected tiny, small or base", size);
  }
  c.model_type = model_type;
  c.vocab_size = vocab_size;
  c.max_position_embeddings = 512;
  validate(c, json::object(), fmt::format("preset '{}'", size));
  return c;
}

}  // namespace gaussner
