#!/bin/sh
# Measures a model on data never trained or tuned on, into MODEL/metrics.txt:
#
#   training/measure.sh MODEL [DATA]     (DATA defaults to ../shared/data)
#
# spill eval on the dev pages (with and without batch counts; all of them,
# and those of sites the train pages do not show, dev_unseen.py) and on
# synthetic pages built from them and from held-back UDHR text.  train.sh
# ends with it; run it alone after a change to the scoring code that leaves
# the model as it is.  Environment: BUILD (default build), WORK (scratch,
# default $BUILD/train-work), SEED (default 1; the synthetic set's is +1000).
set -eu

OUT=${1:?usage: training/measure.sh MODEL [DATA]}
DATA=${2:-../shared/data}
BUILD=${BUILD:-build}
WORK=${WORK:-$BUILD/train-work}
SEED=${SEED:-1}
SPILL=$BUILD/spill

[ -f "$OUT/chrome.tsv" ] || { echo "measure.sh: no $OUT/chrome.tsv" >&2; exit 2; }
mkdir -p "$WORK"
python3 training/build_dataset.py "$DATA" dev "$WORK/synth-dev.jsonl" --seed "$((SEED + 1000))" \
    --chrome "$OUT/chrome.tsv"
{
    echo "# spill eval -m $OUT --batch \$DATA/pages/dev.jsonl   (lines counted across the dev pages, as spill score does)"
    "$SPILL" eval -m "$OUT" --batch "$DATA/pages/dev.jsonl"
    echo
    echo "# spill eval -m $OUT \$DATA/pages/dev.jsonl   (no batch counts)"
    "$SPILL" eval -m "$OUT" "$DATA/pages/dev.jsonl" | head -4
    echo
    echo "# spill eval -m $OUT --batch dev-unseen.jsonl   (training/dev_unseen.py: $(python3 training/dev_unseen.py "$DATA" "$WORK/dev-unseen.jsonl"))"
    "$SPILL" eval -m "$OUT" --batch "$WORK/dev-unseen.jsonl" | head -4
    echo
    echo "# spill eval -m $OUT --batch --by-lang synth-dev.jsonl  (training/build_dataset.py \$DATA dev synth-dev.jsonl --seed $((SEED + 1000)))"
    "$SPILL" eval -m "$OUT" --batch --by-lang "$WORK/synth-dev.jsonl"
} > "$OUT/metrics.txt"
cat "$OUT/metrics.txt"
