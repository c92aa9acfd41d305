#include <gtest/gtest.h>

#include "util/threads.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // One thread per test process: ctest runs tests side by side, and
  // oversubscribed OpenMP threads spin and slow everything down.
  gaussner::set_threads(1);
  return RUN_ALL_TESTS();
}
