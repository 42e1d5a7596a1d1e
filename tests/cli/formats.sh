#!/bin/sh
# Input formats: a WET file shaped like Common Crawl's (gzip member per
# record, warcinfo first), WARC response records with HTML, Content-Lengths
# that lie, JSONL with nested fields, gzip/zstd, format detection.
. "$SRC/tests/cli_lib.sh"
M="--model $TESTDATA/tiny-model"

python3 "$SRC/tests/make_warc.py" "$T/cc.warc.wet.gz"
"$SPILL" score $M -q "$T/cc.warc.wet.gz" > "$T/out.jsonl" 2> "$T/err.txt"
py "$T/out.jsonl" "$T/err.txt" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
err = open(sys.argv[2]).read()
assert len(out) == 4, out                          # 3 conversion + 1 response
assert all(r["id"].startswith("<urn:uuid:") for r in out), [r["id"] for r in out]
assert [r["lang"] for r in out[:3]] == ["en", "de", "ru"], out
assert "error" not in out[3] and out[3]["counts"]["content"] + sum(out[3]["counts"].values()) > 0
assert "skipped WARC records that are no pages: 1 warcinfo, 1 request" in err, err
PY
# The same bytes decompressed, on stdin, are detected as WARC by content.
zcat "$T/cc.warc.wet.gz" | "$SPILL" score $M -q > "$T/stdin.jsonl" 2>/dev/null
cmp "$T/out.jsonl" "$T/stdin.jsonl" || fail "WARC on stdin differs"
# The response record's HTML became text.
zcat "$T/cc.warc.wet.gz" | "$SPILL" clean $M -q --keep boilerplate,spillover,foreign,duplicate,garbage > "$T/clean.jsonl" 2>/dev/null
py "$T/clean.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
html = recs[3]
assert html["url"] == "http://example.org/d", html
assert html["text"] == "An HTML page\nFish & chips are good food.\nSecond block!", repr(html["text"])
PY

# Content-Lengths that lie: an error record in place of the junk and of the
# truncated record; the good records are unharmed.
python3 "$SRC/tests/make_warc.py" "$T/lying.warc.gz" --lying
expect_status 1 sh -c "'$SPILL' score $M -q '$T/lying.warc.gz' > '$T/lying.jsonl' 2> '$T/err.txt'"
py "$T/lying.jsonl" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
errors = [r["error"] for r in out if "error" in r]
assert len(out) == 4, out
assert any("are no record" in e for e in errors), errors
assert any("truncated" in e for e in errors), errors
assert sum(1 for r in out if "error" not in r) == 2, out
PY

# JSONL with nested fields and no id.
printf '%s\n' '{"doc": {"body": "A page of text.\nWith a second line."}, "meta": {"n": 1}}' > "$T/nested.jsonl"
"$SPILL" clean $M -q --text-field doc.body "$T/nested.jsonl" > "$T/nested.out"
py "$T/nested.out" "$T/nested.jsonl" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["meta"] == {"n": 1} and "spill_score" in r and isinstance(r["doc"]["body"], str), r
PY
"$SPILL" score $M -q --text-field doc.body "$T/nested.jsonl" | grep -q "nested.jsonl:1" ||
    fail "an id from the file name and line"

# A record above 1 MB (read by jansson, not simdjson) reads the same as a
# small one: nested text field, escapes, non-ASCII, its url and id.
py "$T/large.jsonl" <<'PY'
import json, sys
line = "Der Fluss fließt \"ruhig\" durch die Stadt, \u00e9t\u00e9 \u2014 \\ tab\there."
text = "\n".join("%d %s" % (i, line) for i in range(16000))
assert len(text.encode()) > 1 << 20
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"doc": {"body": text}, "url": "https://example.org/a", "id": 7}) + "\n")
    f.write(json.dumps({"doc": {"body": text[:5000]}, "id": "small"}) + "\n")
PY
"$SPILL" score $M -q --text-field doc.body --with-text "$T/large.jsonl" > "$T/large.out" ||
    fail "score of a large record"
py "$T/large.out" "$T/large.jsonl" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
src = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert [r["id"] for r in out] == ["7", "small"], [r.get("id") for r in out]
for r, s in zip(out, src):
    assert r["text"] == s["doc"]["body"], "the text differs"
    assert sum(r["counts"].values()) == len(s["doc"]["body"]), (r["counts"], len(s["doc"]["body"]))
PY

# --input-format forces the format.
printf 'WARC/1.0 is just text here\n' > "$T/plain.dat"
"$SPILL" score $M -q --input-format text "$T/plain.dat" | grep -q '"id":"plain.dat"' ||
    fail "--input-format text"
echo ok
