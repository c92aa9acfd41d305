// Thread count for libtorch's intra-op pool.
#pragma once

namespace gaussner {

// Sets libtorch's intra-op threads; n <= 0 means every core. Returns the
// count in force afterwards.
int set_threads(int n);

}  // namespace gaussner
