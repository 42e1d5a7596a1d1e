#!/usr/bin/env python3
"""Line-level accuracy of simple baselines on labelled pages, counted as
`spill eval` counts: every line with a gold label, content ("main") against
the rest.

usage: baselines.py [DATA] [PAGES.jsonl]   (DATA defaults to ../shared/data,
                                            PAGES to DATA/pages/dev.jsonl)

Baselines:
  all-content   every line is content (what keeping the page whole does)
  c4-lines      C4's line rules (Raffel et al. 2020): a line is kept when it
                ends in terminal punctuation, has at least 5 words and holds
                neither "javascript" nor a curly bracket
  justext       jusText's classification (Pomikalek 2011) re-implemented on
                text lines, since the pages are text, not HTML: context-free
                classes by length and stopword density with jusText's default
                thresholds (70/200 characters, 0.30/0.32), no link density,
                then its context-sensitive pass over short and near-good
                lines.  Stopwords: DATA/stopwords/<lang>.txt (the page's
                `lang`), English where there is no list.
Prints P, R, F1 per baseline, overall and per dataset, and the Spearman
correlation of each page's kept share of characters with the gold share
("-" where it is undefined: every page keeps everything)."""

import json
import os
import re
import sys
from collections import defaultdict

LENGTH_LOW, LENGTH_HIGH = 70, 200
STOP_LOW, STOP_HIGH = 0.30, 0.32
WORD = re.compile(r"\w+", re.UNICODE)


def stopwords(data, lang, cache={}):
    if lang not in cache:
        path = os.path.join(data, "stopwords", "%s.txt" % lang)
        if not os.path.exists(path):
            path = os.path.join(data, "stopwords", "en.txt")
        with open(path, encoding="utf-8") as f:
            cache[lang] = {w.strip().lower() for w in f if w.strip()}
    return cache[lang]


def context_free(line, stops):
    words = WORD.findall(line.lower())
    density = sum(w in stops for w in words) / len(words) if words else 0.0
    if "\u00a9" in line:
        return "bad"
    if len(line) < LENGTH_LOW:
        return "short"
    if density >= STOP_HIGH:
        return "good" if len(line) > LENGTH_HIGH else "neargood"
    return "neargood" if density >= STOP_LOW else "bad"


def neighbour(classes, i, step, skip_neargood):
    i += step
    while 0 <= i < len(classes):
        c = classes[i]
        if c in ("good", "bad") or (c == "neargood" and not skip_neargood):
            return c
        i += step
    return "bad"


def justext(lines, stops):
    cf = [context_free(l, stops) for l in lines]
    out = list(cf)
    for i, c in enumerate(cf):
        if c != "short":
            continue
        prev, nxt = neighbour(cf, i, -1, True), neighbour(cf, i, 1, True)
        if prev == nxt:
            out[i] = prev
        elif (prev == "bad" and neighbour(cf, i, -1, False) == "neargood") or \
             (nxt == "bad" and neighbour(cf, i, 1, False) == "neargood"):
            out[i] = "good"
        else:
            out[i] = "bad"
    final = list(out)
    for i, c in enumerate(out):
        if c == "neargood":
            both_bad = neighbour(out, i, -1, True) == "bad" and neighbour(out, i, 1, True) == "bad"
            final[i] = "bad" if both_bad else "good"
    return [c == "good" for c in final]


TERMINAL = (".", "!", "?", '"', "\u201d", "\u3002", "\uff01", "\uff1f")


def c4_lines(lines):
    return [l.rstrip().endswith(TERMINAL) and len(l.split()) >= 5
            and "javascript" not in l.lower() and "{" not in l for l in lines]


def spearman(xs, ys):
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2
            i = j + 1
        return r
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else None  # undefined for a constant


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    pages = sys.argv[2] if len(sys.argv) > 2 else os.path.join(data, "pages", "dev.jsonl")
    # counts[baseline][dataset] = [tp, fp, fn, kept shares, gold shares]
    counts = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, [], []]))
    with open(pages, encoding="utf-8") as f:
        for rec in map(json.loads, f):
            lines, gold = rec["text"].split("\n"), rec["labels"]
            stops = stopwords(data, rec.get("lang", "en"))
            preds = {"all-content": [True] * len(lines), "c4-lines": c4_lines(lines),
                     "justext": justext(lines, stops)}
            for name, pred in preds.items():
                for key in ("all", rec.get("dataset", "-")):
                    c = counts[name][key]
                    kept = gold_chars = total = 0
                    for line, g, p in zip(lines, gold, pred):
                        if g is None:
                            continue
                        g = g == "main" or g == "content"
                        c[0] += p and g
                        c[1] += p and not g
                        c[2] += g and not p
                        total += len(line)
                        kept += len(line) * p
                        gold_chars += len(line) * g
                    if total:
                        c[3].append(kept / total)
                        c[4].append(gold_chars / total)
    print("%-12s %-12s %6s %6s %6s %9s" % ("baseline", "dataset", "P", "R", "F1", "Spearman"))
    for name in counts:
        for key in sorted(counts[name], key=lambda k: (k != "all", k)):
            tp, fp, fn, kept, gold = counts[name][key]
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            rho = spearman(kept, gold)
            print("%-12s %-12s %6.3f %6.3f %6.3f %9s" % (name, key, p, r, f1,
                                                        "-" if rho is None else "%.3f" % rho))


if __name__ == "__main__":
    main()
