// The WordPiece tokenizer against Hugging Face's slow BertTokenizer
// (fixtures/tokenizer), hand-made tables, bad input and the CLI.
#include "text/tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "io/line_reader.h"
#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

using Json = nlohmann::json;
using Strings = std::vector<std::string>;
using Ids = std::vector<int64_t>;

// Counts mismatching records and keeps the first few for the failure text.
struct Mismatches {
  std::size_t records = 0;
  std::size_t count = 0;
  std::string shown;

  void add(const std::string& id, const Json& expected, const Json& actual) {
    if (++count > 5) return;
    shown += "  " + id + ":\n    expected " + expected.dump() +
             "\n    actual   " + actual.dump() + "\n";
  }
};

std::vector<Json> read_jsonl(const std::string& path) {
  std::vector<Json> records;
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) records.push_back(Json::parse(line));
  return records;
}

// sentences.*.jsonl and special_tokens.*.jsonl: tokens and ids of text.
Mismatches check_texts(const Tokenizer& tokenizer, const std::string& path) {
  Mismatches result;
  for (const auto& record : read_jsonl(path)) {
    ++result.records;
    auto text = record["text"].get<std::string>();
    auto tokens = tokenizer.tokenize(text);
    Json actual = {{"tokens", tokens}, {"ids", tokenizer.ids(tokens)}};
    Json expected = {{"tokens", record["tokens"]}, {"ids", record["ids"]}};
    if (record.contains("input_ids")) {
      Ids with_special = {tokenizer.cls_id()};
      for (int64_t id : tokenizer.ids(tokens)) with_special.push_back(id);
      with_special.push_back(tokenizer.sep_id());
      actual["input_ids"] = with_special;
      expected["input_ids"] = record["input_ids"];
    }
    if (actual != expected) result.add(record["id"], expected, actual);
  }
  return result;
}

// words.*.jsonl: pieces and ids of each word on its own.
Mismatches check_words(const Tokenizer& tokenizer, const std::string& path) {
  Mismatches result;
  for (const auto& record : read_jsonl(path)) {
    ++result.records;
    Json pieces = Json::array();
    Json ids = Json::array();
    for (const auto& word : record["words"]) {
      auto word_pieces = tokenizer.tokenize_word(word.get<std::string>());
      Ids word_ids = tokenizer.word_ids(word.get<std::string>());
      if (word_ids != tokenizer.ids(word_pieces)) word_ids.push_back(-1);
      pieces.push_back(word_pieces);
      ids.push_back(word_ids);
    }
    Json actual = {{"word_pieces", pieces}, {"word_piece_ids", ids}};
    Json expected = {{"word_pieces", record["word_pieces"]},
                     {"word_piece_ids", record["word_piece_ids"]}};
    if (actual != expected) result.add(record["id"], expected, actual);
  }
  return result;
}

void check_fixtures(const std::string& model, bool lower_case) {
  std::string fixtures = testing::shared_dir() + "/fixtures/";
  auto vocab = fixtures + "vocab/" + model + "/vocab.txt";
  auto tokenizer = Tokenizer::load(vocab, lower_case);
  EXPECT_EQ(Tokenizer::load(vocab).lower_case(), lower_case)
      << "casing inferred from " << vocab;

  struct File {
    std::string name;
    std::size_t records;
  };
  for (const File& file : {File{"sentences", 1491},
                           File{"words", 1507},
                           File{"special_tokens", 15}}) {
    auto path = fixtures + "tokenizer/" + file.name + "." + model + ".jsonl";
    auto result = file.name == "words" ? check_words(tokenizer, path)
                                       : check_texts(tokenizer, path);
    EXPECT_EQ(result.records, file.records) << path;
    EXPECT_EQ(result.count, 0u)
        << result.count << " of " << result.records << " records differ in "
        << path << "; first ones:\n"
        << result.shown;
    std::printf("[ fixtures ] %s: %zu of %zu records match\n",
                path.c_str(),
                result.records - result.count,
                result.records);
  }
}

TEST(TokenizerFixtures, Cased) {
  GAUSSNER_REQUIRE_SHARED("fixtures/tokenizer/words.bert-base-cased.jsonl");
  check_fixtures("bert-base-cased", false);
}

TEST(TokenizerFixtures, Uncased) {
  GAUSSNER_REQUIRE_SHARED("fixtures/tokenizer/words.bert-base-uncased.jsonl");
  check_fixtures("bert-base-uncased", true);
}

// A tiny vocabulary: ids are line numbers.
const Strings kTinyVocab = {
    "[PAD]",   "[UNK]", "[CLS]", "[SEP]",  "[MASK]", "hello",  "world",
    "##world", "un",    "##aff", "##able", "run",    "##ning", ",",
    "!",       "[",     "]",     "mask",   "cafe",   "Café",   "你",
    "好",      "οδοσ",  "i",     "a",      "##a",    "Hello"};

std::string write_lines(const std::string& name, const Strings& lines) {
  auto path = testing::temp_path(name);
  std::ofstream out(path, std::ios::binary);
  for (const auto& line : lines) out << line << '\n';
  return path;
}

std::string write_tiny_vocab() {
  return write_lines("vocab.txt", kTinyVocab);
}

TEST(TokenizerTable, TinyVocab) {
  auto vocab = write_tiny_vocab();
  auto cased = Tokenizer::load(vocab, false);
  auto uncased = Tokenizer::load(vocab, true);
  std::string a100(100, 'a');
  Strings a100_pieces = {"a"};
  for (int i = 1; i < 100; ++i) a100_pieces.push_back("##a");

  struct Case {
    const Tokenizer* tokenizer;
    std::string text;
    Strings expected;
  };
  const std::vector<Case> cases = {
      {&uncased, "Hello, World!", {"hello", ",", "world", "!"}},
      {&cased, "Hello, World!", {"Hello", ",", "[UNK]", "!"}},
      {&uncased,
       "UNAFFABLE running",
       {"un", "##aff", "##able", "run", "##ning"}},
      {&uncased, "unaffablex", {"[UNK]"}},  // one miss: the whole word
      {&uncased, "xyz hello", {"[UNK]", "hello"}},
      {&uncased, "Café cafe\u0301", {"cafe", "cafe"}},       // accents stripped
      {&cased, "Cafe\u0301", {"Café"}},                      // NFC, kept
      {&uncased, "hello\u200bworld", {"hello", "##world"}},  // Cf deleted
      {&uncased, "hello\u00a0world\u2028hello", {"hello", "world", "hello"}},
      {&uncased, " \t\r\n\u3000 ", {}},
      {&uncased, "", {}},
      {&uncased, "hello[MASK]world", {"hello", "[MASK]", "world"}},
      {&cased, "[mask]", {"[", "mask", "]"}},  // not special in lower case
      {&uncased, "hello你好", {"hello", "你", "好"}},  // CJK split
      {&uncased, "ΟΔΟΣ", {"οδοσ"}},  // per-character lower: no final sigma
      {&cased, "ΟΔΟΣ", {"[UNK]"}},
      {&uncased, "\u0130", {"i"}},  // I with dot -> i + U+0307 -> i
      {&uncased, a100, a100_pieces},
      {&uncased, a100 + "a", {"[UNK]"}},  // over 100 characters
  };
  for (const auto& c : cases) {
    auto tokens = c.tokenizer->tokenize(c.text);
    EXPECT_EQ(tokens, c.expected)
        << "text '" << c.text << "' "
        << (c.tokenizer->lower_case() ? "uncased" : "cased");
    EXPECT_EQ(c.tokenizer->word_ids(c.text), c.tokenizer->ids(tokens));
  }

  EXPECT_EQ(uncased.id("hello"), 5);
  EXPECT_EQ(uncased.id("nope"), uncased.unk_id());
  EXPECT_EQ(uncased.token(6), "world");
  EXPECT_EQ(uncased.size(), kTinyVocab.size());
  EXPECT_EQ(uncased.pad_id(), 0);
  EXPECT_EQ(uncased.unk_id(), 1);
  EXPECT_EQ(uncased.cls_id(), 2);
  EXPECT_EQ(uncased.sep_id(), 3);
  EXPECT_EQ(uncased.vocab_path(), vocab);
}

TEST(TokenizerTable, CasingFromModelDir) {
  namespace fs = std::filesystem;
  auto vocab = write_tiny_vocab();
  auto dir = fs::path(vocab).parent_path().string();
  fs::remove(fs::path(dir) / "tokenizer_config.json");
  EXPECT_FALSE(Tokenizer::from_model_dir(dir).lower_case());  // has "Hello"
  write_lines("tokenizer_config.json", {R"({"do_lower_case": true})"});
  EXPECT_TRUE(Tokenizer::from_model_dir(dir).lower_case());
  write_lines("tokenizer_config.json", {R"({"model_max_length": 512})"});
  EXPECT_FALSE(Tokenizer::from_model_dir(dir).lower_case());

  // U+211D has no lower-case form (bert-base-uncased holds it)
  auto lower_vocab = write_lines(
      "lower.txt", {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "caf\u00e9", "\u211d"});
  EXPECT_TRUE(Tokenizer::load(lower_vocab).lower_case());
}

TEST(TokenizerErrors, BadInput) {
  namespace fs = std::filesystem;
  auto missing = testing::temp_path("missing.txt");
  EXPECT_THROW_WITH(Tokenizer::load(missing, true), missing);
  auto dir = fs::path(missing).parent_path().string();
  EXPECT_THROW_WITH(Tokenizer::load(dir, true), "is a directory");

  auto empty = write_lines("empty.txt", {});
  EXPECT_THROW_WITH(Tokenizer::load(empty, true), "vocabulary is empty");

  Strings no_unk = {"[PAD]", "[CLS]", "[SEP]", "hello"};
  EXPECT_THROW_WITH(Tokenizer::load(write_lines("no_unk.txt", no_unk), true),
                    "has no [UNK] token");
  Strings no_sep = {"[PAD]", "[UNK]", "[CLS]", "hello"};
  EXPECT_THROW_WITH(Tokenizer::load(write_lines("no_sep.txt", no_sep), true),
                    "has no [SEP] token");

  Strings duplicate = kTinyVocab;
  duplicate.push_back("hello");
  auto duplicate_path = write_lines("duplicate.txt", duplicate);
  EXPECT_THROW_WITH(Tokenizer::load(duplicate_path, true),
                    duplicate_path +
                        ":28: duplicate token 'hello' "
                        "(first on line 6)");

  Strings blank = {"[PAD]", "", "[UNK]"};
  EXPECT_THROW_WITH(Tokenizer::load(write_lines("blank.txt", blank), true),
                    "blank.txt:2: empty line");
  Strings bad_utf8 = {"[PAD]", "caf\xe9"};
  EXPECT_THROW_WITH(Tokenizer::load(write_lines("latin1.txt", bad_utf8), true),
                    "latin1.txt:2: token is not valid UTF-8");

  auto tokenizer = Tokenizer::load(write_tiny_vocab(), true);
  EXPECT_THROW_WITH(tokenizer.tokenize("ok \xff"),
                    "invalid UTF-8 at byte 3 (byte value 0xFF)");
  EXPECT_THROW_WITH(tokenizer.word_ids("\xc3"), "invalid UTF-8 at byte 0");

  EXPECT_THROW_WITH(Tokenizer::from_model_dir(missing),
                    "model directory not found");
  auto no_vocab_dir = testing::temp_path("no_vocab");
  fs::create_directories(no_vocab_dir);
  EXPECT_THROW_WITH(Tokenizer::from_model_dir(no_vocab_dir), "no vocab.txt");
  auto model_dir = fs::path(write_tiny_vocab()).parent_path().string();
  write_lines("tokenizer_config.json", {R"({"do_lower_case": "yes"})"});
  EXPECT_THROW_WITH(Tokenizer::from_model_dir(model_dir),
                    "do_lower_case is \"yes\": expected true or false");
  write_lines("tokenizer_config.json", {R"({"do_lower_case": tru)"});
  EXPECT_THROW_WITH(Tokenizer::from_model_dir(model_dir),
                    "tokenizer_config.json: not valid JSON");
}

// Runs a shell command; returns its exit status and standard output.
std::pair<int, std::string> run_command(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, output};
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TokenizerCli, GoodAndMalformedInput) {
  auto vocab = write_tiny_vocab();
  auto input = write_lines(
      "input.txt", {"Hello, World!", R"({"words": ["UNaffable", "xyz"]})"});
  auto command = testing::binary() + " tokenize --uncased --vocab " + vocab;
  auto [status, output] = run_command(command + " --input " + input);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(output,
            "{\"tokens\":[\"hello\",\",\",\"world\",\"!\"],"
            "\"ids\":[5,13,6,14]}\n"
            "{\"tokens\":[\"un\",\"##aff\",\"##able\",\"[UNK]\"],"
            "\"ids\":[8,9,10,1]}\n");

  std::tie(status, output) =
      run_command(command + " --words < " + input + " 2>/dev/null");
  EXPECT_EQ(status, 0);
  EXPECT_EQ(output,
            "{\"word_pieces\":[[\"hello\",\",\"],[\"world\",\"!\"]],"
            "\"ids\":[[5,13],[6,14]]}\n"
            "{\"word_pieces\":[[\"un\",\"##aff\",\"##able\"],[\"[UNK]\"]],"
            "\"ids\":[[8,9,10],[1]]}\n");

  auto bad = write_lines("bad.jsonl",
                         {R"({"words": ["hello"]})", R"({"words": ["hello")"});
  auto errors = testing::temp_path("stderr.txt");
  std::tie(status, output) =
      run_command(command + " --input " + bad + " 2>" + errors);
  EXPECT_NE(status, 0);
  EXPECT_EQ(output, "{\"tokens\":[\"hello\"],\"ids\":[5]}\n");
  EXPECT_NE(read_file(errors).find(bad + ":2: malformed JSON"),
            std::string::npos)
      << read_file(errors);
}

}  // namespace
}  // namespace gaussner
