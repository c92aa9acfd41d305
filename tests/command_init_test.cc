// `gaussner init`, run as the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "model/encoder.h"
#include "test_util.h"

namespace gaussner {
namespace {

namespace fs = std::filesystem;

// Runs the gaussner binary with `args`; returns its exit status and puts
// its standard error into `err`.
int run_gaussner(const std::string& args, std::string* err = nullptr) {
  std::string err_path = testing::temp_path("stderr.txt");
  std::string command =
      testing::binary() + " --threads 1 " + args + " 2>" + err_path;
  int status = std::system(command.c_str());
  if (err != nullptr) {
    std::ifstream in(err_path);
    std::stringstream text;
    text << in.rdbuf();
    *err = text.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string write_vocab(const std::string& name, bool with_upper) {
  std::string path = testing::temp_path(name);
  std::ofstream out(path);
  out << "[PAD]\n[unused0]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\ncafé\n";
  out << (with_upper ? "Paris\n" : "paris\n");
  return path;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(CommandInitTest, WritesLoadableReproducibleModels) {
  std::string uncased = write_vocab("uncased.txt", false);
  std::string cased = write_vocab("cased.txt", true);
  std::string a = testing::temp_path("a");
  std::string b = testing::temp_path("b");
  std::string c = testing::temp_path("c");
  std::string d = testing::temp_path("d");
  for (const auto& dir : {a, b, c, d}) fs::remove_all(dir);

  std::string init = "init --size tiny --seed 3 --vocab ";
  ASSERT_EQ(run_gaussner(init + uncased + " --arch bert --out " + a), 0);
  ASSERT_EQ(run_gaussner(init + uncased + " --arch bert --out " + b), 0);
  ASSERT_EQ(run_gaussner("init --size tiny --seed 4 --vocab " + uncased +
                         " --out " + c),
            0);
  ASSERT_EQ(run_gaussner(init + cased + " --arch layoutlm --out " + d), 0);
  EXPECT_FALSE(fs::exists(a + ".tmp"));

  // Casing: inferred from the vocabulary unless a flag says otherwise.
  EXPECT_EQ(read_json(a + "/tokenizer_config.json")["do_lower_case"], true);
  EXPECT_EQ(read_json(d + "/tokenizer_config.json")["do_lower_case"], false);
  EXPECT_EQ(read_json(a + "/config.json")["architectures"][0], "BertModel");

  // Loads back (vocab size checked), runs, same seed -> same weights.
  Encoder ea = load_encoder(a);
  Encoder eb = load_encoder(b);
  Encoder ec = load_encoder(c);
  EXPECT_EQ(ea->config().vocab_size, 10);
  EXPECT_EQ(ea->config().hidden_size, 128);
  for (const auto& [name, t] : ea->weights()) {
    EXPECT_TRUE(torch::equal(t, eb->weights()[name])) << name;
  }
  auto word = ea->weights()["embeddings.word_embeddings.weight"];
  EXPECT_FALSE(
      torch::equal(word, ec->weights()["embeddings.word_embeddings.weight"]));
  EXPECT_TRUE(torch::equal(word[0], torch::zeros({128})));  // [PAD] row

  torch::NoGradGuard no_grad;
  EncoderInput in;
  in.input_ids = torch::tensor({{3, 6, 7, 4}});
  EXPECT_EQ(ea->forward(in).sizes(), (std::vector<int64_t>{1, 4, 128}));
  Encoder ed = load_encoder(d);
  EXPECT_TRUE(ed->config().is_layoutlm());
  in.bbox = torch::tensor({{{0, 0, 0, 0},
                            {10, 20, 30, 40},
                            {10, 20, 30, 40},
                            {1000, 1000, 1000, 1000}}});
  EXPECT_EQ(ed->forward(in).sizes(), (std::vector<int64_t>{1, 4, 128}));
}

TEST(CommandInitTest, RefusesToOverwriteAndBadFlags) {
  std::string vocab = write_vocab("vocab.txt", true);
  std::string dir = testing::temp_path("model");
  fs::remove_all(dir);
  std::string init = "init --vocab " + vocab + " --out " + dir;
  ASSERT_EQ(run_gaussner(init), 0);
  std::string err;
  EXPECT_EQ(run_gaussner(init, &err), 1);
  EXPECT_NE(err.find("exists and is not empty; pass --force"),
            std::string::npos)
      << err;
  EXPECT_EQ(run_gaussner(init + " --force --uncased"), 0);
  EXPECT_EQ(read_json(dir + "/tokenizer_config.json")["do_lower_case"], true);
  EXPECT_NE(run_gaussner(init + " --force --cased --uncased", &err), 0);
  EXPECT_NE(run_gaussner(init + " --force --size huge", &err), 0);
  EXPECT_NE(err.find("huge"), std::string::npos) << err;

  std::string no_pad = testing::temp_path("no_pad.txt");
  std::ofstream(no_pad) << "[UNK]\n[CLS]\n[SEP]\nword\n";
  EXPECT_EQ(
      run_gaussner("init --vocab " + no_pad + " --out " + dir + "2", &err), 1);
  EXPECT_NE(err.find("no_pad.txt: vocabulary has no [PAD] token"),
            std::string::npos)
      << err;
  EXPECT_FALSE(fs::exists(dir + "2"));
  EXPECT_FALSE(fs::exists(dir + "2.tmp"));
}

}  // namespace
}  // namespace gaussner
