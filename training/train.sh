#!/bin/sh
# Builds a model from the shared data, in one command, deterministically:
#
#   training/train.sh [DATA]        (DATA defaults to ../shared/data)
#
# Environment: NAME (model name, default spill-1), BUILD (build directory,
# default build), WORK (scratch, default $BUILD/train-work), SEED (default 1),
# TUNE=0 to reuse the settings of the last tuning (WORK/tuned.txt).
#
#  1. tune: hold one train page in six out (split.py); derive the tables,
#     build synthetic pages and train on the rest (C by cross-validation);
#     choose prior_power and smooth on the held-out pages (tune.py).
#  2. train: the same on all train pages, with the tuned settings, into
#     models/$NAME/ - model.svm (every label) and foreign.svm (foreign against
#     the rest) - and the tiny model of the tests, tests/data/tiny-model.
#  3. measure (training/measure.sh): spill eval on the dev pages and on synthetic pages built from
#     them and from held-back UDHR text, into models/$NAME/metrics.txt.
# Nothing of dev is trained or tuned on.  Feature vectors come from
# `spill features`, the scoring code path.
set -eu

DATA=${1:-../shared/data}
NAME=${NAME:-spill-1}
BUILD=${BUILD:-build}
WORK=${WORK:-$BUILD/train-work}
SEED=${SEED:-1}
TUNE=${TUNE:-1}
OUT=models/$NAME
# The foreign model's sample: every foreign segment (about 4,600) against
# this many of the rest, a class of all kinds of segment (about 370,000).
REST=12000
SPILL=$BUILD/spill

[ -d "$DATA/pages" ] || { echo "train.sh: no $DATA/pages" >&2; exit 2; }
[ -f CMakeLists.txt ] || { echo "train.sh: run from the repository root" >&2; exit 2; }
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" --target spill_cli svm_train -j2
mkdir -p "$WORK"
commit=$(git describe --always --dirty 2>/dev/null || echo none)  # "-dirty": uncommitted changes

# features TABLES OUT.txt PAGES...: feature vectors of labelled pages, the
# files in parallel (two cores); each file is a batch whose lines are counted
# first (repeat_batch), as spill score counts its input's.
features() {
    tables=$1 out=$2
    shift 2
    i=0 pids=""
    for f in "$@"; do
        "$SPILL" features --batch -m "$tables" "$f" > "$out.$i" &
        pids="$pids $!"
        i=$((i + 1))
    done
    # A file whose features failed would leave the set short without a word.
    for p in $pids; do
        wait "$p" || { echo "train.sh: spill features failed on a file of $out" >&2; exit 1; }
    done
    cat "$out".* > "$out" && rm -f "$out".*
}

# fit PAGES_TRAIN PAGES_MULTI DIR SYNTH_SEED: tables, real pages with spill's
# labels (labels.py), synthetic pages and feature vectors of one set of train
# pages, in DIR.
fit() {
    mkdir -p "$3/tables"
    python3 training/make_tables.py "$DATA" "$3/tables" "$1" "$2"
    python3 training/labels.py "$3/tables/chrome.tsv" "$1" "$3/real-train.jsonl"
    python3 training/labels.py "$3/tables/chrome.tsv" "$2" "$3/real-multi.jsonl"
    python3 training/build_dataset.py "$DATA" train "$3/synth.jsonl" --seed "$4" \
        --chrome "$3/tables/chrome.tsv" --pages "$1" "$2"
    features "$3/tables" "$3/features.txt" "$3/real-train.jsonl" "$3/real-multi.jsonl" \
        "$3/synth.jsonl"
}

if [ "$TUNE" = 1 ] || [ ! -f "$WORK/tuned.txt" ]; then
    echo "== tune on held-out train pages" >&2
    python3 training/split.py "$DATA" "$WORK/split"
    fit "$WORK/split/fit-train.jsonl" "$WORK/split/fit-multi-train.jsonl" "$WORK/fit" "$SEED"
    python3 training/build_dataset.py "$DATA" train "$WORK/split/val-synth.jsonl" \
        --seed "$((SEED + 500))" --chrome "$WORK/fit/tables/chrome.tsv" \
        --pages "$WORK/split/val-train.jsonl" "$WORK/split/val-multi-train.jsonl"
    "$BUILD/training/svm_train" --out "$WORK/fit/model" --name fit --seed "$SEED" \
        --tables "$WORK/fit/tables" "$WORK/fit/features.txt"
    "$BUILD/training/svm_train" --out "$WORK/fit/model" --name fit --seed "$SEED" --binary 3 \
        --per-class "$REST" --C "$(sed -n 's/^C = //p' "$WORK/fit/model/manifest.txt")" \
        --tables "$WORK/fit/tables" "$WORK/fit/features.txt"
    python3 training/tune.py "$SPILL" "$WORK/fit/model" "$WORK/tune" \
        "$WORK/split/val-train.jsonl" "$WORK/split/val-synth.jsonl" > "$WORK/tuned.txt"
fi
read -r POWER RARE CONTENT SMOOTH < "$WORK/tuned.txt"
C=$(sed -n 's/^C = //p' "$WORK/fit/model/manifest.txt")
echo "== tuned: C $C, prior_power $POWER, prior_power_rare $RARE, content_weight $CONTENT, smooth $SMOOTH" >&2

echo "== train on all train pages" >&2
fit "$DATA/pages/train.jsonl" "$DATA/pages/multi-train.jsonl" "$WORK/all" "$SEED"
rm -rf "$OUT.new"
"$BUILD/training/svm_train" --out "$OUT.new" --name "$NAME" --seed "$SEED" --C "$C" \
    --prior-power "$POWER" --prior-power-rare "$RARE" --content-weight "$CONTENT" \
    --smooth "$SMOOTH" --tables "$WORK/all/tables" --note "pages/train.jsonl pages/multi-train.jsonl + synthetic (train side, seed $SEED); code $commit" \
    "$WORK/all/features.txt"
"$BUILD/training/svm_train" --out "$OUT.new" --name "$NAME" --seed "$SEED" --C "$C" --binary 3 \
    --per-class "$REST" --tables "$WORK/all/tables" "$WORK/all/features.txt"
rm -rf "$OUT"
mv "$OUT.new" "$OUT"

echo "== the tiny model of the tests (tests/data/tiny-model)" >&2
rm -rf tests/data/tiny-model
"$BUILD/training/svm_train" --out tests/data/tiny-model --name tiny --seed "$SEED" --C "$C" \
    --per-class 60 --prior-power "$POWER" --prior-power-rare "$RARE" \
    --content-weight "$CONTENT" --smooth "$SMOOTH" \
    --tables "$WORK/all/tables" \
    --note "a small sample of the same features, for tests only" "$WORK/all/features.txt"
"$BUILD/training/svm_train" --out tests/data/tiny-model --name tiny --seed "$SEED" --C "$C" \
    --per-class 60 --binary 3 --tables "$WORK/all/tables" "$WORK/all/features.txt"

echo "== measure on data never trained or tuned on" >&2
BUILD=$BUILD WORK=$WORK SEED=$SEED training/measure.sh "$OUT" "$DATA"
