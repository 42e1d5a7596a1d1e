#!/usr/bin/env python3
"""A deterministic multilingual corpus of web-page-like records for
benchmarks, needing nothing outside the repository.

usage: make_corpus.py SIZE_MB OUT.jsonl [--pages MIN MAX] [--seed N]

Text comes from the committed stopword tables of the default model (87
languages, many scripts): sentences of frequent words drawn with Zipf-like
weights, capitalised and punctuated, in paragraphs; pages mix a title,
navigation lines, paragraphs, a few lines of another language, teasers and a
footer.  Page sizes are log-uniform between MIN and MAX bytes (default 300
and 300000).  The same arguments give the same bytes."""

import argparse
import collections
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "models", "spill-1", "stopwords.tsv")
SPACELESS = {"zh", "ja", "th", "km", "lo", "my"}


def load_vocab():
    vocab = collections.defaultdict(list)
    with open(TABLE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            lang, word = line.rstrip("\n").split("\t")[:2]
            vocab[lang].append(word)
    return {l: w for l, w in vocab.items() if len(w) >= 40}


def sentence(rng, lang, words, n):
    # Zipf-like: early (alphabetical, so effectively random) ranks drawn
    # more often, but every word in play.
    picks = [words[min(len(words) - 1, int(rng.paretovariate(1.2)) - 1 + rng.randrange(3))]
             for _ in range(n)]
    if lang in SPACELESS:
        return "".join(picks) + "。"
    s = " ".join(picks)
    return s[:1].upper() + s[1:] + rng.choice([".", ".", ".", "!", "?"])


def page(rng, vocab, langs, size):
    lang = rng.choice(langs)
    words = vocab[lang]
    lines = [sentence(rng, lang, words, rng.randint(4, 10)).rstrip(".!?。") + " | Site"]
    lines += [sentence(rng, lang, words, rng.randint(1, 3)).rstrip(".!?。")
              for _ in range(rng.randint(2, 8))]
    while sum(len(l.encode("utf-8")) + 1 for l in lines) < size:
        r = rng.random()
        if r < 0.05:
            other = rng.choice(langs)
            lines.append(sentence(rng, other, vocab[other], rng.randint(3, 15)))
        elif r < 0.15:
            lines.append(sentence(rng, lang, words, rng.randint(5, 12)).rstrip(".!?。"))
        else:
            lines.append(" ".join(sentence(rng, lang, words, rng.randint(6, 25))
                                  for _ in range(rng.randint(1, 6))))
    lines.append("© 2024 " + sentence(rng, lang, words, 2).rstrip(".!?。"))
    text = "\n".join(lines)
    raw = text.encode("utf-8")[:size]
    return raw.decode("utf-8", errors="ignore"), lang


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("size_mb", type=float)
    ap.add_argument("out")
    ap.add_argument("--pages", type=int, nargs=2, default=[300, 300000], metavar=("MIN", "MAX"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    vocab = load_vocab()
    langs = sorted(vocab)
    target, written, n = int(a.size_mb * 1e6), 0, 0
    lo, hi = math.log(a.pages[0]), math.log(a.pages[1])
    with open(a.out, "w", encoding="utf-8") as f:
        while written < target:
            size = int(math.exp(rng.uniform(lo, hi)))
            text, lang = page(rng, vocab, langs, size)
            line = json.dumps({"id": "bench-%d" % n, "lang": lang, "text": text},
                              ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            n += 1
    print("%s: %d pages, %.1f MB, %d languages" % (a.out, n, written / 1e6, len(langs)))


if __name__ == "__main__":
    main()
