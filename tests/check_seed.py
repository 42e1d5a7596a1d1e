#!/usr/bin/env python3
"""Checks one seed page's annotation against its expected annotation.

usage: check_seed.py PAGE.txt EXPECTED.json ANNOTATION.jsonl

EXPECTED holds:
  score      {"min", "max"}: the page score's range
  lines      [{"starts", "label"}]: the line starting so is mostly (by
             non-space characters) in spans of that label
  at_most    [{"starts", "label", "count"}]: of the lines starting so, at
             most `count` are mostly that label
  own_span   [{"text", "label"}]: a span of that label whose text, stripped,
             is exactly `text` (a span of its own, not a whole line)
Prints every failed expectation; exits 1 if any."""

import json
import sys


def main():
    page, expected, annotation = sys.argv[1:4]
    text = open(page, encoding="utf-8").read()
    exp = json.load(open(expected, encoding="utf-8"))
    rec = json.loads(open(annotation, encoding="utf-8").readline())
    label_at = [None] * len(text)
    for s in rec["spans"]:
        for i in range(s["start"], s["end"]):
            label_at[i] = s["label"]
    lines, pos = [], 0
    for line in text.split("\n"):
        counts = {}
        for i, ch in enumerate(line):
            if not ch.isspace():
                lab = label_at[pos + i]
                counts[lab] = counts.get(lab, 0) + 1
        major = max(counts, key=counts.get) if counts else None
        lines.append((line, major))
        pos += len(line) + 1

    failures = []
    lo, hi = exp["score"]["min"], exp["score"]["max"]
    if not lo <= rec["score"] <= hi:
        failures.append("score %.3f not in [%.2f, %.2f]" % (rec["score"], lo, hi))
    for e in exp.get("lines", []):
        found = [m for l, m in lines if l.startswith(e["starts"])]
        if not found:
            failures.append("no line starts %r" % e["starts"])
        elif found[0] != e["label"]:
            failures.append("line %r is %s, want %s" % (e["starts"], found[0], e["label"]))
    for e in exp.get("at_most", []):
        n = sum(1 for l, m in lines if l.startswith(e["starts"]) and m == e["label"])
        if n > e["count"]:
            failures.append("%d lines %r are %s, want at most %d"
                            % (n, e["starts"], e["label"], e["count"]))
    for e in exp.get("own_span", []):
        if not any(s["label"] == e["label"] and text[s["start"]:s["end"]].strip() == e["text"]
                   for s in rec["spans"]):
            failures.append("no %s span of its own for %r" % (e["label"], e["text"]))
    for f in failures:
        print("seed %s: %s" % (page, f), file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
