#!/bin/sh
# clean, explain, --format dolma, and -j: the output is byte-identical
# whatever the number of threads, in input order, with errors in place.
. "$SRC/tests/cli_lib.sh"
M="--model $TESTDATA/tiny-model"

# --version names spill's, the model format's and the schema's versions and
# every library's.
v=$("$SPILL" --version) || fail "--version"
for lib in CLD2 ICU utf8proc libsvm jansson simdjson zlib zstd "feature schema spill-seg"; do
    echo "$v" | grep -q "$lib" || fail "--version lacks $lib: $v"
done

# A corpus of many records of varied sizes, with bad records mixed in.
python3 - "$T/many.jsonl" <<'PY'
import json, random, sys
rng = random.Random(5)
words = "the of and a to in is was for on that with as by at from river city law music garden".split()
with open(sys.argv[1], "w") as f:
    for i in range(300):
        if i % 37 == 5:
            f.write('{"id": "bad%d", "text": [1, 2]}\n' % i)
            continue
        lines = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))).capitalize() + "."
                 for _ in range(rng.randint(1, 30))]
        f.write(json.dumps({"id": "p%d" % i, "text": "\n".join(lines), "extra": i}) + "\n")
PY
expect_status 1 sh -c "'$SPILL' score $M -q -j 1 '$T/many.jsonl' > '$T/j1.jsonl' 2>/dev/null"
expect_status 1 sh -c "'$SPILL' score $M -q -j 4 '$T/many.jsonl' > '$T/j4.jsonl' 2>/dev/null"
cmp "$T/j1.jsonl" "$T/j4.jsonl" || fail "-j 4 output differs from -j 1"
SPILL_JOBS=3 "$SPILL" score $M -q "$T/many.jsonl" > "$T/env.jsonl" 2>/dev/null || true
cmp "$T/j1.jsonl" "$T/env.jsonl" || fail "SPILL_JOBS output differs"
py "$T/j1.jsonl" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert len(out) == 300
ids = [r["id"] for r in out]
assert ids == ["bad%d" % i if i % 37 == 5 else "p%d" % i for i in range(300)], ids[:10]
assert all(("error" in r) == r["id"].startswith("bad") for r in out)
PY

# clean: other fields kept, text reduced to content, spill_score added.
"$SPILL" clean $M -q -j 2 "$T/many.jsonl" > "$T/clean.jsonl" 2>/dev/null || true
py "$T/clean.jsonl" "$T/many.jsonl" "$T/j1.jsonl" <<'PY'
import json, sys
clean = [json.loads(l) for l in open(sys.argv[1])]
orig = [json.loads(l) for l in open(sys.argv[2])]
ann = [json.loads(l) for l in open(sys.argv[3])]
assert len(clean) == len(orig)
for c, o, a in zip(clean, orig, ann):
    if "error" in a:
        assert "error" in c
        continue
    assert c["id"] == o["id"] and c["extra"] == o["extra"] and c["spill_score"] == a["score"]
    kept = "".join(o["text"][s["start"]:s["end"]] for s in a["spans"] if s["label"] == "content")
    assert c["text"] == kept.rstrip("\n\r "), (c["text"], kept)
PY
# --min-score drops pages and says how many.
"$SPILL" clean $M -q --min-score 1 "$T/many.jsonl" > "$T/none.jsonl" 2> "$T/err.txt" || true
grep -q "dropped" "$T/err.txt" || fail "--min-score says nothing"
[ "$(grep -vc '"error"' "$T/none.jsonl")" = 0 ] || fail "--min-score 1 kept pages"
expect_status 2 "$SPILL" clean $M --keep nonsense "$T/many.jsonl" 2>/dev/null

# Dolma attribute records: one per page, span lists per label.
"$SPILL" score $M -q --format dolma "$SEED" > "$T/dolma.jsonl"
py "$T/dolma.jsonl" "$SEED" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
n = len(open(sys.argv[2], encoding="utf-8").read())
a = r["attributes"]
assert r["id"] == "000_4b7c8317d8a84a7b.txt"
assert a["spill__score"][0][:2] == [0, n] and "spill__lang_en" in a
labels = ["content", "boilerplate", "spillover", "foreign", "duplicate", "garbage"]
assert all("spill__" + l in a for l in labels)
spans = sorted(s for l in labels for s in a["spill__" + l])
assert spans[0][0] == 0 and spans[-1][1] == n
assert all(x[1] == y[0] for x, y in zip(spans, spans[1:]))
PY

# explain: a plain listing when stdout is no terminal, colours on request.
"$SPILL" explain $M "$SEED" > "$T/explain.txt"
grep -q "^foreign" "$T/explain.txt" || grep -q "^content" "$T/explain.txt" || fail "explain listing"
grep -q "why:" "$T/explain.txt" || fail "explain gives no reasons"
"$SPILL" explain $M --color always "$SEED" | grep -q "$(printf '\033')\[" || fail "no colours"
"$SPILL" explain $M "$T/many.jsonl" p3 | head -1 | grep -q "^p3 " || fail "explain by id"
expect_status 2 "$SPILL" explain $M "$T/many.jsonl" nope 2>/dev/null
echo ok
