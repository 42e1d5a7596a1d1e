"""Shared helpers of training/: loading ../shared/data, the tokeniser that
mirrors detect/script.c text_words(), language codes as spill writes them.

Standard library only (Debian's python3)."""

import hashlib
import json
import os
import unicodedata

# UDHR file codes -> the code spill writes (lang.c lang_code: CLD2's code,
# ISO 639-1 where it exists).
UDHR_TO_SPILL = {"nb": "no", "zh-Hant": "zh"}

SPACELESS_PREFIXES = ("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA",
                      "THAI", "LAO ", "KHMER", "MYANMAR")


def spill_code(udhr_code):
    return UDHR_TO_SPILL.get(udhr_code, udhr_code)


def is_spaceless(ch):
    if ord(ch) < 0x0E00:
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(SPACELESS_PREFIXES)


def words(text):
    """Lower-cased words as detect/script.c text_words() cuts them: runs of
    letters, marks and digits; in spaceless scripts every letter a word."""
    out, cur = [], []
    for ch in text:
        cat = unicodedata.category(ch)
        wordish = cat[0] in "LMN"
        alone = cat[0] == "L" and is_spaceless(ch)
        if cur and (not wordish or alone):
            out.append("".join(cur))
            cur = []
        if wordish:
            if alone:
                out.append(ch.lower())
            else:
                cur.append(ch.lower())
    if cur:
        out.append("".join(cur))
    return out


def lower1(ch):
    """Simple (one code point) lower-casing, as spill's utf8_lower: Python's
    str.lower() may give two ("İ" -> "i̇")."""
    low = ch.lower()
    return low if len(low) == 1 else ch


def trigrams(word):
    """Letter trigrams of a word with '_' marking its start and end, as
    detect/ngram.c makes them: "haus" -> _ha hau aus us_."""
    s = "_" + "".join(lower1(ch) for ch in word) + "_"
    return [s[i:i + 3] for i in range(len(s) - 2)]


def stable_hash(s):
    """A hash that does not change between runs or Python versions."""
    return int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:8], "big")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def udhr_index(data):
    """[(udhr_code, name)] of the UDHR texts."""
    out = []
    with open(os.path.join(data, "udhr", "INDEX.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            out.append((cols[0], cols[4]))
    return out


def udhr_paragraphs(data, code, side):
    """The paragraphs of one language's UDHR on one side of a fixed split:
    one in four paragraphs (by a hash of its position) is held back for dev
    ("dev"), the rest is "train".  The train side splits again, so that
    what the synthetic pages inject is not the text the tables were made
    from (else the tables know every injected word, and the classifier
    learns to trust them more than text it has never seen deserves):
    "tables" (two in three) for training/make_tables.py, "inject" (one in
    three) for the synthetic train pages."""
    path = os.path.join(data, "udhr", code + ".txt")
    with open(path, encoding="utf-8") as f:
        paras = [p.strip() for p in f if p.strip()]
    keep = []
    for i, p in enumerate(paras):
        is_dev = stable_hash("%s/%d" % (code, i)) % 4 == 0
        if side == "dev":
            if is_dev:
                keep.append(p)
        elif not is_dev:
            injected = stable_hash("%s/%d/inject" % (code, i)) % 3 == 0
            if side == "train" or (side == "inject") == injected:
                keep.append(p)
    return keep
