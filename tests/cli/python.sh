#!/bin/sh
# python/spill.py (ctypes): importable from the repository root after the
# build, and its results equal the CLI's; sketches merge exactly.
. "$SRC/tests/cli_lib.sh"
M="$TESTDATA/tiny-model"
export SPILL_LIB="$(dirname "$SPILL")/libspill.so" SPILL_MODEL="$M"
[ -f "$SPILL_LIB" ] || fail "no $SPILL_LIB"

python3 "$SRC/tests/make_shards.py" "$T/in" 3
cat "$T/in"/*.jsonl > "$T/all.jsonl"
"$SPILL" score -q --model "$M" "$T/all.jsonl" > "$T/cli.jsonl"
"$SPILL" score -q --model "$M" --no-batch "$SEED" > "$T/seed-cli.jsonl"
(cd "$SRC" && PYTHONPATH=python python3 -c 'import spill') || fail "import spill"
PYTHONPATH="$SRC/python" python3 - "$T/all.jsonl" "$T/cli.jsonl" "$SEED" "$T/seed-cli.jsonl" <<'PY' || fail "python results differ"
import json, sys
import spill
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
cli = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert spill.score_many(recs) == cli
seed = open(sys.argv[3], encoding="utf-8").read()
one = spill.score(seed, id="000_4b7c8317d8a84a7b.txt")
assert one == json.loads(open(sys.argv[4]).read()), one
# Sketches: shards apart then merged == all at once, counter for counter.
parts = []
for i in range(3):
    s = spill.Sketch()
    for r in recs[i::3]:
        s.add(r["text"])
    parts.append(s)
whole = spill.Sketch()
for r in recs:
    whole.add(r["text"])
merged = parts[2].merge(parts[0]).merge(parts[1])
merged.save(sys.argv[2] + ".a")
whole.save(sys.argv[2] + ".b")
assert open(sys.argv[2] + ".a", "rb").read() == open(sys.argv[2] + ".b", "rb").read()
assert merged.pages == len(recs)
PY
echo ok
