// `gaussner encode`, run as the built binary on the fixture batches.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "model/word_batch.h"
#include "test_util.h"

namespace gaussner {
namespace {

using nlohmann::json;

struct Result {
  int status = -1;
  std::vector<json> lines;  // stdout, one JSON object a line
  std::string err;
};

Result encode(const std::string& model,
              const std::string& input,
              const std::string& extra = "") {
  std::string out = testing::temp_path("out.jsonl");
  std::string err = testing::temp_path("err.txt");
  std::string command = testing::binary() + " --threads 1 encode --model " +
                        model + " --input " + input + extra + " >" + out +
                        " 2>" + err;
  Result r;
  int status = std::system(command.c_str());
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream lines(out);
  std::string line;
  while (std::getline(lines, line)) r.lines.push_back(json::parse(line));
  std::ifstream errs(err);
  std::stringstream text;
  text << errs.rdbuf();
  r.err = text.str();
  return r;
}

std::vector<int64_t> row_of(const torch::Tensor& t) {
  auto c = t.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// Largest amount by which |ours - ref| exceeds 2e-5 + 1e-5 |ref|.
double excess(const json& ours, const torch::Tensor& ref) {
  auto values = ours.get<std::vector<std::vector<float>>>();
  std::vector<float> flat;
  for (const auto& row : values)
    flat.insert(flat.end(), row.begin(), row.end());
  auto got = torch::tensor(flat).view(ref.sizes());
  return ((got - ref).abs() - (2e-5 + 1e-5 * ref.abs())).max().item<double>();
}

// Form B: every row of every fixture batch, one line each (with padding
// and mask), against the reference last layer.
TEST(CommandEncodeTest, RawIdsMatchHuggingFace) {
  GAUSSNER_REQUIRE_SHARED(
      "fixtures/layoutlm-tiny/reference_outputs.safetensors");
  for (const char* model : {"bert-tiny", "layoutlm-tiny"}) {
    SCOPED_TRACE(model);
    std::string dir = testing::shared_dir() + "/fixtures/" + model;
    TensorMap refs = read_safetensors(dir + "/reference_outputs.safetensors");
    std::string input = testing::temp_path(std::string(model) + ".jsonl");
    std::ofstream out(input);
    std::vector<torch::Tensor> expected;
    for (const auto& [name, ids] : refs) {
      if (name.size() < 10 || name.substr(3) != "input_ids") continue;
      std::string prefix = name.substr(0, 4);
      for (int64_t r = 0; r < ids.size(0); ++r) {
        json line = {{"input_ids", row_of(ids[r])}};
        for (const char* f :
             {"attention_mask", "token_type_ids", "position_ids"}) {
          line[f] = row_of(refs.at(prefix + f)[r]);
        }
        if (refs.count(prefix + "bbox")) {
          auto flat = row_of(refs.at(prefix + "bbox")[r]);
          json boxes = json::array();
          for (size_t k = 0; k < flat.size(); k += 4) {
            boxes.push_back({flat[k], flat[k + 1], flat[k + 2], flat[k + 3]});
          }
          line["bbox"] = boxes;
        }
        out << line.dump() << "\n";
        expected.push_back(refs.at(prefix + "last_hidden_state")[r]);
      }
    }
    out.close();
    Result r = encode(dir, input, " --batch-size 4");
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_EQ(r.lines.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_LE(excess(r.lines[i]["last_hidden_state"], expected[i]), 0)
          << "line " << i + 1;
    }
  }
}

// Form A: words and boxes of the LayoutLM tokenizer batch give the
// reference vectors at each word's first piece; bad lines fail by line.
TEST(CommandEncodeTest, WordsAndBadLines) {
  GAUSSNER_REQUIRE_SHARED("fixtures/layoutlm-tiny/manifest.json");
  std::string dir = testing::shared_dir() + "/fixtures/layoutlm-tiny";
  std::ifstream manifest(dir + "/manifest.json");
  json b00 = json::parse(manifest)["batches"][0];
  std::string input = testing::temp_path("words.jsonl");
  std::ofstream(input)
      << json({{"words", b00["words"][0]}, {"boxes", b00["word_boxes"][0]}})
             .dump()
      << "\n\n"
      << json({{"words", b00["words"][1]}, {"boxes", b00["word_boxes"][1]}})
             .dump()
      << "\n";
  Result r = encode(dir, input);
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[1]["words"], b00["words"][1]);

  // Where the first pieces sit: rows 0 and 1 of the reference batch.
  TensorMap refs = read_safetensors(dir + "/reference_outputs.safetensors");
  Tokenizer tokenizer = Tokenizer::from_model_dir(dir);
  auto hidden = refs.at("b00.last_hidden_state");
  for (int s = 0; s < 2; ++s) {
    WordPieces p = piece_words(tokenizer, b00["words"][s]);
    auto first = torch::tensor(p.word_start) + 1;
    EXPECT_LE(excess(r.lines[s]["vectors"], hidden[s].index_select(0, first)),
              0);
  }

  struct Case {
    const char* name;
    std::string second_line;
    std::string needle;
  } cases[] = {
      {"malformed", R"({"input_ids": [101, 102)", ":2: not valid JSON"},
      {"not_object", "[1, 2]", ":2: not valid JSON"},
      {"neither",
       R"({"text": "hello"})",
       ":2: expected an object with 'words' or 'input_ids'"},
      {"box",
       R"({"words": ["a", "b"], "boxes": [[1,2,3,4],[10,20,5,30]]})",
       ":2: word 1 box [10,20,5,30]: expected [x0, y0, x1, y1] with 0 <= x0 "
       "<= x1 <= 1000"},
      {"box_count",
       R"({"words": ["a", "b"], "boxes": [[1,2,3,4]]})",
       ":2: 'boxes' must be a list of 2 boxes"},
      {"mask_length",
       R"({"input_ids": [101, 102], "attention_mask": [1]})",
       ":2: 'attention_mask' has 1 values, expected 2"},
      {"vocab",
       R"({"input_ids": [101, 40000]})",
       ":2: [Encoder::forward] input_ids holds 40000, expected values in "
       "0..30521"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string bad = testing::temp_path(std::string(c.name) + ".jsonl");
    std::ofstream(bad) << R"({"input_ids": [101, 7592, 102]})"
                       << "\n"
                       << c.second_line << "\n"
                       << R"({"input_ids": [101, 102]})"
                       << "\n";
    Result r = encode(dir, bad);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.lines.size(), 1u);  // the line before, nothing after
    EXPECT_NE(r.err.find(bad + c.needle), std::string::npos) << r.err;
  }

  // A BERT model ignores boxes, saying so once.
  std::string boxed = testing::temp_path("boxed.jsonl");
  std::ofstream(boxed) << R"({"words": ["a"], "boxes": [[1,2,3,4]]})"
                       << "\n";
  r = encode(testing::shared_dir() + "/fixtures/bert-tiny", boxed);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.lines.size(), 1u);
  EXPECT_NE(r.err.find(":1: the model is bert, so 'boxes' are ignored"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace gaussner
