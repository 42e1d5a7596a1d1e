#!/bin/sh
# spill score end to end: records in == records out, in order; error records
# for bad records and exit 1; formats; offsets; -o; exit statuses.
. "$SRC/tests/cli_lib.sh"

# One page from a text file: one record, the SPEC.md fields, spans tiling.
"$SPILL" score "$SEED" > "$T/seed.jsonl"
py "$T/seed.jsonl" "$SEED" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
r = json.loads(lines[0])
text = open(sys.argv[2], encoding="utf-8").read()
for k in ("id", "lang", "lang_conf", "score", "langs", "scripts", "counts", "spans"):
    assert k in r, k
assert r["id"] == "000_4b7c8317d8a84a7b.txt"
assert r["lang"] == "en" and r["lang_conf"] > 0.9
assert abs(sum(r["langs"].values()) - 1) < 0.01 and r["scripts"]["Latin"] > 0.9
assert sum(r["counts"].values()) == len(text)
at = 0
for s in r["spans"]:
    assert s["start"] == at and s["end"] > s["start"], s
    assert s["label"] in r["counts"] and 0 <= s["p"] <= 1 and s["lang"]
    assert (s["why"] == "") == (s["label"] == "content"), s
    at = s["end"]
assert at == len(text)
PY

# Addresses are not foreign: an e-mail address, a URL and HTML entities in a
# Chinese page are Latin letters, but no language's words.
cat > "$T/zh.txt" <<'TXT'
中华人民共和国国家统计局今天发布了最新的经济数据，显示第三季度国内生产总值同比增长百分之四点九。
统计局新闻发言人表示，消费对经济增长的贡献率继续提高，服务业保持较快增长。
专家认为，随着一系列政策措施落地见效，经济回升向好的态势将进一步巩固。
云南日报报业集团 版权所有，未经许可不得转载
云南省互联网违法和不良信息举报电话：0871-64166935；举报邮箱： jubao@yunnan.cn
详细数据请访问 http://www.stats.gov.cn/sj/zxfb/ 查看。
首页&nbsp|&nbsp新闻&nbsp|&nbsp财经&nbsp|&nbsp体育
TXT
"$SPILL" score "$T/zh.txt" > "$T/zh.jsonl"
py "$T/zh.jsonl" "$T/zh.txt" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1], encoding="utf-8").readline())
text = open(sys.argv[2], encoding="utf-8").read()
assert r["lang"] == "zh", r["lang"]
foreign = [text[s["start"]:s["end"]] for s in r["spans"] if s["label"] == "foreign"]
assert not foreign, foreign
PY

# JSONL on stdin with bad records mixed in: one output record each, in order.
cat > "$T/in.jsonl" <<'J'
{"id": "p1", "text": "A first page.\nWith two lines of text in it."}
{"id": "p2", "text": 12}
this is not json
{"id": "p3", "text": "Третья страница на русском языке, с несколькими словами."}
{"id": "p4"}
{"id": "p5", "text": ""}
J
expect_status 1 sh -c "'$SPILL' score < '$T/in.jsonl' > '$T/out.jsonl' 2> '$T/err.txt'"
py "$T/out.jsonl" "$T/err.txt" <<'PY'
import json, sys
out = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
err = open(sys.argv[2], encoding="utf-8").read()
assert [r.get("id") for r in out] == ["p1", "p2", None, "p3", "p4", "p5"], out
assert "error" in out[1] and "not a string" in out[1]["error"]
assert "error" in out[2] and "invalid JSON" in out[2]["error"]
assert "error" in out[4] and "missing" in out[4]["error"]
assert out[3]["lang"] == "ru" and "error" not in out[3]
assert out[5]["score"] == 0 and out[5]["note"] == "empty text"
assert '-:2 (id "p2")' in err and "-:3" in err, err
PY

# gzip and zstd give the same output as the plain file.
"$SPILL" score "$T/in.jsonl" > "$T/plain.jsonl" 2>/dev/null || true
gzip -c "$T/in.jsonl" > "$T/in.gz"
zstd -q -c "$T/in.jsonl" > "$T/in.zst"
"$SPILL" score "$T/in.gz" > "$T/gz.jsonl" 2>/dev/null || true
"$SPILL" score "$T/in.zst" > "$T/zst.jsonl" 2>/dev/null || true
cmp "$T/plain.jsonl" "$T/gz.jsonl" || fail "gzip output differs"
cmp "$T/plain.jsonl" "$T/zst.jsonl" || fail "zstd output differs"

# Offsets in bytes on request.
"$SPILL" score --offsets bytes "$SEED" > "$T/bytes.jsonl"
py "$T/bytes.jsonl" "$SEED" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
n = len(open(sys.argv[2], "rb").read())
assert r["spans"][-1]["end"] == n and sum(r["counts"].values()) == n
PY

# -o writes the file through a temporary; nothing on stdout.
"$SPILL" score -o "$T/o.jsonl" "$SEED" > "$T/stdout.txt"
[ -s "$T/o.jsonl" ] && [ ! -s "$T/stdout.txt" ] || fail "-o"
ls "$T" | grep -q 'tmp' && fail "temporary left behind"

# Exit statuses.
expect_status 0 "$SPILL" score --help > /dev/null
expect_status 2 "$SPILL" score --no-such-option "$SEED" 2> /dev/null
expect_status 2 "$SPILL" score "$T/missing.jsonl" 2> "$T/err.txt"
grep -q "missing.jsonl" "$T/err.txt" || fail "missing file not named"
expect_status 2 "$SPILL" frobnicate 2> /dev/null
expect_status 2 "$SPILL" score --offsets lines "$SEED" 2> /dev/null
"$SPILL" --version | grep -q "CLD2" || fail "--version names no CLD2"
echo ok
