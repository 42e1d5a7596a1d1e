#!/bin/sh
# examples/dask_score.py on a LocalCluster of worker processes (loopback):
# sketch pass, then score pass, one output shard per input shard, equal
# record for record (byte for byte) to the single-process CLI with the same
# corpus sketch; the sketch of shards merged equals the sketch of the whole.
. "$SRC/tests/cli_lib.sh"
PY=/usr/bin/python3
if ! $PY -c "import distributed, dask.bag" 2>/dev/null; then
    echo "skip: Debian's python3-distributed is not installed (scripts/setup.sh installs it)"
    exit 77
fi
M="$TESTDATA/tiny-model"
export SPILL_LIB="$(dirname "$SPILL")/libspill.so"
python3 "$SRC/tests/make_shards.py" "$T/in" 3
$PY "$SRC/examples/dask_score.py" "$T/in" "$T/out" --workers 2 --model "$M" > "$T/dask.log" 2>&1 ||
    fail "dask_score.py: $(tail -5 "$T/dask.log")"

# The CLI, one process: the corpus sketch, then each shard with it.
"$SPILL" sketch -o "$T/all.sk" "$T/in"/*.jsonl 2>/dev/null
cmp "$T/all.sk" "$T/out/.sketches/corpus.sk" || fail "merged shard sketches differ from the whole's"
for s in "$T/in"/*.jsonl; do
    "$SPILL" score -q -j 1 --model "$M" --sketch "$T/all.sk" "$s" > "$T/cli-$(basename "$s")"
    cmp "$T/cli-$(basename "$s")" "$T/out/$(basename "$s")" || fail "shard $(basename "$s") differs"
done
# Sharding does not change the output: the whole at once gives the same lines.
cat "$T/in"/*.jsonl > "$T/all.jsonl"
"$SPILL" score -q -j 2 --model "$M" --sketch "$T/all.sk" "$T/all.jsonl" > "$T/all.out"
cat "$T"/cli-shard-*.jsonl | cmp - "$T/all.out" || fail "sharded output differs from the whole's"
echo ok
