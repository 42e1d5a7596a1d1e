#!/bin/sh
# spill gate: pass and fail for every threshold, exit statuses, JUnit XML
# structure, a config file, a regression against a baseline summary.
. "$SRC/tests/cli_lib.sh"
M="--model $TESTDATA/tiny-model"
G="$SPILL gate $M -q"

python3 - "$T/dump.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(20):
        # Paragraphs of prose, which even the tiny model calls content.
        f.write(json.dumps({"id": "p%d" % i, "text": "The council met on Tuesday to discuss the "
                            "new budget for the schools of the town, number %d.\n\nMembers of "
                            "the board said that the plan would give every school more money for "
                            "teachers and books, and that the vote would take place next month "
                            "after a public hearing.\n\nParents who spoke at the meeting welcomed "
                            "the proposal, although some asked how the town would pay for it in "
                            "the years to come." % i}) + "\n")
    f.write('{"id": "bad", "text": []}\n')
PY
$G --json "$T/base.json" --max-errors 5 "$T/dump.jsonl" > "$T/out.txt" || fail "a passing gate"
mean=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean_score'])" "$T/base.json")
lo=$(python3 -c "print(max(0, $mean - 0.05))")
hi=$(python3 -c "print(min(1, $mean + 0.05))")

# Each threshold: one pass, one fail.
expect_status 0 $G --min-mean-score "$lo" "$T/dump.jsonl"
expect_status 1 $G --min-mean-score "$hi" "$T/dump.jsonl"
expect_status 0 $G --max-below 0.0:0.0 "$T/dump.jsonl"
expect_status 1 $G --max-below 1.0:0.5 "$T/dump.jsonl"
expect_status 0 $G --max-share garbage=0.5 --max-share foreign=0.5 "$T/dump.jsonl"
expect_status 1 $G --max-share content=0 "$T/dump.jsonl"
expect_status 0 $G --langs en,de --min-lang-share 0.9 "$T/dump.jsonl"
expect_status 1 $G --langs fr "$T/dump.jsonl"
expect_status 0 $G --max-errors 1 "$T/dump.jsonl"
expect_status 1 $G --max-errors 0 "$T/dump.jsonl"
expect_status 0 $G --baseline "$T/base.json" --max-mean-drop 0 "$T/dump.jsonl"
# A baseline better by up to 0.2 (a mean stays <= 1), and an allowed drop of
# half of that: whatever the model's mean, the gate must fail.
half=$(python3 - "$T/base.json" "$T/better.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
m = s["mean_score"]
assert m < 0.99, m
s["mean_score"] = min(1.0, m + 0.2)
json.dump(s, open(sys.argv[2], "w"))
print("%.4f" % ((s["mean_score"] - m) / 2))
PY
) || fail "baseline"
expect_status 1 $G --baseline "$T/better.json" --max-mean-drop "$half" "$T/dump.jsonl"

# Usage and input errors: 2.
expect_status 2 $G "$T/dump.jsonl" 2>/dev/null                      # no threshold
expect_status 2 $G --max-share nonsense=1 "$T/dump.jsonl" 2>/dev/null
expect_status 2 $G --max-mean-drop 0.1 "$T/dump.jsonl" 2>/dev/null  # no baseline
expect_status 2 $G --min-mean-score 0.1 "$T/missing.jsonl" 2>/dev/null

# A config file; flags win over it.
printf '# gate\nmin-mean-score = %s\nmax-share = garbage=0.5\nmax-errors = 3\n' "$hi" > "$T/gate.conf"
expect_status 1 $G --config "$T/gate.conf" "$T/dump.jsonl"
expect_status 0 $G --config "$T/gate.conf" --min-mean-score "$lo" "$T/dump.jsonl"
printf 'min-mean-score: 3\n' > "$T/bad.conf"
expect_status 2 $G --config "$T/bad.conf" "$T/dump.jsonl" 2>/dev/null

# The human summary and JUnit XML, one test case per threshold.
expect_status 1 $G --min-mean-score "$hi" --max-errors 5 --max-share garbage=0.5 \
    --junit "$T/junit.xml" "$T/dump.jsonl" > "$T/summary.txt"
grep -q "FAIL  mean score >= " "$T/summary.txt" && grep -q "PASS  error records <= 5" "$T/summary.txt" ||
    fail "summary: $(cat "$T/summary.txt")"
py "$T/junit.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1"
suites = root.findall("testsuite")
assert len(suites) == 1 and suites[0].get("tests") == "3" and suites[0].get("failures") == "1"
cases = suites[0].findall("testcase")
assert len(cases) == 3 and all(c.get("name") and c.get("classname") == "spill.gate" for c in cases)
failures = [c.find("failure") for c in cases if c.find("failure") is not None]
assert len(failures) == 1 and "mean score" in failures[0].get("message")
assert failures[0].get("type") == "threshold" and failures[0].text
PY
echo ok
