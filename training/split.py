#!/usr/bin/env python3
"""Splits the train pages into a fitting part and a validation part, for
tuning without touching dev: one page in six (by a hash of its id) is held
out.

usage: split.py DATA OUTDIR  (writes OUTDIR/{fit,val}-{train,multi-train}.jsonl)"""

import os
import sys

import textutil


def main():
    data, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name in ("train", "multi-train"):
        src = os.path.join(data, "pages", name + ".jsonl")
        with open(src, encoding="utf-8") as f, \
                open(os.path.join(out, "fit-%s.jsonl" % name), "w", encoding="utf-8") as fit, \
                open(os.path.join(out, "val-%s.jsonl" % name), "w", encoding="utf-8") as val:
            for line in f:
                if not line.strip():
                    continue
                page_id = line[:400].split('"id": "', 1)[-1].split('"', 1)[0]
                (val if textutil.stable_hash(page_id) % 6 == 0 else fit).write(line)


if __name__ == "__main__":
    main()
