#!/usr/bin/env python3
"""Derives the stopword table of a model: models/<name>/stopwords.tsv.

For every language: the words of its stopwords-iso list (../shared/data/
stopwords) ranked by how often they occur in that language's text - the
train side of the UDHR split and the train pages - keeping the TOP most
frequent that occur at all.  A language without a list gets its most
frequent short words.  Words are cut by the same rules as spill's
tokeniser (textutil.words), so the table matches what spill looks up.

usage: make_stopwords.py DATA OUT.tsv"""

import collections
import os
import sys

import textutil

TOP = 150          # words kept per language with a list
TOP_UNLISTED = 60  # frequent short words kept per language without one


def main():
    data, out = sys.argv[1], sys.argv[2]
    counts = collections.defaultdict(collections.Counter)
    for code, _name in textutil.udhr_index(data):
        lang = textutil.spill_code(code)
        for p in textutil.udhr_paragraphs(data, code, "train"):
            counts[lang].update(textutil.words(p))
    for name in ("train.jsonl", "multi-train.jsonl"):
        for page in textutil.read_jsonl(os.path.join(data, "pages", name)):
            lang = page.get("lang") or "und"
            if lang == "und":
                continue
            counts[lang].update(textutil.words(page["text"]))

    lists = {}
    sw_dir = os.path.join(data, "stopwords")
    for fn in sorted(os.listdir(sw_dir)):
        if fn.endswith(".txt"):
            with open(os.path.join(sw_dir, fn), encoding="utf-8") as f:
                words = set()
                for w in f:
                    words.update(textutil.words(w.strip()))
                lists[fn[:-4]] = words

    rows = []
    for lang in sorted(counts):
        c = counts[lang]
        if sum(c.values()) < 500:
            continue
        if lang in lists:
            ranked = [w for w, n in c.most_common()
                      if w in lists[lang] and n >= 2 and not w.isdigit()]
            keep = ranked[:TOP]
        else:
            keep = [w for w, n in c.most_common(400) if len(w) <= 4 and not w.isdigit()]
            keep = keep[:TOP_UNLISTED]
        for w in sorted(keep):
            if "\t" not in w and "\n" not in w:
                rows.append("%s\t%s" % (lang, w))
    with open(out, "w", encoding="utf-8") as f:
        f.write("# derived by training/make_stopwords.py from ../shared/data\n")
        f.write("\n".join(rows) + "\n")
    print("stopwords: %d languages, %d words -> %s"
          % (len({r.split("\t")[0] for r in rows}), len(rows), out), file=sys.stderr)


if __name__ == "__main__":
    main()
