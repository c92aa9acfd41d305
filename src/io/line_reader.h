// Reads a text file line by line, gzip or plain, from a path or stdin.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace gaussner {

// Reads lines from a file ("-" = standard input). Gzip input is detected
// from its magic bytes and decompressed transparently. Line ends ("\n" or
// "\r\n") are stripped. Errors name the path.
class LineReader {
 public:
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Reads the next line into `line`; false at the end of the input.
  bool next(std::string& line);

  // 1-based number of the line last returned by next().
  std::size_t line_number() const { return line_number_; }

  // The path as given ("<stdin>" for "-").
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
  std::size_t line_number_ = 0;
};

}  // namespace gaussner
