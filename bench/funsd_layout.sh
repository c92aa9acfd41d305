#!/usr/bin/env bash
# Does layout help? Trains a tiny LayoutLM and a tiny BERT from scratch with
# the same budget on the FUNSD training forms, then runs ContaiNER on the
# same few-shot episodes sampled from the FUNSD test forms.
# Usage: bench/funsd_layout.sh [SHARED_DIR] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
work=${2:-runs/funsd}
funsd=$shared/data/funsd
g="build/gaussner"
mkdir -p "$work"

$g sample-episodes --data "$funsd/testing_data/annotations" \
  --page-sizes "$funsd/layoutlm-format/test_image.txt" --max-words 16 \
  --ways 3 --shots 1 --query-shots 4 --count 100 --seed 1 \
  --out "$work/test-3-1.jsonl"

for arch in layoutlm bert; do
  $g init --arch "$arch" --size tiny --seed 1 --force \
    --vocab data/vocab/bert-base-uncased/vocab.txt --out "$work/enc-$arch"
  $g train --encoder "$work/enc-$arch" \
    --train "$funsd/training_data/annotations" \
    --page-sizes "$funsd/layoutlm-format/train_image.txt" \
    --epochs 20 --batch-size 16 --lr 5e-4 --warmup 0.05 --linear-decay \
    --log-every 100 --seed 1 --out "$work/model-$arch"
  $g episodes --model "$work/model-$arch" --episodes "$work/test-3-1.jsonl" \
    --summary "$work/summary-$arch.json" --output "$work/episodes-$arch.jsonl"
done
