#!/usr/bin/env bash
# Few-NERD INTER: a tiny BERT trained here from scratch on the INTER train
# sentences, then ContaiNER against NNShot and ProtoBERT on the first N
# INTER dev 5-way 1~2-shot episodes.
# Usage: bench/fewnerd_f1.sh [SHARED_DIR] [WORK_DIR] [EPISODES]
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
work=${2:-runs/fewnerd}
episodes=${3:-300}
g="build/gaussner"
mkdir -p "$work"

$g init --arch bert --size tiny --seed 1 --force \
  --vocab data/vocab/bert-base-uncased/vocab.txt --out "$work/enc"
$g train --encoder "$work/enc" \
  --train "$shared/data/few-nerd/inter/train.txt.gz" --out "$work/model" \
  --lr 5e-4 --warmup 0.05 --linear-decay --log-every 200 \
  --log-file "$work/train.jsonl"
for method in container nnshot proto; do
  $g episodes --model "$work/model" \
    --episodes "$shared/data/few-nerd/episodes/inter/dev_5_1.jsonl" \
    --limit "$episodes" --method "$method" \
    --summary "$work/summary-$method.json" \
    --output "$work/episodes-$method.jsonl"
done
