#!/bin/sh
# The verbs training/ builds on: spill features (the training set) and
# spill eval (the metrics report).  Line counts from a sketch equal the
# batch's own; a sketch of a larger set raises repeat_batch; eval of pages
# whose gold is spill's own annotation scores every figure perfect.
. "$SRC/tests/cli_lib.sh"
M="--model $TESTDATA/tiny-model"

# Two files of labelled pages: the site's menu and footer recur on every page
# of both files; a.jsonl's pages have one more shared line that b.jsonl has
# on every page too.
python3 - "$T" <<'PY'
import json, random, sys
rng = random.Random(3)
words = ("the of and a to in is was for on that with as by at from river city law "
         "music garden council bridge school harbour weather").split()
def prose(n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."
for name, pages in (("a", 6), ("b", 9)):
    with open("%s/%s.jsonl" % (sys.argv[1], name), "w") as f:
        for i in range(pages):
            lines = ["Home | News | Sport | Contact"]
            labels = ["boilerplate"]
            for _ in range(rng.randint(3, 8)):
                lines.append(prose(rng.randint(12, 30)))
                labels.append("main")
            lines.append("Subscribe to our newsletter today")
            labels.append("boilerplate")
            lines.append(prose(5))
            labels.append(None)
            lines.append("Copyright 2024 The Daily Example")
            labels.append("boilerplate")
            f.write(json.dumps({"id": "%s%d" % (name, i), "lang": "en",
                                "text": "\n".join(lines), "labels": labels}) + "\n")
PY

# features: a schema line, then "LABEL PAGE V..." rows of the schema's width,
# labelled segments only unless --all.
"$SPILL" features $M --batch "$T/a.jsonl" > "$T/batch.txt" || fail "features --batch"
head -1 "$T/batch.txt" | grep -q "^# schema spill-seg" || fail "features: no schema line"
python3 - "$T/batch.txt" <<'PY' || fail "features rows"
import sys
rows = [l.split() for l in open(sys.argv[1]) if not l.startswith("#")]
width = len(open(sys.argv[1]).readline().split(":", 1)[1].split())
assert rows, "no rows"
assert all(len(r) == width + 2 for r in rows), "a row not of the schema's width"
assert all(int(r[0]) >= 0 for r in rows), "an unlabelled segment without --all"
pages = sorted({int(r[1]) for r in rows})
assert pages == list(range(1, 7)), pages
PY
"$SPILL" features $M --all --batch "$T/a.jsonl" > "$T/all.txt" || fail "features --all"
grep -q "^-1 " "$T/all.txt" || fail "features --all: no unlabelled segment"
[ "$(grep -vc '^-1 ' "$T/all.txt")" = "$(wc -l < "$T/batch.txt")" ] ||
    fail "features --all: the labelled rows differ in number"

# --sketch: the sketch of the file gives the file's own counts, byte for
# byte; the sketch of both files counts the lines b.jsonl shares.
"$SPILL" sketch -q -o "$T/a.sk" "$T/a.jsonl" 2>/dev/null || fail "sketch a"
"$SPILL" sketch -q -o "$T/ab.sk" "$T/a.jsonl" "$T/b.jsonl" 2>/dev/null || fail "sketch ab"
"$SPILL" features $M --sketch "$T/a.sk" "$T/a.jsonl" > "$T/sk-a.txt" || fail "features --sketch"
cmp "$T/batch.txt" "$T/sk-a.txt" || fail "features --sketch of the file differs from --batch"
"$SPILL" features $M --sketch "$T/ab.sk" "$T/a.jsonl" > "$T/sk-ab.txt" || fail "features --sketch ab"
cmp -s "$T/batch.txt" "$T/sk-ab.txt" && fail "features: a larger set's sketch changed nothing"
expect_status 2 sh -c "'$SPILL' features $M --sketch '$T/none.sk' '$T/a.jsonl' > /dev/null 2> '$T/err'"
grep -q "none.sk" "$T/err" || fail "features: a missing sketch not named: $(cat "$T/err")"

# eval against spill's own annotation as the gold: every figure perfect.
"$SPILL" score $M -q -j 1 "$T/b.jsonl" > "$T/b.out" || fail "score b"
python3 - "$T/b.jsonl" "$T/b.out" "$T/gold.jsonl" <<'PY' || fail "gold from annotations"
import json, sys
pages = [json.loads(l) for l in open(sys.argv[1])]
notes = [json.loads(l) for l in open(sys.argv[2])]
with open(sys.argv[3], "w") as f:
    for p, n in zip(pages, notes):
        assert p["id"] == n["id"]
        spans = [{"start": s["start"], "end": s["end"], "label": s["label"]} for s in n["spans"]]
        f.write(json.dumps({"id": p["id"], "lang": "en", "text": p["text"], "spans": spans}) + "\n")
PY
"$SPILL" eval $M --json "$T/eval.json" "$T/gold.jsonl" > "$T/eval.txt" || fail "eval"
grep -q "^pages 9," "$T/eval.txt" || fail "eval: $(head -1 "$T/eval.txt")"
python3 - "$T/eval.json" <<'PY' || fail "eval of its own annotation not perfect: $(cat "$T/eval.txt")"
import json, sys
a = json.load(open(sys.argv[1]))["all"]
assert a["pages"] == 9
assert a["f1"] == 1.0 or (a["precision"] is None and a["recall"] is None), a
assert a["false_foreign_rate"] == 0.0, a
seen = 0
for label, v in a["labels"].items():
    for k in ("span_recall", "span_precision", "line_precision", "line_recall"):
        assert v[k] in (None, 1.0), (label, k, v[k])
    seen += v["gold_spans"]
assert seen > 0, "the tiny model labelled nothing but content"
PY
