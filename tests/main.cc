#include <gtest/gtest.h>

#include "util/threads.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  gaussner::set_threads(0);
  return RUN_ALL_TESTS();
}
