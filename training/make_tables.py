#!/usr/bin/env python3
"""Derives the word tables of a model from the train side of the data.

usage: make_tables.py DATA OUTDIR [TRAIN.jsonl MULTI.jsonl]
       (writes OUTDIR/{stopwords,chrome,idf,vocab,ngrams}.tsv; the page files
       default to DATA/pages/train.jsonl and DATA/pages/multi-train.jsonl)

stopwords.tsv - for every language, the words of its stopwords-iso list
  (DATA/stopwords) ranked by how often they occur in that language's text (the
  train side of the UDHR split and the train pages), keeping the TOP most
  frequent; a language without a list gets its most frequent short words.

chrome.tsv - for every word seen on at least MIN_PAGES pages, the smoothed
  log-odds of it standing in a chrome line rather than a content line, over
  the gold lines of pages/train.jsonl and pages/multi-train.jsonl.  Lines of
  multi-train that carry no label but recur on two or more of its pages count
  as chrome: a line repeated across pages is site furniture.  Counts are per
  page (a word counts once a page and side), so no single page decides a
  word, and the threshold keeps words of one page out.  These are the cue
  words - "cookies", "Datenschutz", "Anmelden", "share" - in every language
  the pages have, derived rather than listed.

vocab.tsv - for every language, the words seen at least VOCAB_MIN times in
  its text (the train UDHR paragraphs and the lines of train pages of that
  language), at most VOCAB_TOP: the words spill never takes for another
  language's on a page of this one, whatever their letters look like.

ngrams.tsv - for every language with at least NGRAM_MIN_TRIGRAMS trigrams of
  such text (less the lines labelled boilerplate), the log-probability of
  each of its NGRAM_TOP most frequent letter trigrams of words (lower-cased,
  '_' marking the word's start and end: "_ha", "hau", "aus", "us_"; words
  with digits and words of scripts written without spaces left out), one
  line a trigram with every language's value; "<unseen>": the mass of all
  its other trigrams shared evenly among the trigram types of every language
  it lacks; "<close>": the pairs of languages whose words score best under
  each other too often to tell apart (close_pairs).  spill scores a word
  under the page's language and every other one: a word of another language
  in the same script ("Regierung" in English) scores far better under that
  language than under the page's.

idf.tsv - for every word on at least MIN_DF pages, log(pages / pages with
  it), over the same pages; "<unseen>" is the weight of any other word.  It
  weights the terms of spill's topic cohesion, so a story's own words - its
  names and subjects - count most.

Words are cut by the same rules as spill's tokeniser (textutil.words), so the
tables match what spill looks up."""

import collections
import math
import os
import sys

import textutil

TOP = 150          # words kept per language with a list
TOP_UNLISTED = 60  # frequent short words kept per language without one
MIN_PAGES = 5      # pages a word must be seen on to enter chrome.tsv
CLIP = 4.0         # log-odds are clipped to [-CLIP, CLIP]
MIN_DF = 3         # pages a word must be on to enter idf.tsv
VOCAB_MIN = 2      # occurrences a word needs to enter vocab.tsv
VOCAB_TOP = 40000  # words kept per language in vocab.tsv
NGRAM_TOP = 4000   # trigrams kept per language in ngrams.tsv
NGRAM_MIN_TRIGRAMS = 2000  # trigrams of text a language needs in ngrams.tsv
CLOSE_TYPES = 3000  # words per language that decide which languages are close
CLOSE_SUM = 0.2
CLOSE_MIN = 0.07


def chrome_odds(page_files):
    """word -> log-odds of chrome vs content, from labelled (and recurring)
    lines of the train pages.  page_files: (train, multi-train)."""
    pages = []
    for name, path in zip(("train.jsonl", "multi-train.jsonl"), page_files):
        for page in textutil.read_jsonl(path):
            pages.append((name, page["text"].split("\n"), page["labels"]))
    # Lines recurring across multi-train pages (normalised).
    seen = collections.Counter()
    for name, lines, _labels in pages:
        if name == "multi-train.jsonl":
            for norm in {" ".join(textutil.words(t)) for t in lines}:
                if norm:
                    seen[norm] += 1
    chrome_pages, content_pages = collections.Counter(), collections.Counter()
    n_chrome = n_content = 0
    for name, lines, labels in pages:
        cw, mw = set(), set()
        for t, lab in zip(lines, labels):
            ws = textutil.words(t)
            if lab is None and name == "multi-train.jsonl" and seen[" ".join(ws)] >= 2:
                lab = "boilerplate"
            if lab == "boilerplate":
                cw.update(ws)
            elif lab == "main":
                mw.update(ws)
        chrome_pages.update(w for w in cw if not w.isdigit())
        content_pages.update(w for w in mw if not w.isdigit())
        n_chrome += bool(cw)
        n_content += bool(mw)
    odds = {}
    for w in set(chrome_pages) | set(content_pages):
        c, m = chrome_pages[w], content_pages[w]
        if c + m < MIN_PAGES:
            continue
        v = math.log((c + 1) / (n_chrome + 2)) - math.log((m + 1) / (n_content + 2))
        odds[w] = max(-CLIP, min(CLIP, v))
    return odds


def language_text(data, page_files, boilerplate):
    """lang -> texts: the UDHR paragraphs of the tables' side and the lines
    of the train pages of each language; with boilerplate False, only the
    lines that are not boilerplate (main, or unlabelled on multi-train's
    partly labelled pages: mostly the page's own language)."""
    texts = collections.defaultdict(list)
    for code, _name in textutil.udhr_index(data):
        texts[textutil.spill_code(code)].extend(textutil.udhr_paragraphs(data, code, "tables"))
    for path in page_files:
        for page in textutil.read_jsonl(path):
            lang = page.get("lang") or "und"
            if lang != "und":
                texts[lang].extend(t for t, l in zip(page["text"].split("\n"), page["labels"])
                                   if boilerplate or l != "boilerplate")
    return texts


def vocab_rows(texts):
    rows = []
    for lang in sorted(texts):
        c = collections.Counter(w for t in texts[lang] for w in textutil.words(t)
                                if not w.isdigit())
        keep = [w for w, n in c.most_common(VOCAB_TOP) if n >= VOCAB_MIN]
        rows.extend("%s\t%s" % (lang, w) for w in sorted(keep) if "\t" not in w)
    return rows


def trigram_words(text):
    """The words of text that trigrams describe: no digits, no spaceless
    script (there every letter is a word of its own)."""
    for w in textutil.words(text):
        if not any(ch.isdigit() for ch in w) and not textutil.is_spaceless(w[0]):
            yield w


def ngram_rows(texts):
    """The lines of ngrams.tsv (detect/ngram.c): "<unseen>" with every
    language's value, then one line a trigram with the value of each
    language that keeps it."""
    counts = {}
    for lang in sorted(texts):
        c = collections.Counter()
        for t in texts[lang]:
            for w in trigram_words(t):
                c.update(textutil.trigrams(w))
        if sum(c.values()) >= NGRAM_MIN_TRIGRAMS:
            counts[lang] = c
    types = set()
    for c in counts.values():
        types.update(c)
    unseen, by_trigram = {}, collections.defaultdict(list)
    for lang, c in counts.items():
        n = sum(c.values())
        top = c.most_common(NGRAM_TOP)
        left = max(n - sum(k for _t, k in top), 0.5) / n
        unseen[lang] = math.log(left / max(1, len(types) - len(top)))
        for t, k in top:
            by_trigram[t].append("%s:%.3f" % (lang, math.log(k / n)))
    rows = ["<unseen>\t" + " ".join("%s:%.3f" % (l, v) for l, v in sorted(unseen.items()))]
    tables = {l: {} for l in counts}
    for t, pairs in by_trigram.items():
        for p in pairs:
            l, v = p.rsplit(":", 1)
            tables[l][t] = float(v)
    close = close_pairs(texts, tables, unseen)
    if close:
        rows.append("<close>\t" + " ".join("%s:%s" % pair for pair in close))
    rows.extend("%s\t%s" % (t, " ".join(by_trigram[t])) for t in sorted(by_trigram)
                if "\t" not in t and ":" not in t and " " not in t)
    return rows


def close_pairs(texts, tables, unseen):
    """Languages that letters cannot tell apart (Bosnian and Croatian,
    Indonesian and Malay): of each language's CLOSE_TYPES most frequent
    words of four letters or more, the share scoring best under the other;
    a pair is close when the two shares add up to CLOSE_SUM, each at least
    CLOSE_MIN.  spill never takes a word for a close kin of the page's
    language."""
    langs = sorted(tables)

    def score(lang, trigrams):
        tab, u = tables[lang], unseen[lang]
        return sum(tab.get(t, u) for t in trigrams) / len(trigrams)

    share = {}
    for lang in langs:
        c = collections.Counter(w for t in texts[lang] for w in trigram_words(t) if len(w) >= 4)
        words = [w for w, _n in c.most_common(CLOSE_TYPES)]
        best = collections.Counter()
        for w in words:
            ts = textutil.trigrams(w)
            best[max(langs, key=lambda l: score(l, ts))] += 1
        for other, n in best.items():
            share[(lang, other)] = n / max(1, len(words))
    pairs = []
    for i, a in enumerate(langs):
        for b in langs[i + 1:]:
            x, y = share.get((a, b), 0.0), share.get((b, a), 0.0)
            if x + y >= CLOSE_SUM and min(x, y) >= CLOSE_MIN:
                pairs.append((a, b))
    print("close languages: %s" % " ".join("%s-%s" % p for p in pairs), file=sys.stderr)
    return pairs


def idf_table(page_files):
    df, n = collections.Counter(), 0
    for path in page_files:
        for page in textutil.read_jsonl(path):
            df.update(set(textutil.words(page["text"])))
            n += 1
    idf = {w: math.log(n / c) for w, c in df.items() if c >= MIN_DF and not w.isdigit()}
    idf["<unseen>"] = math.log(n)
    return idf


def main():
    data, outdir = sys.argv[1], sys.argv[2]
    page_files = sys.argv[3:5] or [os.path.join(data, "pages", n)
                                   for n in ("train.jsonl", "multi-train.jsonl")]
    os.makedirs(outdir, exist_ok=True)
    out = os.path.join(outdir, "stopwords.tsv")
    counts = collections.defaultdict(collections.Counter)
    for code, _name in textutil.udhr_index(data):
        lang = textutil.spill_code(code)
        for p in textutil.udhr_paragraphs(data, code, "tables"):
            counts[lang].update(textutil.words(p))
    for path in page_files:
        for page in textutil.read_jsonl(path):
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

    odds = chrome_odds(page_files)
    out = os.path.join(outdir, "chrome.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("# derived by training/make_tables.py: log-odds of a word in chrome vs content\n")
        for w in sorted(odds):
            if "\t" not in w:
                f.write("*\t%s\t%.3f\n" % (w, odds[w]))
    idf = idf_table(page_files)
    with open(os.path.join(outdir, "idf.tsv"), "w", encoding="utf-8") as f:
        f.write("# derived by training/make_tables.py: log(pages / pages with the word)\n")
        for w in sorted(idf):
            if "\t" not in w:
                f.write("*\t%s\t%.3f\n" % (w, idf[w]))
    for name, rows, what in (
            ("vocab.tsv", vocab_rows(language_text(data, page_files, True)),
             "words known per language"),
            ("ngrams.tsv", ngram_rows(language_text(data, page_files, False)),
             "log P of word trigrams")):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.write("# derived by training/make_tables.py: %s\n" % what)
            f.write("\n".join(rows) + "\n")
        print("%s: %d rows" % (name, len(rows)), file=sys.stderr)
    top = sorted(odds, key=odds.get, reverse=True)[:12]
    print("chrome: %d words -> %s; most chrome-like: %s" % (len(odds), out, " ".join(top)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
