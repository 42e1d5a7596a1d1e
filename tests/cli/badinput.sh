#!/bin/sh
# Bad input, each case: an annotation (flagged where the text is garbage) or
# an error record naming the problem, in its place; the run goes on; no
# crash, no hang.  The README's bad-input table lists these.
. "$SRC/tests/cli_lib.sh"
M="--model $TESTDATA/tiny-model"
S="$SPILL score $M -q -j 2"

# One JSONL file of bad records among good ones: one output each, in order.
python3 - "$T/bad.jsonl" <<'PY'
import json, sys
recs = [
    b'{"id": "good1", "text": "A good page with a sentence."}',
    b'{"id": "utf8", "text": "lone \x80 continuation"}',          # invalid UTF-8 in JSON
    b'{"id": "nul", "text": "a\\u0000b"}',                          # NUL inside the text
    b'{"id": "crlf", "text": "one\\r\\ntwo\\rthree"}',
    b'{"id": "empty", "text": ""}',
    b'{"id": "space", "text": " \\n\\t "}',
    b'{"id": "symbols", "text": "*** ### === !!! ///"}',
    b'[1, 2]',                                                      # not an object
    b'"just a string"',
    b'{"id": "notext"}',
    b'{"id": "numtext", "text": 42}',
    b'{"id": "dup", "text": "first", "text": "second value wins"}',
    b'{"id": "trunc", "text": "no end',
    b'[' * 100000 + b']' * 100000,                                  # deeply nested
    b'{"id": "surrogate", "text": "\\ud800 alone"}',
    b'{"id": "good2", "text": "Another good page."}',
]
with open(sys.argv[1], "wb") as f:
    f.write(b"\xef\xbb\xbf" + b"\n".join(recs) + b"\n")               # a BOM first
PY
expect_status 1 sh -c "$S '$T/bad.jsonl' > '$T/bad.out' 2> '$T/bad.err'"
py "$T/bad.out" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(out) == 16, len(out)
ids = [r.get("id") for r in out]
err = {r.get("id"): r.get("error") for r in out if "error" in r}
assert ids[0] == "good1" and "error" not in out[0]          # the BOM did not hurt
assert "invalid JSON" in out[1]["error"]                     # invalid UTF-8 in JSON text
assert "error" not in out[2] and out[2]["counts"]            # NUL: annotated
assert "error" not in out[3] and sum(out[3]["counts"].values()) == len("one\r\ntwo\rthree")
assert out[4]["note"] == "empty text" and out[4]["score"] == 0
assert out[5]["score"] == 0 and out[5]["note"] == "white space only"
assert out[6]["score"] == 0 and out[6]["note"] == "no letters"
assert "must be a JSON object" in out[7]["error"] and "must be a JSON object" in out[8]["error"]
assert err["notext"] == 'field "text" is missing' and err["numtext"] == 'field "text" is not a string'
assert ids[11] == "dup" and sum(out[11]["counts"].values()) == len("second value wins")
assert "invalid JSON" in out[12]["error"] and "invalid JSON" in out[13]["error"]
assert "invalid JSON" in out[14]["error"]
assert ids[15] == "good2" and "error" not in out[15]
PY
grep -q 'bad.jsonl:11 (id "numtext"): field "text" is not a string' "$T/bad.err" ||
    fail "messages name the record: $(head -3 "$T/bad.err")"

# Text files: invalid UTF-8 of every kind is replaced and counted; a binary
# file is annotated as garbage (lines a quarter or more undecodable are
# garbage whatever the model says), not refused.
printf 'ok \200 \300\257 \355\240\200 \370\210\200\200\200 \374\204\200\200\200\200 \360\237\230\n' > "$T/bytes.txt"
$S "$T/bytes.txt" > "$T/bytes.out"
py "$T/bytes.out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["invalid_bytes"] == 20, r["invalid_bytes"]  # 1 + 2 + 3 + 5 + 6 + 3
PY
python3 -c "import random, sys; sys.stdout.buffer.write(random.Random(7).randbytes(200000))" \
    > "$T/binary.txt"
$S "$T/binary.txt" > "$T/binary.out" || fail "binary file"
py "$T/binary.out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
c = r["counts"]
assert r["invalid_bytes"] > 80000 and r["score"] < 0.01, (r["invalid_bytes"], r["score"])
assert c["garbage"] > 0.99 * sum(c.values()), c
assert any(s["why"].startswith("bytes that were not UTF-8 (U+FFFD): ") for s in r["spans"]), r["spans"][:3]
PY

# Compressed input cut short: the records before stand, exit 2 with a message.
python3 -c "
import json
for i in range(30000): print(json.dumps({'id': 'r%d' % i, 'text': 'page %d text' % i}))" > "$T/many.jsonl"
gzip -c "$T/many.jsonl" > "$T/full.gz"
zstd -q -c "$T/many.jsonl" > "$T/full.zst"
head -c $(($(wc -c < "$T/full.gz") / 2)) "$T/full.gz" > "$T/cut.jsonl.gz"
head -c $(($(wc -c < "$T/full.zst") / 2)) "$T/full.zst" > "$T/cut.jsonl.zst"
for f in cut.jsonl.gz cut.jsonl.zst; do
    expect_status 2 sh -c "$S '$T/$f' > '$T/cut.out' 2> '$T/cut.err'"
    grep -q "truncated" "$T/cut.err" || fail "$f: $(cat "$T/cut.err")"
    [ "$(wc -l < "$T/cut.out")" -gt 100 ] || fail "$f: records before the cut were lost"
done

# Size limits: a 200 MB page is refused by name (default limit 64 MB); a
# single 50 MB line is annotated.
python3 -c "
import sys
sys.stdout.write('{\"id\": \"huge\", \"text\": \"' + 'word ' * 40000000 + '\"}\n')
sys.stdout.write('{\"id\": \"after\", \"text\": \"still read\"}\n')" > "$T/huge.jsonl"
expect_status 1 sh -c "$S '$T/huge.jsonl' > '$T/huge.out' 2>/dev/null"
py "$T/huge.out" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert "exceeds the limit of 67108864 bytes" in out[0]["error"] and out[1]["id"] == "after"
PY
# A sketch file of another spill version (other line hashes), or none at
# all: refused by name, exit 2.
printf 'SPILLSK1' > "$T/old.sk"
head -c 32 /dev/zero >> "$T/old.sk"
expect_status 2 sh -c "$S --sketch '$T/old.sk' '$T/bad.jsonl' > /dev/null 2> '$T/sk.err'"
grep -q "old.sk: a sketch of another spill version" "$T/sk.err" || fail "old sketch: $(cat "$T/sk.err")"
printf 'not a sketch at all, just some bytes here' > "$T/junk.sk"
expect_status 2 sh -c "$S --sketch '$T/junk.sk' '$T/bad.jsonl' > /dev/null 2> '$T/sk.err'"
grep -q "junk.sk: not a spill sketch" "$T/sk.err" || fail "junk sketch: $(cat "$T/sk.err")"

python3 -c "
import sys
sys.stdout.write('A sentence of some words. ' * 2000000)" > "$T/line50.txt"
$S "$T/line50.txt" > "$T/line50.out" || fail "a 50 MB line"
py "$T/line50.out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert sum(r["counts"].values()) == 52000000
PY
echo ok
