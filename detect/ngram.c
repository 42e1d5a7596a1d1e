/*
 * ngram.c - the letter-trigram table of a model (ngrams.tsv) and the score
 * of a word under every language in it.
 *
 * A word of another language in the page's script gives itself away by its
 * letters: "Regierung" is likelier German than English, trigram by trigram.
 * The table holds, per language, the log-probability of its most frequent
 * trigrams of words (lower-cased, '_' marking the word's start and end: "_ha",
 * "hau", "aus", "us_") and the value of any other trigram ("<unseen>"), all
 * derived by training/make_tables.py.  A word's score under a language is the
 * mean over its trigrams; lang.c compares the page language's with the best
 * other's.
 *
 * File: '#' comments, then "<unseen><TAB>lang:value lang:value ..." naming
 * every language, optionally "<close><TAB>lang:lang ..." (pairs of languages
 * whose letters cannot tell them apart: neither is ever the best other
 * language of a page in the other), then one line a trigram,
 * "tri<TAB>lang:value ...".  In
 * memory: an open-addressing table from the packed trigram (three code
 * points of 21 bits) to its postings, each a language and how much the
 * trigram's value exceeds that language's unseen value, so a word's score
 * under a language without the trigram needs no entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct ngramtab {
    char langs[NGRAM_MAX_LANGS][12];
    float unseen[NGRAM_MAX_LANGS];
    uint64_t close[NGRAM_MAX_LANGS][3];  /* bit l: language l is close */
    uint8_t by_code[256];                /* hash of a code -> index + 1, probed */
    size_t n_langs;
    uint64_t *keys;      /* packed trigram + 1; 0 = empty slot */
    uint32_t *first;     /* its postings: [first, first + count) */
    uint16_t *count;
    size_t mask;
    uint8_t *plang;      /* postings: language index */
    float *pexcess;      /* value - unseen[language] */
    size_t n_post;
};

static uint64_t pack3(int32_t a, int32_t b, int32_t c)
{
    return ((uint64_t)a << 42 | (uint64_t)b << 21 | (uint64_t)c) + 1;
}

void ngramtab_free(const spill_allocator *al, ngramtab *t)
{
    if (!t)
        return;
    mem_free(al, t->keys);
    mem_free(al, t->first);
    mem_free(al, t->count);
    mem_free(al, t->plang);
    mem_free(al, t->pexcess);
    mem_free(al, t);
}

const char *ngramtab_lang(const ngramtab *t, int i)
{
    return t && i >= 0 && (size_t)i < t->n_langs ? t->langs[i] : "und";
}

size_t ngramtab_n_langs(const ngramtab *t)
{
    return t ? t->n_langs : 0;
}

static unsigned code_slot(const char *code)
{
    unsigned h = 2166136261u;
    for (const char *c = code; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    return h & 255;
}

/* The index of a language code, from by_code; -1 if none. */
static int code_index(const ngramtab *t, const char *code)
{
    for (unsigned k = code_slot(code);; k = (k + 1) & 255) {
        int i = t->by_code[k] - 1;
        if (i < 0)
            return -1;
        if (!strcmp(t->langs[i], code))
            return i;
    }
}

int ngramtab_lang_index(const ngramtab *t, const char *lang)
{
    return t ? code_index(t, lang) : -1;
}

static void add_code(ngramtab *t, int i)
{
    unsigned k = code_slot(t->langs[i]);
    while (t->by_code[k])
        k = (k + 1) & 255;
    t->by_code[k] = (uint8_t)(i + 1);
}

/* Parses "lang:value" at *p (ending at a space, tab or the end); the
 * language's index in *li, -1 if the table has none. */
static bool parse_pair(const ngramtab *t, char **p, int *li, float *value)
{
    char *colon = strchr(*p, ':');
    if (!colon || colon == *p || colon - *p >= 12)
        return false;
    *colon = 0;
    *li = code_index(t, *p);
    char *end;
    errno = 0;
    *value = model_float(colon + 1, &end);
    if (errno || end == colon + 1 || (*end && *end != ' '))
        return false;
    *p = *end ? end + 1 : end;
    return true;
}

ngramtab *ngramtab_parse(const spill_allocator *al, const char *path, char *text,
                         spill_error *err)
{
    size_t n_lines = 0, n_pairs = 0;
    for (const char *p = text; *p; p++) {
        n_lines += *p == '\n';
        n_pairs += *p == ':';
    }
    ngramtab *t = mem_alloc(al, sizeof *t);
    if (!t)
        return model_fail(err, SPILL_E_NOMEM, "out of memory reading %s", path);
    memset(t, 0, sizeof *t);
    size_t cap = 64;
    while (cap < n_lines * 2 + 2)
        cap *= 2;
    t->mask = cap - 1;
    t->keys = mem_alloc(al, cap * sizeof *t->keys);
    t->first = mem_alloc(al, cap * sizeof *t->first);
    t->count = mem_alloc(al, cap * sizeof *t->count);
    t->plang = mem_alloc(al, (n_pairs + 1) * sizeof *t->plang);
    t->pexcess = mem_alloc(al, (n_pairs + 1) * sizeof *t->pexcess);
    if (!t->keys || !t->first || !t->count || !t->plang || !t->pexcess) {
        ngramtab_free(al, t);
        return model_fail(err, SPILL_E_NOMEM, "out of memory reading %s", path);
    }
    memset(t->keys, 0, cap * sizeof *t->keys);
    size_t lineno = 0;
    bool have_unseen = false;
    for (char *p = text; *p;) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        lineno++;
        char *line = p;
        p = eol ? eol + 1 : line + strlen(line);
        if (!*line || *line == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            goto bad;
        *tab = 0;
        char *q = tab + 1;
        if (!strcmp(line, "<unseen>")) {
            if (have_unseen)
                goto bad;
            have_unseen = true;
            while (*q) {
                char *colon = strchr(q, ':');
                if (!colon || colon == q || colon - q >= 12 || t->n_langs == NGRAM_MAX_LANGS)
                    goto bad;
                /* The line names the languages: each is registered before
                 * parse_pair looks it up. */
                memcpy(t->langs[t->n_langs], q, (size_t)(colon - q));
                t->langs[t->n_langs][colon - q] = 0;
                if (code_index(t, t->langs[t->n_langs]) >= 0)
                    goto bad;  /* a language twice */
                add_code(t, (int)t->n_langs);
                t->n_langs++;
                int li;
                float v;
                if (!parse_pair(t, &q, &li, &v) || li != (int)t->n_langs - 1)
                    goto bad;
                t->unseen[li] = v;
            }
            continue;
        }
        if (!strcmp(line, "<close>")) {
            while (have_unseen && *q) {
                char *sp = strchr(q, ' ');
                if (sp)
                    *sp = 0;
                char *colon = strchr(q, ':');
                if (!colon)
                    goto bad;
                *colon = 0;
                int a = ngramtab_lang_index(t, q), b = ngramtab_lang_index(t, colon + 1);
                if (a < 0 || b < 0)
                    goto bad;
                t->close[a][b / 64] |= 1ull << (b % 64);
                t->close[b][a / 64] |= 1ull << (a % 64);
                q = sp ? sp + 1 : q + strlen(q);
            }
            if (!have_unseen)
                goto bad;
            continue;
        }
        /* A trigram: three code points of UTF-8. */
        int32_t cp[3];
        size_t len = strlen(line), at = 0;
        if (!have_unseen || utf8_valid_prefix(line, len) != len)
            goto bad;
        for (int k = 0; k < 3; k++) {
            if (at >= len)
                goto bad;
            at += utf8_next(line, at, &cp[k]);
        }
        if (at != len)
            goto bad;
        uint64_t key = pack3(cp[0], cp[1], cp[2]);
        size_t s = hash_slot(t->keys, t->mask, key);
        if (t->keys[s])
            goto bad;  /* the same trigram twice */
        t->keys[s] = key;
        t->first[s] = (uint32_t)t->n_post;
        t->count[s] = 0;
        while (*q) {
            int li;
            float v;
            if (!parse_pair(t, &q, &li, &v) || li < 0 || t->count[s] == UINT16_MAX)
                goto bad;
            /* A trigram seen is never less likely than one unseen: every
             * excess is positive, which ngramtab_score relies on. */
            float excess = v - t->unseen[li];
            t->plang[t->n_post] = (uint8_t)li;
            t->pexcess[t->n_post] = excess > 1e-6f ? excess : 1e-6f;
            t->n_post++;
            t->count[s]++;
        }
        continue;
    bad:
        ngramtab_free(al, t);
        return model_fail(err, SPILL_E_MODEL_FORMAT,
                          "%s:%zu: expected \"<unseen>|trigram<TAB>lang:value ...\"", path,
                          lineno);
    }
    if (!have_unseen) {
        ngramtab_free(al, t);
        return model_fail(err, SPILL_E_MODEL_FORMAT, "%s: no <unseen> line", path);
    }
    return t;
}

bool ngramtab_score(const ngramtab *t, const int32_t *cp, size_t n, int lang,
                    ngram_score *out, float *acc)
{
    out->own = out->best = 0;
    out->best_lang = -1;
    if (!t || lang < 0 || (size_t)lang >= t->n_langs || n == 0)
        return false;
    /* The trigrams of "_word_": n of them for n letters, since the word is
     * padded at both ends. */
    size_t n_tri = n;
    uint8_t touched[NGRAM_MAX_LANGS];
    size_t n_touched = 0;
    double own = 0;
    for (size_t i = 0; i < n_tri; i++) {
        int32_t a = i == 0 ? '_' : cp[i - 1];
        int32_t b = cp[i];
        int32_t c = i + 1 < n ? cp[i + 1] : '_';
        size_t s = hash_slot(t->keys, t->mask, pack3(a, b, c));
        if (!t->keys[s])
            continue;
        for (uint32_t k = t->first[s], e = k + t->count[s]; k < e; k++) {
            uint8_t li = t->plang[k];
            if (li == lang) {
                own += t->pexcess[k];
                continue;
            }
            if (acc[li] == 0.0f)  /* first trigram of li: excesses are > 0 */
                touched[n_touched++] = li;
            acc[li] += t->pexcess[k];
        }
    }
    out->own = (float)(own / (double)n_tri + t->unseen[lang]);
    float best = -1e30f;
    const uint64_t *close = t->close[lang];
    for (size_t k = 0; k < n_touched; k++) {
        uint8_t li = touched[k];
        float v = acc[li] / (float)n_tri + t->unseen[li];
        if ((close[li / 64] >> (li % 64)) & 1) {
            acc[li] = 0.0f;
            continue;
        }
        if (v > best) {
            best = v;
            out->best_lang = li;
        }
        acc[li] = 0.0f;
    }
    out->best = out->best_lang >= 0 ? best : out->own;
    return true;
}
