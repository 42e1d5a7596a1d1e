#!/bin/sh
# Builds a model from the shared data, in one command, deterministically:
#
#   training/train.sh [DATA]        (DATA defaults to ../shared/data)
#
# Environment: NAME (model name, default spill-1), BUILD (build directory,
# default build), WORK (scratch, default $BUILD/train-work), SEED (default 1).
#
# Steps: derive the tables (stopwords) -> build synthetic pages from the train
# side (and, for measuring only, the dev side) -> feature vectors of real and
# synthetic train pages through `spill features` (the scoring code path) ->
# svm_train (scaling, grouped cross-validation, probability model) ->
# models/$NAME/ -> evaluate on dev pages and synthetic dev pages into
# models/$NAME/metrics.txt.  Nothing from dev is trained or tuned on.
set -eu

DATA=${1:-../shared/data}
NAME=${NAME:-spill-1}
BUILD=${BUILD:-build}
WORK=${WORK:-$BUILD/train-work}
SEED=${SEED:-1}
OUT=models/$NAME
SPILL=$BUILD/spill

[ -d "$DATA/pages" ] || { echo "train.sh: no $DATA/pages" >&2; exit 2; }
[ -f CMakeLists.txt ] || { echo "train.sh: run from the repository root" >&2; exit 2; }
[ -d "$BUILD" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" --target spill_cli svm_train -j2
mkdir -p "$WORK/tables"

echo "== tables" >&2
python3 training/make_stopwords.py "$DATA" "$WORK/tables/stopwords.tsv"

echo "== synthetic pages" >&2
python3 training/build_dataset.py "$DATA" train "$WORK/synth-train.jsonl" --seed "$SEED"
python3 training/build_dataset.py "$DATA" dev "$WORK/synth-dev.jsonl" --seed "$((SEED + 1000))"

echo "== features" >&2
"$SPILL" features -m "$WORK/tables" "$DATA/pages/train.jsonl" > "$WORK/f-real.txt" &
"$SPILL" features -m "$WORK/tables" "$DATA/pages/multi-train.jsonl" > "$WORK/f-multi.txt"
"$SPILL" features -m "$WORK/tables" "$WORK/synth-train.jsonl" > "$WORK/f-synth.txt"
wait

echo "== training" >&2
rm -rf "$OUT.new"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo none)
"$BUILD/training/svm_train" --out "$OUT.new" --name "$NAME" --seed "$SEED" \
    --stopwords "$WORK/tables/stopwords.tsv" \
    --note "pages/train.jsonl pages/multi-train.jsonl synthetic(train side, seed $SEED); code $commit" \
    "$WORK/f-real.txt" "$WORK/f-multi.txt" "$WORK/f-synth.txt"
rm -rf "$OUT"
mv "$OUT.new" "$OUT"

echo "== the tiny model of the tests (tests/data/tiny-model)" >&2
rm -rf tests/data/tiny-model
"$BUILD/training/svm_train" --out tests/data/tiny-model --name tiny --seed "$SEED" \
    --per-class 60 --stopwords "$WORK/tables/stopwords.tsv" \
    --note "a small sample of the same features, for tests only" \
    "$WORK/f-real.txt" "$WORK/f-multi.txt" "$WORK/f-synth.txt"

echo "== evaluation (data never trained on)" >&2
{
    echo "# spill eval -m $OUT \$DATA/pages/dev.jsonl"
    "$SPILL" eval -m "$OUT" "$DATA/pages/dev.jsonl"
    echo
    echo "# spill eval -m $OUT --by-lang synth-dev.jsonl (synthetic artefacts in dev pages and held-back UDHR text)"
    "$SPILL" eval -m "$OUT" --by-lang "$WORK/synth-dev.jsonl"
} > "$OUT/metrics.txt"
cat "$OUT/metrics.txt"
