#!/usr/bin/env bash
# Runs the loss benchmark: gaussner at N = 800, 1200, 4096, 16384 and the
# reference formulation at N = 400, 800 (D = 128), one process per
# configuration because peak memory (VmHWM) is per process. Prints one JSON
# line per run. Usage: bench/loss_bench.sh [path/to/gaussner] (default
# build/gaussner); THREADS (default 2) and REPS (default 3; 1 above N = 4096).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/gaussner}"
threads="${THREADS:-2}"
reps="${REPS:-3}"

run() {
  "$bin" --threads "$threads" bench loss --dim 128 --seed 1 "$@"
}

for n in 800 1200 4096; do run --words "$n" --reps "$reps"; done
run --words 16384 --reps 1
for n in 400 800; do run --words "$n" --reps 1 --naive; done
