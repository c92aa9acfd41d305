#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs an end-to-end
# few-shot demonstration on bundled data:
#   1. a small BERT is created (or --encoder DIR names a pre-trained one),
#   2. trained with ContaiNER's loss on 5,000 Few-NERD INTER train sentences,
#   3. evaluated on Few-NERD INTER dev episodes (entity types never trained on),
#   4. used to tag a few sentences from the five types of one support set.
# Usage: scripts/demo.sh [--encoder DIR] [--episodes N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/.."

encoder=""
episodes=50
threads=0
while [ $# -gt 0 ]; do
  case "$1" in
    --encoder) encoder="$2"; shift 2 ;;
    --episodes) episodes="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

scripts/setup.sh
scripts/build.sh >/dev/null
g="build/gaussner --threads $threads"
work=runs/demo
mkdir -p "$work"

if [ -z "$encoder" ]; then
  echo "== 1. a fresh tiny BERT (2 layers x 128) with BERT's uncased vocabulary"
  encoder="$work/encoder"
  $g init --arch bert --size tiny --seed 1 --force \
    --vocab data/vocab/bert-base-uncased/vocab.txt --out "$encoder"
  # Trained from scratch: a higher learning rate and more epochs than the
  # reference recipe, which starts from pre-trained weights.
  train_args=(--epochs 3 --lr 5e-4 --warmup 0.1 --linear-decay)
else
  echo "== 1. pre-trained encoder: $encoder"
  train_args=()  # the reference recipe (METHOD.md section 5)
fi

echo "== 2. source training on data/few-nerd/inter-train-5k.txt.gz (36 types)"
$g train --encoder "$encoder" --train data/few-nerd/inter-train-5k.txt.gz \
  --out "$work/model" --log-file "$work/train.jsonl" "${train_args[@]}"

echo "== 3. $episodes Few-NERD INTER dev 5-way 1~2-shot episodes (unseen types)"
for method in container nnshot; do
  $g episodes --model "$work/model" \
    --episodes data/few-nerd/inter-dev-5-1-first100.jsonl --limit "$episodes" \
    --method "$method" --summary "$work/summary-$method.json" \
    --output "$work/episodes-$method.jsonl"
done

echo "== 4. tagging plain text with the types of one support set"
cut -f2 data/examples/support.txt | grep -v '^O$' | grep . | sort -u \
  | tr '\n' ' ' | sed 's/^/support types: /;s/$/\n/'
$g predict --model "$work/model" --support data/examples/support.txt \
  --input data/examples/query.txt --input-format text --output-format pretty
echo "demo: outputs in $work/"
