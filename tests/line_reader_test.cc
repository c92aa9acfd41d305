#include "io/line_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>

#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

TEST(LineReader, ReadsPlainLinesAndStripsCarriageReturns) {
  std::string path = testing::temp_path("plain.txt");
  std::ofstream(path) << "one\r\ntwo\n\nthree";
  LineReader reader(path);
  std::string line;
  std::vector<std::string> lines;
  while (reader.next(line)) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "three"}));
  EXPECT_EQ(reader.line_number(), 4u);
}

TEST(LineReader, ReadsGzipTransparently) {
  std::string path = testing::temp_path("lines.gz");
  gzFile out = gzopen(path.c_str(), "wb");
  gzputs(out, "alpha\nbeta\n");
  gzclose(out);
  LineReader reader(path);
  std::string line;
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line, "alpha");
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line, "beta");
  EXPECT_FALSE(reader.next(line));
}

TEST(LineReader, MissingFileNamesThePath) {
  EXPECT_THROW_WITH(LineReader("/nonexistent/file.txt"),
                    "/nonexistent/file.txt");
}

}  // namespace
}  // namespace gaussner
