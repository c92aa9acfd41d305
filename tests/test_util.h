// Helpers shared by the tests: paths to data and error-message checks.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "util/error.h"

namespace gaussner::testing {

// Root of the source tree (for bundled data under data/).
inline std::string source_dir() {
  return GAUSSNER_SOURCE_DIR;
}

// Path to the gaussner command-line binary.
inline std::string binary() {
  return GAUSSNER_BINARY;
}

// The shared data folder: $GAUSSNER_SHARED, else ../shared beside the
// source tree. Empty when absent.
inline std::string shared_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("GAUSSNER_SHARED")) return env;
  fs::path p = fs::path(GAUSSNER_SOURCE_DIR).parent_path() / "shared";
  return fs::exists(p) ? p.string() : std::string();
}

// A fresh temporary path unique to the running test.
inline std::string temp_path(const std::string& name) {
  namespace fs = std::filesystem;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / "gaussner_tests" /
                 (std::string(info->test_suite_name()) + "." + info->name());
  fs::create_directories(dir);
  return (dir / name).string();
}

}  // namespace gaussner::testing

// Skips the test when the shared data folder (or a file in it) is absent.
#define GAUSSNER_REQUIRE_SHARED(relative)                          \
  do {                                                             \
    std::string shared_ = ::gaussner::testing::shared_dir();       \
    if (shared_.empty() ||                                         \
        !std::filesystem::exists(shared_ + "/" + (relative))) {    \
      GTEST_SKIP() << "shared data not found: " << (relative)      \
                   << " (set GAUSSNER_SHARED or place ../shared)"; \
    }                                                              \
  } while (0)

// Expects `statement` to throw gaussner::Error whose message contains
// `needle`.
#define EXPECT_THROW_WITH(statement, needle)                           \
  do {                                                                 \
    try {                                                              \
      statement;                                                       \
      ADD_FAILURE() << "expected an error containing: " << (needle);   \
    } catch (const ::gaussner::Error& e) {                             \
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) \
          << "message was: " << e.what();                              \
    }                                                                  \
  } while (0)
