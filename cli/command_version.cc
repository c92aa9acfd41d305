// `gaussner version`: versions of gaussner and the libraries it runs on.
#include <torch/torch.h>

#include <cstdio>

#include "command.h"

namespace gaussner::cli {
namespace {

Command make(CLI::App& parent) {
  auto* app = parent.add_subcommand(
      "version", "Print gaussner's version and the libtorch build it uses");
  return {app, [] {
            std::printf("gaussner 0.1.0\nlibtorch %s\nthreads %d\n",
                        TORCH_VERSION,
                        at::get_num_threads());
          }};
}

const bool kRegistered = register_command(make);

}  // namespace
}  // namespace gaussner::cli
