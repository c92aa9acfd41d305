#include "util/threads.h"

#include <torch/torch.h>

#include <thread>

namespace gaussner {

int set_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace gaussner
