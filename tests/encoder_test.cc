#include "model/encoder.h"

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string fixture(const std::string& relative) {
  return testing::shared_dir() + "/fixtures/" + relative;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// Largest amount by which |ours - ref| exceeds 2e-5 + 1e-5 |ref| (<= 0 when
// every element is within the tolerance).
double excess(const torch::Tensor& ours, const torch::Tensor& ref) {
  EXPECT_EQ(ours.sizes(), ref.sizes());
  auto over = (ours - ref).abs() - (2e-5 + 1e-5 * ref.abs());
  return over.max().item<double>();
}

// The inputs of batch `prefix`; with `passed_only`, just the ones Hugging
// Face was given (the others take the encoder's defaults).
EncoderInput batch_input(const TensorMap& refs,
                         const std::string& prefix,
                         const json& passed) {
  auto get = [&](const std::string& name) {
    bool use = passed.is_null();
    for (const auto& p : passed) use = use || p == name;
    auto it = refs.find(prefix + name);
    return use && it != refs.end() ? it->second : torch::Tensor();
  };
  EncoderInput in;
  in.input_ids = get("input_ids");
  in.attention_mask = get("attention_mask");
  in.token_type_ids = get("token_type_ids");
  in.position_ids = get("position_ids");
  in.bbox = get("bbox");
  return in;
}

// Compares every stored output of every batch of `model` with `encoder`.
// Returns the number of batches checked.
int check_parity(Encoder& encoder, const std::string& model) {
  torch::NoGradGuard no_grad;
  TensorMap refs =
      read_safetensors(fixture(model + "/reference_outputs.safetensors"));
  json manifest = read_json(fixture(model + "/manifest.json"));
  int checked = 0;
  for (const auto& batch : manifest["batches"]) {
    std::string prefix = batch["prefix"];
    SCOPED_TRACE(model + " " + prefix);

    // Every input given explicitly.
    auto in = batch_input(refs, prefix, json());
    auto all = encoder->forward_all(in);
    EXPECT_EQ(all.size(), 3u);
    for (size_t k = 0; k < all.size(); ++k) {
      std::string name = prefix + "hidden_states." + std::to_string(k);
      EXPECT_LE(excess(all[k], refs.at(name)), 0) << name;
    }
    auto last = encoder->forward(in);
    EXPECT_LE(excess(last, refs.at(prefix + "last_hidden_state")), 0);
    EXPECT_LE(excess(encoder->pool(last), refs.at(prefix + "pooler_output")),
              0);

    // Only what Hugging Face was given: the defaults must agree too.
    auto passed = batch_input(refs, prefix, batch["passed_to_hf"]);
    EXPECT_LE(
        excess(encoder->forward(passed), refs.at(prefix + "last_hidden_state")),
        0);
    ++checked;
  }
  return checked;
}

TEST(EncoderTest, MatchesHuggingFaceOnEveryBatch) {
  GAUSSNER_REQUIRE_SHARED("fixtures/layoutlm-tiny/legacy_prefixed");
  struct Case {
    const char* model;
    int batches;
  } cases[] = {{"bert-tiny", 11}, {"layoutlm-tiny", 10}};
  for (const auto& c : cases) {
    for (const char* spelling : {"", "/legacy_prefixed"}) {
      SCOPED_TRACE(std::string(c.model) + spelling);
      Encoder encoder = load_encoder(fixture(c.model + std::string(spelling)));
      EXPECT_FALSE(encoder->is_training());
      EXPECT_EQ(check_parity(encoder, c.model), c.batches);
    }
  }
}

TEST(EncoderTest, WeightsUnderCanonicalNamesAndSaveRoundTrip) {
  GAUSSNER_REQUIRE_SHARED("fixtures/layoutlm-tiny/model.safetensors");
  for (const char* model : {"bert-tiny", "layoutlm-tiny"}) {
    SCOPED_TRACE(model);
    TensorMap file =
        read_safetensors(fixture(std::string(model) + "/model.safetensors"));
    Encoder encoder = load_encoder(fixture(model));
    TensorMap weights = encoder->weights();
    ASSERT_EQ(weights.size(), file.size());
    for (const auto& [name, t] : file) {
      ASSERT_TRUE(weights.count(name)) << name;
      EXPECT_TRUE(torch::equal(weights[name], t)) << name;
    }

    // save_encoder + load_encoder reproduces weights and outputs.
    std::string dir = testing::temp_path(std::string(model) + "-saved");
    save_encoder(encoder, dir);
    Encoder back = load_encoder(dir);
    EXPECT_EQ(back->config().to_json(), encoder->config().to_json());
    EXPECT_EQ(check_parity(back, model) > 0, true);

    // Non-float32 checkpoints are converted on load (F64 exactly).
    TensorMap doubles;
    for (const auto& [name, t] : file) doubles[name] = t.to(torch::kDouble);
    Encoder converted(encoder->config());
    converted->load_weights(doubles, "doubles");
    for (const auto& [name, t] : converted->weights()) {
      EXPECT_EQ(t.scalar_type(), torch::kFloat);
      EXPECT_TRUE(torch::equal(t, file[name])) << name;
    }
  }
}

// Copies a fixture model folder to a fresh temp folder.
std::string copy_model(const std::string& model, const std::string& name) {
  std::string dir = testing::temp_path(name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* f : {"config.json", "model.safetensors", "vocab.txt"}) {
    fs::copy_file(fixture(model + "/" + f), dir + "/" + f);
  }
  return dir;
}

TEST(EncoderTest, LoadErrorsNameKeyFileAndShapes) {
  GAUSSNER_REQUIRE_SHARED("fixtures/bert-tiny/model.safetensors");
  TensorMap file = read_safetensors(fixture("bert-tiny/model.safetensors"));
  TensorMap legacy =
      read_safetensors(fixture("bert-tiny/legacy_prefixed/model.safetensors"));
  EncoderConfig config = EncoderConfig::load(fixture("bert-tiny/config.json"));

  // Missing tensor.
  TensorMap missing = file;
  missing.erase("encoder.layer.1.output.dense.weight");
  Encoder encoder(config);
  EXPECT_THROW_WITH(encoder->load_weights(missing, "m.safetensors"),
                    "m.safetensors: missing tensor "
                    "'encoder.layer.1.output.dense.weight' (expected shape "
                    "[32, 64], found none");

  // Wrong shape, named by the checkpoint's own key.
  TensorMap wrong = legacy;
  wrong["bert.embeddings.token_type_embeddings.weight"] = torch::zeros({3, 32});
  EXPECT_THROW_WITH(encoder->load_weights(wrong, "w.safetensors"),
                    "w.safetensors: tensor "
                    "'bert.embeddings.token_type_embeddings.weight' has shape "
                    "[3, 32], expected [2, 32]");

  // A BERT checkpoint is not a LayoutLM one.
  EncoderConfig layout = config;
  layout.model_type = "layoutlm";
  Encoder layout_encoder(layout);
  EXPECT_THROW_WITH(
      layout_encoder->load_weights(file, "b.safetensors"),
      "b.safetensors: missing tensor 'embeddings.h_position_embeddings.weight' "
      "(expected shape [1024, 32], found none; is this a layoutlm "
      "checkpoint?)");

  // The same tensor spelled twice.
  TensorMap twice = file;
  twice["bert.pooler.dense.bias"] = file["pooler.dense.bias"];
  EXPECT_THROW_WITH(encoder->load_weights(twice, "t.safetensors"),
                    "both give the encoder's 'pooler.dense.bias'");

  // Vocabulary of the wrong size.
  std::string dir = copy_model("bert-tiny", "wrong-vocab");
  std::ofstream(dir + "/vocab.txt") << "[PAD]\n[UNK]\n[CLS]\n";
  EXPECT_THROW_WITH(load_encoder(dir),
                    "vocab.txt: 3 tokens, but config.json has vocab_size "
                    "30522: wrong vocab for this model?");

  // No checkpoint at all.
  fs::remove(dir + "/vocab.txt");
  fs::remove(dir + "/model.safetensors");
  EXPECT_THROW_WITH(load_encoder(dir), "model.safetensors: not found");
}

TEST(EncoderTest, UnusedTensorsWarnedOncePoolerOptional) {
  GAUSSNER_REQUIRE_SHARED("fixtures/bert-tiny/model.safetensors");
  TensorMap file =
      read_safetensors(fixture("bert-tiny/legacy_prefixed/model.safetensors"));
  Encoder encoder(EncoderConfig::load(fixture("bert-tiny/config.json")));

  // Known extras (position_ids, cls.*) are silent.
  ::testing::internal::CaptureStderr();
  encoder->load_weights(file, "legacy");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");

  // A tagging checkpoint: classifier extra, no pooler.
  file["classifier.weight"] = torch::zeros({9, 32});
  file.erase("bert.pooler.dense.weight");
  file.erase("bert.pooler.dense.bias");
  ::testing::internal::CaptureStderr();
  encoder->load_weights(file, "tagger");
  std::string warned = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(warned.find("tagger: 1 tensor(s) not used by the encoder: "
                        "classifier.weight\n"),
            std::string::npos)
      << warned;
  EXPECT_NE(warned.find("no pooler weights"), std::string::npos) << warned;
}

TEST(EncoderTest, DropoutInitAndInputChecks) {
  EncoderConfig config = EncoderConfig::preset("tiny", "layoutlm", 100);
  Encoder a(config);
  Encoder b(config);
  a->init_weights(at::make_generator<at::CPUGeneratorImpl>(7));
  b->init_weights(at::make_generator<at::CPUGeneratorImpl>(7));
  for (const auto& [name, t] : a->weights()) {
    EXPECT_TRUE(torch::equal(t, b->weights()[name])) << name;
  }

  // Hugging Face's initialisation.
  auto w = a->weights();
  EXPECT_TRUE(torch::equal(w["embeddings.word_embeddings.weight"][0],
                           torch::zeros({128})));
  EXPECT_TRUE(torch::equal(w["encoder.layer.1.output.LayerNorm.weight"],
                           torch::ones({128})));
  EXPECT_TRUE(torch::equal(w["encoder.layer.0.attention.self.key.bias"],
                           torch::zeros({128})));
  double std =
      w["encoder.layer.0.intermediate.dense.weight"].std().item<double>();
  EXPECT_NEAR(std, 0.02, 0.001);

  // Dropout only in train mode.
  EncoderInput in;
  in.input_ids = torch::randint(0, 100, {2, 7}, torch::kLong);
  in.bbox = torch::tensor({10, 20, 30, 40}).expand({2, 7, 4});
  a->train();
  auto t1 = a->forward(in);
  auto t2 = a->forward(in);
  EXPECT_FALSE(torch::allclose(t1, t2));
  a->eval();
  EXPECT_TRUE(torch::equal(a->forward(in), a->forward(in)));

  // The mask may be int, float or bool.
  EncoderInput masked = in;
  auto mask = torch::tensor({{1, 1, 1, 1, 1, 0, 0}, {1, 1, 0, 0, 0, 0, 0}});
  masked.attention_mask = mask;
  auto with_int_mask = a->forward(masked);
  EXPECT_FALSE(torch::allclose(with_int_mask, a->forward(in)));
  masked.attention_mask = mask.to(torch::kFloat);
  EXPECT_TRUE(torch::equal(a->forward(masked), with_int_mask));
  masked.attention_mask = mask.to(torch::kBool);
  EXPECT_TRUE(torch::equal(a->forward(masked), with_int_mask));

  // Inputs the embeddings cannot index.
  EncoderInput bad = in;
  bad.input_ids = torch::full({2, 7}, 100, torch::kLong);
  EXPECT_THROW_WITH(a->forward(bad),
                    "input_ids holds 100, expected values in 0..99");
  bad = in;
  bad.bbox = torch::tensor({30, 20, 10, 40}).expand({2, 7, 4});
  EXPECT_THROW_WITH(a->forward(bad), "bbox width or height");
  bad = in;
  bad.token_type_ids = torch::zeros({2, 7});
  EXPECT_THROW_WITH(a->forward(bad),
                    "token_type_ids has dtype Float, expected an integer");
  bad = in;
  bad.attention_mask = torch::ones({2, 6});
  EXPECT_THROW_WITH(a->forward(bad),
                    "attention_mask has shape [2, 6], expected [2, 7]");
  bad = in;
  bad.input_ids = torch::zeros({1, 513}, torch::kLong);
  bad.bbox = torch::Tensor();
  EXPECT_THROW_WITH(a->forward(bad), "position_ids (the sequence may be");
}

TEST(EncoderConfigTest, ParsesFixturesAndRejectsBadFields) {
  GAUSSNER_REQUIRE_SHARED("fixtures/layoutlm-tiny/config.json");
  auto bert = EncoderConfig::load(fixture("bert-tiny/config.json"));
  EXPECT_EQ(bert.hidden_size, 32);
  EXPECT_EQ(bert.max_position_embeddings, 128);
  EXPECT_EQ(bert.layer_norm_eps, 1e-12);
  EXPECT_FALSE(bert.is_layoutlm());
  auto layout = EncoderConfig::load(fixture("layoutlm-tiny/config.json"));
  EXPECT_TRUE(layout.is_layoutlm());
  EXPECT_EQ(layout.max_2d_position_embeddings, 1024);

  // to_json reads back as the same config.
  json j = layout.to_json();
  EXPECT_EQ(j["architectures"][0], "LayoutLMModel");
  EXPECT_EQ(EncoderConfig::from_json(j, "x").to_json(), j);
  EXPECT_EQ(bert.to_json()["architectures"][0], "BertModel");

  json base = read_json(fixture("bert-tiny/config.json"));
  struct Case {
    const char* field;
    json value;  // null = remove the field
    const char* needle;
  } cases[] = {
      {"hidden_size", nullptr, "required field 'hidden_size' is missing"},
      {"model_type", nullptr, "required field 'model_type' is missing"},
      {"model_type",
       "roberta",
       "field 'model_type' is \"roberta\"; supported: \"bert\", "
       "\"layoutlm\""},
      {"hidden_act",
       "gelu_new",
       "field 'hidden_act' is \"gelu_new\"; only \"gelu\" (the exact erf "
       "form) is supported"},
      {"num_attention_heads",
       5,
       "field 'hidden_size' is 32, which is not divisible by "
       "num_attention_heads 5"},
      {"vocab_size",
       "big",
       "field 'vocab_size' is \"big\", expected a non-negative integer"},
      {"layer_norm_eps", "small", "field 'layer_norm_eps' is \"small\""},
      {"num_hidden_layers", 0, "field 'num_hidden_layers' is 0"},
      {"position_embedding_type",
       "relative_key",
       "field 'position_embedding_type' is \"relative_key\"; only "
       "\"absolute\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    json bad = base;
    if (c.value.is_null()) {
      bad.erase(c.field);
    } else {
      bad[c.field] = c.value;
    }
    std::string path = testing::temp_path("config.json");
    std::ofstream(path) << bad.dump();
    EXPECT_THROW_WITH(EncoderConfig::load(path), path + ": " + c.needle);
  }
  std::string path = testing::temp_path("broken.json");
  std::ofstream(path) << "{\"model_type\": ";
  EXPECT_THROW_WITH(EncoderConfig::load(path), "broken.json: not valid JSON");

  // Presets.
  auto base_size = EncoderConfig::preset("base", "bert", 30522);
  EXPECT_EQ(base_size.num_hidden_layers, 12);
  EXPECT_EQ(base_size.intermediate_size, 3072);
  auto small = EncoderConfig::preset("small", "layoutlm", 100);
  EXPECT_EQ(small.hidden_size, 256);
  EXPECT_EQ(small.num_attention_heads, 4);
  EXPECT_EQ(small.max_position_embeddings, 512);
  EXPECT_THROW_WITH(EncoderConfig::preset("huge", "bert", 10),
                    "encoder size 'huge' is unknown");
}

}  // namespace
}  // namespace gaussner
