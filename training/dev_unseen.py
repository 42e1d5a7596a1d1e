#!/usr/bin/env python3
"""The dev pages of sites the train pages do not show: those sharing fewer
than SHARED of their lines of MIN_CHARS characters or more (whitespace and
case normalised) with any train page.  The pages carry no URL; a shared
long line - a site's menu, footer or standard notice - is the trace of a
shared site.  A proxy for the pages of other sites the product is judged on.

usage: dev_unseen.py DATA OUT.jsonl   (prints how many pages it kept)"""

import json
import os
import sys

import textutil

MIN_CHARS = 25
SHARED = 2


def long_lines(text):
    return {t for t in (" ".join(l.lower().split()) for l in text.split("\n"))
            if len(t) >= MIN_CHARS}


def main():
    data, out = sys.argv[1], sys.argv[2]
    seen = set()
    for name in ("train.jsonl", "multi-train.jsonl"):
        for page in textutil.read_jsonl(os.path.join(data, "pages", name)):
            seen |= long_lines(page["text"])
    kept = total = 0
    with open(os.path.join(data, "pages", "dev.jsonl"), encoding="utf-8") as f, \
            open(out, "w", encoding="utf-8") as o:
        for line in f:
            if not line.strip():
                continue
            total += 1
            if len(long_lines(json.loads(line)["text"]) & seen) < SHARED:
                o.write(line)
                kept += 1
    print("%d of %d dev pages share fewer than %d long lines with the train pages"
          % (kept, total, SHARED))


if __name__ == "__main__":
    main()
