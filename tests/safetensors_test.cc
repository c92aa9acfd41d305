#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

namespace fs = std::filesystem;

// A safetensors file from its parts: u64 header length, header, data.
std::string make_file(const std::string& header, const std::string& data) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = (header.size() >> (8 * i)) & 0xff;
  return bytes + header + data;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

TEST(SafetensorsTest, RoundTripEveryDtype) {
  TensorMap tensors;
  tensors["f32"] = torch::randn({2, 3});
  tensors["f16"] = torch::randn({4}).to(torch::kHalf);
  tensors["bf16"] = torch::randn({3, 1}).to(torch::kBFloat16);
  tensors["f64"] = torch::randn({2, 2}, torch::kDouble);
  tensors["i64"] = torch::tensor(std::vector<int64_t>{-5, 0, int64_t{1} << 40});
  tensors["i32"] = torch::tensor({-7, 9}, torch::kInt);
  tensors["i16"] = torch::tensor({-3, 300}, torch::kShort);
  tensors["i8"] = torch::tensor({-128, 127}, torch::kChar);
  tensors["u8"] = torch::tensor({0, 255}, torch::kByte);
  tensors["bool"] = torch::tensor({true, false, true});
  tensors["scalar"] = torch::tensor(2.5f);
  tensors["empty"] = torch::zeros({0, 5});
  // A strided view is written as its values.
  tensors["view"] = torch::arange(12, torch::kFloat).view({3, 4}).t();

  std::string path = testing::temp_path("round.safetensors");
  write_safetensors(path, tensors);
  TensorMap back = read_safetensors(path);
  ASSERT_EQ(back.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    ASSERT_TRUE(back.count(name)) << name;
    EXPECT_EQ(back[name].scalar_type(), t.scalar_type()) << name;
    EXPECT_EQ(back[name].sizes(), t.sizes()) << name;
    EXPECT_TRUE(torch::equal(back[name], t)) << name;
  }

  // The header length is a multiple of 8 and the temp file is gone.
  std::ifstream in(path, std::ios::binary);
  unsigned char len[8];
  in.read(reinterpret_cast<char*>(len), 8);
  EXPECT_EQ(len[0] % 8, 0);
  int files = 0;
  for (auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
    files += entry.path().filename().string().rfind("round", 0) == 0;
  }
  EXPECT_EQ(files, 1);
}

TEST(SafetensorsTest, BadFilesNameTheProblem) {
  const std::string f32 = R"("dtype":"F32","shape":[2])";
  struct Case {
    const char* name;
    std::string bytes;
    const char* needle;
  } cases[] = {
      {"short", "abcde", "truncated: 5 bytes"},
      {"past_end",
       make_file(std::string(100, ' '), "").substr(0, 10),
       "header length 100 runs past the end of the file (10 bytes"},
      {"not_json", make_file("{\"a\": ", ""), "not a valid JSON object"},
      {"json_list", make_file("[1, 2]    ", ""), "not a valid JSON object"},
      {"unknown_dtype",
       make_file(R"({"w":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})",
                 "x"),
       "tensor 'w' has unknown dtype 'F8'"},
      {"size_mismatch",
       make_file(R"({"w":{)" + f32 + R"(,"data_offsets":[0,4]}})",
                 std::string(8, '\0')),
       "tensor 'w': shape [2] of F32 needs 8 bytes but data_offsets [0, 4] "
       "hold 4"},
      {"out_of_range",
       make_file(R"({"w":{)" + f32 + R"(,"data_offsets":[8,16]}})",
                 std::string(8, '\0')),
       "tensor 'w': data_offsets [8, 16] out of range"},
      {"reversed",
       make_file(R"({"w":{)" + f32 + R"(,"data_offsets":[8,0]}})",
                 std::string(8, '\0')),
       "out of range"},
      {"overlap",
       make_file(R"({"a":{)" + f32 + R"(,"data_offsets":[0,8]},"b":{)" + f32 +
                     R"(,"data_offsets":[4,12]}})",
                 std::string(12, '\0')),
       "tensors 'a' [0, 8] and 'b' [4, 12] overlap"},
      {"no_offsets",
       make_file(R"({"w":{"dtype":"F32","shape":[2]}})", ""),
       "needs dtype, shape and data_offsets"},
      {"bad_shape",
       make_file(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,0]}})",
                 ""),
       "not a non-negative integer"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = testing::temp_path(std::string(c.name) + ".st");
    write_bytes(path, c.bytes);
    EXPECT_THROW_WITH(read_safetensors(path), c.needle);
    EXPECT_THROW_WITH(read_safetensors(path), path);
  }
  EXPECT_THROW_WITH(read_safetensors(testing::temp_path("absent.st")),
                    "cannot open");
  EXPECT_THROW_WITH(
      write_safetensors(testing::temp_path("c.st"),
                        {{"c", torch::zeros({2}, torch::kComplexFloat)}}),
      "tensor 'c' has dtype ComplexFloat");
}

TEST(SafetensorsTest, ReadsHuggingFaceFiles) {
  GAUSSNER_REQUIRE_SHARED("fixtures/bert-tiny/legacy_prefixed");
  std::string dir = testing::shared_dir() + "/fixtures/bert-tiny/";
  TensorMap canonical = read_safetensors(dir + "model.safetensors");
  EXPECT_EQ(canonical.size(), 39u);
  EXPECT_EQ(canonical.at("embeddings.word_embeddings.weight").sizes(),
            (std::vector<int64_t>{30522, 32}));
  EXPECT_EQ(canonical.at("pooler.dense.bias").scalar_type(), torch::kFloat);

  TensorMap legacy =
      read_safetensors(dir + "legacy_prefixed/model.safetensors");
  EXPECT_EQ(legacy.size(), 47u);
  auto positions = legacy.at("bert.embeddings.position_ids");
  EXPECT_EQ(positions.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(positions, torch::arange(128).view({1, 128})));
  EXPECT_TRUE(torch::equal(legacy.at("bert.pooler.dense.weight"),
                           canonical.at("pooler.dense.weight")));
}

}  // namespace
}  // namespace gaussner
