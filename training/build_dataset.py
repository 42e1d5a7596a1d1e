#!/usr/bin/env python3
"""Builds synthetic pages with exact span labels, from real text.

usage: build_dataset.py DATA SIDE OUT.jsonl --chrome CHROME.tsv [--seed N] [--pages FILE...]

SIDE is "train" or "dev".  Train pages are built only from the train side
(pages/train.jsonl, pages/multi-train.jsonl, the train paragraphs of every
UDHR text); dev pages only from pages/dev.jsonl and the held-back UDHR
paragraphs, so nothing of dev reaches training.

Every page starts from a host - a real page with its gold line labels
(mapped onto spill's labels by labels.py), or a
page assembled from one language's UDHR paragraphs with navigation and
footer lines - and gets artefacts injected with their labels:

  foreign    words, label-like strings ("Текст:"), phrases, sentences and
             paragraphs of another language, at a line's start, middle or
             end or as lines of their own; in another script or the same one
  spillover  headlines and teasers of other real pages in the host's
             language (only where there are such pages: the UDHR is one
             text, so its paragraphs are no other page's), with or without
             a header line as real pages head such blocks, at the end, the
             middle or the side of the page
  duplicate  the title repeated, a paragraph or block pasted twice in a row
  garbage    mojibake (UTF-8 read as cp1252, Latin-1, KOI8-R or cp1251;
             only where the round trip visibly changes the text), control
             characters, symbol runs

Records: {"id", "lang", "text", "spans": [{"start", "end", "label"}]},
offsets in code points; text outside every span has no gold label (lines
the host left unlabelled)."""

import argparse
import collections
import json
import os
import random
import re
import sys
import unicodedata

import labels as labels_mod
import textutil

# ---- text pools -----------------------------------------------------------


def script_of_text(text):
    """The dominant script of a text, by the first word of Unicode names."""
    c = collections.Counter()
    for ch in text[:2000]:
        if unicodedata.category(ch)[0] == "L":
            name = unicodedata.name(ch, "")
            word = name.split(" ")[0]
            if word in ("HIRAGANA", "KATAKANA", "CJK"):  # script.c's groups
                word = "CJK"
            c[word] += 1
    return c.most_common(1)[0][0] if c else "NONE"


class Pools:
    """Text of one side of the split, by language."""

    def __init__(self, data, side, rng, page_files=None, chrome=None):
        self.rng = rng
        self.side = side
        self.udhr = {}       # spill code -> paragraphs
        self.script = {}     # spill code -> script word
        for code, _name in textutil.udhr_index(data):
            # On the train side, the paragraphs the tables were not made from.
            paras = textutil.udhr_paragraphs(data, code, "inject" if side == "train" else side)
            lang = textutil.spill_code(code)
            if lang in self.udhr or len(paras) < 4:
                continue
            self.udhr[lang] = paras
            self.script[lang] = script_of_text(" ".join(paras))
        self.hosts = []                               # real pages
        self.titles = collections.defaultdict(list)   # lang -> headlines
        self.paras = collections.defaultdict(list)    # lang -> main paragraphs
        self.by_page = collections.defaultdict(list)  # lang -> [main lines of a page]
        self.headers = collections.defaultdict(list)  # lang -> headers of teaser blocks
        chrome_pages = collections.defaultdict(collections.Counter)
        files = ["train.jsonl", "multi-train.jsonl"] if side == "train" else ["dev.jsonl"]
        paths = page_files or [os.path.join(data, "pages", fn) for fn in files]
        for path in paths:
            file_pages = list(textutil.read_jsonl(path))
            recurring = labels_mod.recurring_lines([p["text"].split("\n") for p in file_pages])
            for page in file_pages:
                lang = page.get("lang") or "und"
                lines = page["text"].split("\n")
                labels = labels_mod.relabel(lines, page["labels"], chrome or {}, recurring)
                self.hosts.append((page["id"], lang, lines, labels))
                if lang == "und":
                    continue
                if lines and lines[0].strip():
                    self.titles[lang].append(strip_site(lines[0]))
                for t, l, nxt in zip(lines, labels, labels[1:]):
                    if l == "spillover" and nxt == "spillover" and 1 <= len(t.split()) <= 4:
                        self.headers[lang].append(t)
                seen = set()
                main = [t for t, l in zip(lines, labels) if l == "content" and len(t.split()) >= 8]
                if len(main) >= 3:
                    self.by_page[lang].append(main[:12])
                for t, l in zip(lines, labels):
                    n = len(t.split())
                    if l == "content" and (n >= 12 or (lang in ("zh", "ja") and len(t) >= 40)):
                        self.paras[lang].append(t)
                    if l != "content" and 1 <= n <= 4 and len(t) <= 40 and t not in seen:
                        seen.add(t)
                        chrome_pages[lang][t] += 1
        # Chrome strings (navigation, headers) recur across pages.
        self.chrome = {lang: [t for t, n in c.items() if n >= 2] for lang, c in chrome_pages.items()}

    def langs_with_script(self, script, same):
        return sorted(l for l in self.udhr if (self.script[l] == script) == same)

    def udhr_words(self, lang, k):
        """k consecutive words of a paragraph in lang, punctuation trimmed."""
        p = self.rng.choice(self.udhr[lang])
        toks = p.split()
        if textutil.is_spaceless(p[len(p) // 2]) or len(toks) < 3:
            # Spaceless scripts: characters stand for words.
            chars = [ch for ch in p if not ch.isspace()]
            n = min(len(chars), self.rng.randint(2, 4) * k)
            i = self.rng.randrange(0, max(1, len(chars) - n))
            return "".join(chars[i:i + n]).strip("，。、,.;:!?()[]「」")
        i = self.rng.randrange(0, max(1, len(toks) - k))
        out = " ".join(toks[i:i + k])
        return out.strip(",.;:!?()[]\"'«»“”„")

    def udhr_sentence(self, lang):
        p = self.rng.choice(self.udhr[lang])
        parts = [s.strip() for s in re.split(r"(?<=[.!?。！？।])\s*", p) if s.strip()]
        parts = [s for s in parts if 4 <= len(s.split()) <= 30 or textutil.is_spaceless(s[0])]
        if parts:
            return self.rng.choice(parts)
        return " ".join(p.split()[:20])

    def udhr_paragraph(self, lang):
        p = self.rng.choice(self.udhr[lang])
        toks = p.split()
        return " ".join(toks[:60]) if len(toks) > 60 else p

    def pick(self, pool, near):
        """A random item of pool; with `near` (a host's words), half the time
        the closest of a few candidates: related posts share the article's
        vocabulary, and a detector must not rely on a complete topic change."""
        if near and self.rng.random() < 0.5:
            cands = [self.rng.choice(pool) for _ in range(25)]

            def closeness(item):
                ws = set(textutil.words(item if isinstance(item, str) else " ".join(item)))
                return len(near & ws) / (1 + len(ws)) ** 0.5
            return max(cands, key=closeness)
        return self.rng.choice(pool)

    def headline(self, lang, avoid=None, near=None):
        pool = [t for t in self.titles.get(lang, []) if t != avoid]
        if len(pool) >= 3:
            return self.pick(pool, near)
        if lang not in self.udhr:
            return None
        words = self.udhr_words(lang, self.rng.randint(5, 10))
        return words[:1].upper() + words[1:]

    def article(self, lang, near=None):
        """Another page's whole main text on one line, as scrapes of
        "related" blocks often show it."""
        pool = self.by_page.get(lang)
        if not pool:
            return None
        paras = self.pick(pool, near) if near else self.rng.choice(pool)
        return " ".join(paras)

    def teaser(self, lang, avoid=(), near=None):
        pool = [t for t in self.paras.get(lang, []) if t not in avoid]
        if len(pool) >= 3:
            t = self.pick(pool, near)
        elif lang in self.udhr:
            t = self.udhr_paragraph(lang)
        else:
            return None
        toks = t.split()
        if len(toks) > 20 and self.rng.random() < 0.6:
            t = " ".join(toks[:self.rng.randint(12, 40)]) + self.rng.choice(["…", "...", ""])
        return t

    def has_other_pages(self, lang):
        """Whether there is text of other pages in lang: headlines and
        paragraphs of real pages, not the host's own UDHR."""
        return len(self.titles.get(lang, ())) >= 3 and len(self.paras.get(lang, ())) >= 3

    def block_header(self, lang):
        """A header of a teaser block ("Related posts") as real pages of lang
        have them, or None."""
        pool = self.headers.get(lang)
        return self.rng.choice(pool) if pool else None

    def chrome_line(self, lang):
        pool = self.chrome.get(lang)
        if pool:
            return self.rng.choice(pool)
        if lang in self.udhr:
            w = self.udhr_words(lang, self.rng.randint(1, 3))
            return w[:1].upper() + w[1:]
        return None


def strip_site(title):
    for sep in (" | ", " - ", " – ", " :: ", " — "):
        if sep in title:
            return title.split(sep)[0].strip()
    return title.strip()


# ---- pages as lines of labelled pieces -----------------------------------

def host_from_real(page):
    """A real page's lines with spill labels (labels.py maps the gold)."""
    _id, lang, lines, labels = page
    return lang, [[(t, lab)] for t, lab in zip(lines, labels)]


def host_from_udhr(pools, lang, rng):
    """A page of UDHR paragraphs with a title, navigation and a footer."""
    lines = []
    title = pools.headline(lang) or "UDHR"
    site = pools.chrome_line(lang) or "Site"
    lines.append([("%s | %s" % (title, site), "boilerplate")])
    nav = [pools.chrome_line(lang) for _ in range(rng.randint(3, 9))]
    nav = [n for n in nav if n]
    if rng.random() < 0.4:
        lines.append([(" | ".join(nav), "boilerplate")])
    else:
        lines.extend([[(n, "boilerplate")] for n in nav])
    lines.append([(title, "content")])
    paras = pools.udhr[lang][:]
    rng.shuffle(paras)
    for p in paras[:rng.randint(3, 10)]:
        lines.append([(p, "content")])
    foot = [pools.chrome_line(lang) for _ in range(rng.randint(1, 5))]
    lines.extend([[(f, "boilerplate")] for f in foot if f])
    lines.append([("© %d %s" % (rng.randint(1998, 2025), site), "boilerplate")])
    return lines


def content_lines(lines, min_words=0):
    return [i for i, l in enumerate(lines)
            if len(l) == 1 and l[0][1] == "content" and len(l[0][0].split()) >= min_words
            and l[0][0].strip()]


def last_content(lines):
    idx = content_lines(lines)
    return idx[-1] if idx else len(lines) - 1


# ---- injections ----------------------------------------------------------

def pick_donor(pools, host, rng):
    script = pools.script.get(host, "LATIN")
    same = rng.random() < 0.5
    cands = [l for l in pools.langs_with_script(script, same) if l != host]
    if not cands:
        cands = [l for l in pools.udhr if l != host]
    return rng.choice(cands)


def worded_lines(lines, min_words):
    """Lines of one piece with text of at least min_words words: content
    mostly, sometimes another label - a stray label lands anywhere."""
    idx = content_lines(lines, min_words)
    other = [i for i, l in enumerate(lines) if len(l) == 1 and l[0][1] in ("spillover", "boilerplate")
             and len(l[0][0].split()) >= min_words]
    return idx, other


def inject_foreign(pools, host, lines, rng):
    idx, other = worded_lines(lines, 4)
    if other and (not idx or rng.random() < 0.3):
        idx = other
    if not idx:
        return False
    donor = pick_donor(pools, host, rng)
    kind = rng.choices(["label", "words", "sentence", "line"], [0.25, 0.35, 0.2, 0.2])[0]
    if kind == "label":
        text = pools.udhr_words(donor, rng.randint(1, 2)) + rng.choice([":", ":", " -", ":"])
    elif kind == "words":
        text = pools.udhr_words(donor, rng.randint(1, 5))
    elif kind == "sentence":
        text = pools.udhr_sentence(donor)
    else:
        text = rng.choice([pools.udhr_sentence, pools.udhr_paragraph])(donor)
    if not text.strip():
        return False
    i = rng.choice(idx)
    t, host_label = lines[i][0]
    if kind == "line":
        lines.insert(i + rng.randint(0, 1), [(text, "foreign")])
        return True
    where = "start" if kind == "label" and rng.random() < 0.7 else rng.choice(["start", "mid", "end"])
    spaceless = textutil.is_spaceless(t[len(t) // 2]) if t else False
    sep = "" if spaceless and pools.script.get(donor) == "CJK" else " "
    if where == "start":
        lines[i] = [(text + " ", "foreign"), (t, host_label)]
    elif where == "end":
        lines[i] = [(t + sep, host_label), (text, "foreign")]
    else:
        if spaceless:
            cut = rng.randrange(1, max(2, len(t) - 1))
        else:
            spaces = [m.start() for m in re.finditer(" ", t)]
            if not spaces:
                return False
            cut = rng.choice(spaces) + 1
        lines[i] = [(t[:cut], host_label), (text + sep, "foreign"), (t[cut:], host_label)]
    return True


def inject_spillover(pools, host, lines, rng):
    idx = content_lines(lines)
    # Other pages' text in the host's language: without it, a "teaser"
    # would be more of the host's own text, no spillover a reader could see.
    if not idx or not pools.has_other_pages(host):
        return False
    own = {p[0] for l in lines for p in l}
    near = set()
    for i in idx:
        near.update(w for w in textutil.words(lines[i][0][0]) if len(w) > 3)
    items = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["headline", "headline", "teaser", "both", "article"])
        h = pools.headline(host, near=near)
        t = pools.teaser(host, own, near=near)
        if kind == "headline" and h:
            items.append(h)
        elif kind == "teaser" and t:
            items.append(t)
        elif kind == "article":
            a = pools.article(host, near=near)
            if h and a:
                items.append(h + " " + a)
        elif h and t:
            items.append(h + " " + t)
    items = [x for x in items if x and x not in own]
    if not items:
        return False
    block = []
    if rng.random() < 0.6:
        head = pools.block_header(host)
        if head:
            block.append([(head, "spillover")])
    block.extend([[(x, "spillover")] for x in items])
    where = rng.choice(["end", "end", "middle", "side"])
    if where == "end":
        at = last_content(lines) + 1
    elif where == "middle" and len(idx) >= 3:
        at = idx[len(idx) // 2] + 1
    else:
        at = idx[min(len(idx) - 1, rng.randint(0, 2))] + 1
    lines[at:at] = block
    return True


def inject_duplicate(pools, host, lines, rng):
    """A redundant copy, as scrapes print them: the headline again right
    after it, a paragraph or a block of two or three lines pasted twice in a
    row.  (A far repeat is no artefact: the gold of real pages keeps a far
    repeat of a main line as main nine times in ten - labels.py, DUP_NEAR.)"""
    kind = rng.choice(["title", "title", "paragraph", "block"])
    idx = content_lines(lines)
    if not idx:
        return False
    if kind == "title":
        # The page's headline again, once or twice, right after it.
        src = next((i for i in idx[:3] if len(lines[i][0][0].split()) <= 20), idx[0])
        t = lines[src][0][0]
        if labels_mod.norm_size(t) < labels_mod.DUP_MIN:
            return False  # too short to be told a repeat (detect/score.c)
        for k in range(rng.randint(1, 2)):
            pos = src + 1 + k * rng.randint(1, 2)
            lines.insert(min(pos, len(lines)), [(t, "duplicate")])
        return True
    if kind == "paragraph":
        long_idx = content_lines(lines, 8)
        if not long_idx:
            return False
        src = rng.choice(long_idx)
        if labels_mod.norm_size(lines[src][0][0]) < labels_mod.DUP_MIN:
            return False
        lines.insert(src + 1, [(lines[src][0][0], "duplicate")])
        return True
    if len(idx) < 3:
        return False
    s = rng.randrange(0, len(idx) - 2)
    src = idx[s:s + rng.randint(2, 3)]
    if src[-1] - src[0] != len(src) - 1:
        return False  # not one block of consecutive lines
    if any(labels_mod.norm_size(lines[i][0][0]) < labels_mod.DUP_MIN for i in src):
        return False
    block = [[(lines[i][0][0], "duplicate")] for i in src]
    at = src[-1] + 1
    lines[at:at] = block
    return True


def mojibake(text, rng):
    """text through a wrong-codec round trip, or None when that leaves it
    (nearly) as it was: ASCII survives every such round trip."""
    raw = text.encode("utf-8")
    codec = rng.choice(["cp1252", "latin-1", "koi8_r", "cp1251"])
    out = raw.decode(codec, errors="replace")
    if rng.random() < 0.3:  # a second round trip, as pages often show
        out = out.encode("utf-8").decode("cp1252", errors="replace")
    # Each character outside ASCII comes out as two or three wrong ones.
    mangled = sum(ord(ch) > 127 for ch in text)
    if mangled < 3 or mangled < 0.04 * len(text):
        return None
    return out


SYMBOLS = "*=-~#+_.:|/\\<>^•·■□▪▫●○◆◇★☆♦♥♠♣▲△▼▽►◄▓▒░█▌▐─│┌┐└┘├┤┬┴┼═║"


def inject_garbage(pools, host, lines, rng):
    kind = rng.choice(["mojibake", "mojibake", "control", "symbols"])
    idx = content_lines(lines, 3)
    if kind == "mojibake":
        # Text with letters outside ASCII, so that a wrong codec shows.
        cands = [i for i in idx if sum(ord(c) > 127 for c in lines[i][0][0]) >= 3]
        if cands and rng.random() < 0.6:
            i = rng.choice(cands)
            text = mojibake(lines[i][0][0], rng)
            if text is None:
                return False
            lines[i] = [(text, "garbage")]
            return True
        donor = rng.choice([l for l in pools.udhr if pools.script[l] in ("LATIN", "CYRILLIC", "GREEK")
                            and l != "en"])
        text = mojibake(pools.udhr_sentence(donor), rng)
        if text is None:
            return False
    elif kind == "control":
        base = pools.udhr_words(host, rng.randint(2, 8)) if host in pools.udhr else "x"
        chars = list(base)
        for _ in range(rng.randint(3, 12)):
            chars.insert(rng.randrange(0, len(chars) + 1),
                         chr(rng.choice(list(range(1, 9)) + [11, 12] + list(range(14, 32)) + [127])))
        text = "".join(chars)
    else:
        n = rng.randint(5, 60)
        if rng.random() < 0.5:
            text = rng.choice(SYMBOLS) * n
        else:
            text = "".join(rng.choice(SYMBOLS) for _ in range(n))
    at = rng.randint(0, len(lines))
    lines.insert(at, [(text, "garbage")])
    return True


# Spillover first, so that foreign artefacts also land inside teasers;
# duplicates last, so that nothing lands between a line and its copy or
# changes the line after it was copied.
INJECTIONS = [(inject_spillover, 0.5, 1), (inject_foreign, 0.6, 3),
              (inject_garbage, 0.3, 2), (inject_duplicate, 0.35, 1)]


def to_record(page_id, lang, lines):
    text_parts, spans, pos = [], [], 0
    for li, pieces in enumerate(lines):
        if li:
            text_parts.append("\n")
            pos += 1
        for t, label in pieces:
            # Control characters other than tab and LF stay: they are the
            # point of garbage; a LF inside a piece would cut the line.
            t = t.replace("\n", " ").replace("\r", " ")
            if label and t:
                if spans and spans[-1]["label"] == label and spans[-1]["end"] == pos:
                    spans[-1]["end"] = pos + len(t)
                else:
                    spans.append({"start": pos, "end": pos + len(t), "label": label})
            text_parts.append(t)
            pos += len(t)
    return {"id": page_id, "lang": lang, "text": "".join(text_parts), "spans": spans}


def build(pools, rng, n_udhr_pages, real_variants):
    out = []
    hosts = []
    for page in pools.hosts:
        for v in range(real_variants):
            hosts.append(("real", page, v))
    for lang in sorted(pools.udhr):
        for k in range(n_udhr_pages):
            hosts.append(("udhr", lang, k))
    for n, (kind, src, k) in enumerate(hosts):
        if kind == "real":
            lang, lines = host_from_real(src)
            pid = "synth-%s/%s/%s#%d" % (pools.side, lang, src[0], k)
        else:
            lang, lines = src, host_from_udhr(pools, src, rng)
            pid = "synth-%s/%s/udhr-%d" % (pools.side, lang, k)
        if lang not in pools.udhr and lang != "und":
            pass  # hosts of languages without UDHR still take spillover etc.
        any_done = False
        for fn, prob, most in INJECTIONS:
            if fn is inject_foreign and not pools.udhr:
                continue
            if rng.random() < prob:
                for _ in range(rng.randint(1, most)):
                    any_done |= bool(fn(pools, lang, lines, rng))
        if kind == "udhr" or any_done:
            out.append(to_record(pid, lang, lines))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("side", choices=["train", "dev"])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--udhr-pages", type=int, default=None)
    ap.add_argument("--real-variants", type=int, default=None)
    ap.add_argument("--pages", nargs="+", default=None,
                    help="host and donor pages (default: DATA/pages of the side)")
    ap.add_argument("--chrome", required=True,
                    help="chrome.tsv of make_tables.py, for labels.py's mapping of the gold")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pools = Pools(a.data, a.side, rng, a.pages, labels_mod.load_chrome(a.chrome))
    n_udhr = a.udhr_pages if a.udhr_pages is not None else (12 if a.side == "train" else 5)
    variants = a.real_variants if a.real_variants is not None else (1 if a.side == "train" else 2)
    records = build(pools, rng, n_udhr, variants)
    with open(a.out, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    labels = collections.Counter(s["label"] for r in records for s in r["spans"])
    langs = collections.Counter(r["lang"] for r in records)
    print("%s: %d pages, %d languages; spans %s" % (a.out, len(records), len(langs),
          dict(sorted(labels.items()))), file=sys.stderr)


if __name__ == "__main__":
    main()
