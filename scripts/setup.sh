#!/usr/bin/env bash
# Installs the Debian 12 packages gaussner needs to build, test and run.
# Idempotent: installs only what is missing, and nothing when all is there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache clang-format git
  libtorch-dev            # tensors and autograd (CPU build)
  libopenblas0-openmp     # fast sgemm for libtorch (the default BLAS is slow)
  nlohmann-json3-dev      # JSON
  libutf8proc-dev         # Unicode categories, NFC/NFD, case mapping
  libcli11-dev            # command line
  libfmt-dev              # formatting
  zlib1g-dev              # gzip input
  libgtest-dev            # tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
