#!/usr/bin/env python3
"""How the gold line labels of real pages map onto spill's labels.

The pages of ../shared/data say "main" or "boilerplate" (or nothing) per
line; spill has six labels.  For training - and for the gold of synthetic
pages built on real ones - a line becomes:

  content      when main;
  duplicate    when it repeats a line at most DUP_NEAR non-blank lines
               before it (normalised as spill does, DUP_MIN letters and
               digits at least), chains of such copies together, except the
               first copy that is content, or the first copy where none is
               (the copy the annotators kept; detect/score.c, which has no
               annotator, keeps the first copy, as content when any copy
               is);
  spillover    when boilerplate, of LONG_WORDS words or more, without a
               chrome word (log-odds >= STRONG_CHROME in chrome.tsv) or a
               separator - the teasers, headlines and sidebars of other pages
               that SPEC.md calls spillover, which the datasets' annotators
               lumped with chrome - and either in a block of two or more such
               lines or not next to the page's content: a lone line right
               after the article is an attribution or a caption, and the
               page's own headline (restating its first line) is no
               spillover; also the short boilerplate line that heads such a
               block ("Related posts");
  garbage      when boilerplate and made of symbols alone (SYMBOL_RUN or
               more non-space characters, no letter or digit: "=======",
               "* * * * *"), as synthetic symbol runs are;
  boilerplate  when boilerplate otherwise, or unlabelled but repeated on
               other pages of the same file (a line recurring across pages
               is site furniture);
  unknown      otherwise (null: not trained on, not scored).

usage: labels.py CHROME.tsv IN.jsonl OUT.jsonl   (rewrites "labels")"""

import collections
import json
import sys
import unicodedata

import textutil

DUP_MIN = 12
DUP_NEAR = 2
SYMBOL_RUN = 5
LONG_WORDS = 6
STRONG_CHROME = 1.5
SEPARATORS = set("|»«›‹•·>/")


def norm_line(text):
    """The normalised text of a line, as detect/features.c hashes it
    (features_line_hash): its words lower-cased, a word of digits alone as
    one token, punctuation and spacing dropped."""
    return "\x1f".join("0" if w.isdigit() else w for w in textutil.words(text))


def norm_size(text):
    """Bytes of a line's lower-cased words, as features.c counts them
    (norm_len): a repeat must have DUP_MIN of them."""
    return sum(min(64, len(w.encode("utf-8"))) for w in textutil.words(text))


def load_chrome(path):
    odds = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            _lang, word, value = line.rstrip("\n").split("\t")
            odds[word] = float(value)
    return odds


def is_symbol_run(text):
    chars = [ch for ch in text if not ch.isspace()]
    return len(chars) >= SYMBOL_RUN and not any(unicodedata.category(ch)[0] in "LN" for ch in chars)


def recurring_lines(pages):
    """Normalised lines that occur on two or more of the pages."""
    seen = collections.Counter()
    for lines in pages:
        seen.update({norm_line(t) for t in lines} - {""})
    return {n for n, c in seen.items() if c >= 2}


def own_headline(t, title_words):
    """Whether a line restates the page's first line (its <title>): the
    page's own headline, not another story's."""
    ws = set(textutil.words(t))
    return bool(ws) and len(ws & title_words) >= 0.6 * len(ws)


def nearest(lines, i, step):
    """The index of the nearest line with text before (-1) or after (+1) i."""
    j = i + step
    while 0 <= j < len(lines) and not lines[j].strip():
        j += step
    return j if 0 <= j < len(lines) else None


def relabel(lines, labels, chrome, recurring=frozenset()):
    out = []
    title_words = set(textutil.words(next((t for t in lines if t.strip()), "")))
    candidate = [False] * len(lines)
    for i, (t, lab) in enumerate(zip(lines, labels)):
        if lab in ("main", "content"):
            out.append("content")
        elif lab == "boilerplate" or (lab is None and norm_line(t) in recurring):
            ws = textutil.words(t)
            strong = any(chrome.get(w, 0.0) >= STRONG_CHROME for w in ws)
            sep = any(ch in SEPARATORS for ch in t)
            own = i == 0 or own_headline(t, title_words)
            candidate[i] = (len(t.split()) >= LONG_WORDS and not strong and not sep
                            and not own and lab == "boilerplate")
            out.append("garbage" if lab == "boilerplate" and is_symbol_run(t) else "boilerplate")
        else:
            out.append(lab)  # None, or already a spill label
    for i in range(len(lines)):
        if not candidate[i]:
            continue
        prev, nxt = nearest(lines, i, -1), nearest(lines, i, 1)
        in_block = (prev is not None and candidate[prev]) or (nxt is not None and candidate[nxt])
        by_content = any(j is not None and out[j] == "content" for j in (prev, nxt))
        if in_block or not by_content:
            out[i] = "spillover"
    # The header of a spillover block belongs to it.
    for i, lab in enumerate(out):
        if lab != "spillover" or (i and out[i - 1] == "spillover"):
            continue
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and out[j] == "boilerplate" and len(lines[j].split()) <= 4:
            out[j] = "spillover"
    # Repeats: chains of copies, each within DUP_NEAR non-blank lines of the
    # one before (as score.c chains them); in a chain, the first content copy
    # (else the first) stays, the others are duplicates.
    groups = collections.defaultdict(list)
    for i, t in enumerate(lines):
        if norm_size(t) >= DUP_MIN:
            groups[norm_line(t)].append(i)
    blank_before = [0]
    for t in lines:
        blank_before.append(blank_before[-1] + (not t.strip()))
    for idx in groups.values():
        chain = idx[:1]
        for prev, i in zip(idx, idx[1:] + [None]):
            between = None if i is None else (i - prev - 1) - (blank_before[i] - blank_before[prev + 1])
            if between is not None and between <= DUP_NEAR:
                chain.append(i)
                continue
            if len(chain) >= 2:
                keep = next((k for k in chain if out[k] == "content"), chain[0])
                for k in chain:
                    if k != keep and out[k] is not None:
                        out[k] = "duplicate"
            chain = [i]
    return out


def main():
    chrome = load_chrome(sys.argv[1])
    pages = list(textutil.read_jsonl(sys.argv[2]))
    recurring = recurring_lines([p["text"].split("\n") for p in pages])
    counts = collections.Counter()
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        for p in pages:
            p["labels"] = relabel(p["text"].split("\n"), p["labels"], chrome, recurring)
            counts.update(p["labels"])
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    print("%s: %s" % (sys.argv[3], dict(counts)), file=sys.stderr)


if __name__ == "__main__":
    main()
