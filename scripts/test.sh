#!/usr/bin/env bash
# Installs what is missing, builds, checks formatting and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
scripts/check-format.sh
cd build && ctest --output-on-failure -j "$(nproc)"
