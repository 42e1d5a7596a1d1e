#!/bin/sh
# spill report: the HTML and JSON summary; raw input and annotation input
# give the same report; page text is escaped; the size is bounded; the page
# loads in headless Chromium with its charts and highlighted spans.
. "$SRC/tests/cli_lib.sh"
M="--model $TESTDATA/tiny-model"

python3 - "$T/batch.jsonl" "$SEED" <<'PY'
import json, sys
seed = open(sys.argv[2], encoding="utf-8").read()
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "seed", "url": "https://news.example.com/a", "text": seed}) + "\n")
    f.write(json.dumps({"id": "evil", "url": "https://evil.example.org/x",
                        "text": "</div></pre><script>alert('x')</script>\n<b>bold</b> & \"quotes\"\n"
                                "Плохо: <img src=x onerror=alert(1)>"}) + "\n")
    f.write('{"id": "broken", "text": 5}\n')
    for i in range(30):
        f.write(json.dumps({"id": "p%d" % i, "url": "https://site%d.example.net/" % (i % 7),
                            "text": "A short page number %d.\nHome | News | About" % i}) + "\n")
PY
"$SPILL" report $M -q -o "$T/raw.html" --json "$T/raw.json" "$T/batch.jsonl" 2>/dev/null || true
"$SPILL" score $M -q --with-text "$T/batch.jsonl" > "$T/ann.jsonl" 2>/dev/null || true
"$SPILL" report $M -q -o "$T/ann.html" --json "$T/ann.json" "$T/ann.jsonl" 2>/dev/null || true
cmp "$T/raw.json" "$T/ann.json" || fail "annotation input gives another summary"
cmp "$T/raw.html" "$T/ann.html" || fail "annotation input gives another report"

py "$T/raw.html" "$T/raw.json" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
s = json.load(open(sys.argv[2]))
assert s["pages"] == 32 and s["errors"] == 1, (s["pages"], s["errors"])
assert abs(sum(s["label_shares"].values()) - 1) < 0.01
assert sum(s["score_histogram"]) == 32
assert {x["name"] for x in s["sources"]} >= {"news.example.com", "evil.example.org"}
# Escaping: the hostile page's markup appears only as text.
assert "<script>" not in html and "<img" not in html and "onerror=alert(1)>" not in html
assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
assert "&lt;/div&gt;&lt;/pre&gt;" in html
assert html.count("<pre") == html.count("</pre>") and html.count("<article") == html.count("</article>")
for chart in ("chart-scores", "chart-langs", "chart-scripts"):
    assert 'id="%s"' % chart in html, chart
assert "page score (share of content, 0-1)" in html and ">pages</text>" in html
# The histogram's page axis: five distinct whole numbers from 0, evenly spaced.
hist = html[html.index('id="chart-scores"'):]
ticks = [int(t) for t in re.findall(r'class="tick" text-anchor="end">(\d+)<', hist[:hist.index("</svg>")])]
assert len(ticks) == 5 and ticks[0] == 0 and len({b - a for a, b in zip(ticks, ticks[1:])}) == 1, ticks
assert re.search(r'· model [\w.-]+ \(/', html), "the report names its model and directory"
assert re.search(r'<mark class="span l-\w+" title="', html)
assert "http" not in re.sub(r'https://[a-z0-9.]*example\.(com|org|net)', "", html).replace("http-equiv", ""), \
    "the report must not load anything"
PY

# Bounded: 20 times the pages, a report of about the same size.
python3 - "$T/batch.jsonl" "$T/big.jsonl" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as f:
    for k in range(20):
        for l in lines[3:]:
            f.write(l.replace('"id": "p', '"id": "k%d-p' % k) + "\n")
PY
"$SPILL" report $M -q --worst 5 -o "$T/small.html" "$T/batch.jsonl" 2>/dev/null || true
"$SPILL" report $M -q --worst 5 -o "$T/large.html" "$T/big.jsonl" 2>/dev/null || true
py "$T/small.html" "$T/large.html" <<'PY'
import os, sys
a, b = os.path.getsize(sys.argv[1]), os.path.getsize(sys.argv[2])
assert b < 2 * a, (a, b)
PY

# As a person sees it: headless Chromium loads it without console errors,
# and the charts and highlighted spans are in the DOM.
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "skip: chromium is not installed (scripts/setup.sh installs it)"
    exit 77
fi
"$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$T/profile" --enable-logging=stderr --v=0 \
    --dump-dom "file://$T/raw.html" > "$T/dom.html" 2> "$T/chrome.log" || fail "chromium: $(tail -3 "$T/chrome.log")"
if grep -E "CONSOLE|Uncaught|Failed to load|ERR_" "$T/chrome.log" | grep -v -E "dbus|gcm|DEPRECATED_ENDPOINT|crashpad|Fontconfig|sandbox" > "$T/errors.txt"; then
    fail "console errors: $(cat "$T/errors.txt")"
fi
py "$T/dom.html" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.ids = set(); self.marks = 0; self.rects = 0; self.scripts = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.ids.add(a["id"])
        if tag == "mark" and "span" in a.get("class", ""): self.marks += 1
        if tag == "rect": self.rects += 1
        if tag == "script": self.scripts += 1
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
assert {"chart-scores", "chart-langs", "chart-scripts", "totals", "sources"} <= p.ids, p.ids
assert p.marks >= 3 and p.rects >= 20 and p.scripts == 0, (p.marks, p.rects, p.scripts)
PY
echo ok
