/*
 * features.c - per-segment features: the feature schema.
 *
 * Input: the page's lines and segments with their scripts and languages.
 * Output: one vector of features_count() floats per segment, handed to a
 * sink a block at a time (the classifier, or spill_features's rows), the
 * few of them score.c reads (page_work.kept), and per-line numbers later
 * stages share (page_work.li: repetition, cohesion).
 *
 * One pass over each line gathers its character classes, words, stopwords,
 * garbage cues and topic terms; page-level aggregates follow (topic centroid,
 * line repetition, the longest line); then every segment's vector is filled
 * from the table `FEATURES` below, which is the schema: its names in order
 * are written into every model, and a model trained on another list is
 * refused.  Change the list, bump FEATURE_SCHEMA_VERSION.
 *
 * Cohesion is the cosine between a line's hashed term vector and the page's
 * centroid without that line: the article's lines share its vocabulary, a
 * teaser of another article does not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uscript.h>
#include <xxhash.h>

#include "internal.h"

#define TOPIC_DIM 4096u  /* hashed term vector size, a power of two */

/* What one pass over a line finds. */
typedef struct line_stats {
    uint32_t cp, letters, digits, punct, symbols, upper, cased, controls, others;
    uint32_t words, title_words, stop, seps, mojibake, max_run, urls;
    uint32_t lead_words, lead_title;  /* of the first LEAD_WORDS words */
    float chrome_sum, chrome_max;     /* chrome-word log-odds of its words */
    uint32_t chrome_words, chrome_strong;  /* non-stopwords; those with odds >= 1.5 */
    uint32_t term0, n_terms;  /* topic terms, in page_ctx.terms */
    uint8_t end_punct, blank;
} line_stats;

#define LEAD_WORDS 6

/* A topic term of a line: its hashed dimension and its weight (IDF). */
typedef struct term {
    uint32_t dim;
    float weight;
} term;

typedef struct page_ctx {
    page_work *w;
    line_stats *ls;
    term *terms;
    size_t n_terms, cap_terms;
    float *centroid;
    double centroid_norm2;
    const char *lang;           /* page language code */
    uint64_t lang_seed;         /* its wordtab_lang_seed */
    bool stop_known;
    int32_t main_group;
    double main_group_share;
    size_t total_cp;
    size_t *cp_before;          /* non-space code points before each line */
    size_t longest;             /* index of the longest line */
    uint32_t longest_cp;
    size_t n_content_lines;     /* lines that are not blank */
    uint32_t *core_before;      /* core lines (the article's) before each line */
    long title_line;            /* the first line with terms, or -1 */
    uint32_t n_core;
    uint64_t batch_pages;
    float ngram_rate;           /* words flagged by their trigrams (lang.c) */
    uint8_t *elsewhere;         /* per segment: share of its longer words that
                                   stand elsewhere on the page too, x 255 */
    /* current segment */
    const seg *s;
    size_t si;
    const line_stats *L;
    size_t li;
    uint32_t seg_cp, seg_words, seg_capital;
    uint8_t seg_colon;
} page_ctx;

/* ---- one pass over a line ------------------------------------------- */

static bool is_sentence_end(int32_t cp)
{
    switch (cp) {
    case '.': case '!': case '?': case 0x2026: /* … */
    case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF0E: /* 。！？． */
    case 0x061F: case 0x06D4: /* Arabic ? and full stop */
    case 0x0964: case 0x0965: /* Devanagari danda */
    case 0x0589: case 0x1362: case 0x104B: /* Armenian, Ethiopic, Myanmar */
        return true;
    default:
        return false;
    }
}

/* Separators of menus and breadcrumbs. */
static bool is_separator(int32_t cp)
{
    switch (cp) {
    case '|': case 0x00BB: case 0x00AB: case 0x203A: case 0x2039: case 0x2022:
    case 0x00B7: case '>': case '/': case 0x2192: case 0x25B8: case 0x25BA: case 0x2503:
        return true;
    default:
        return false;
    }
}

/* Characters UTF-8 leaves behind when decoded as cp1252 / Latin-1: the
 * continuation bytes 0x80-0xBF seen through those code pages. */
static bool is_cp1252_tail(int32_t cp)
{
    if (cp >= 0x80 && cp <= 0xBF)
        return true;
    switch (cp) {
    case 0x152: case 0x153: case 0x160: case 0x161: case 0x178: case 0x17D: case 0x17E:
    case 0x192: case 0x2C6: case 0x2DC: case 0x2013: case 0x2014: case 0x2018: case 0x2019:
    case 0x201A: case 0x201C: case 0x201D: case 0x201E: case 0x2020: case 0x2021:
    case 0x2022: case 0x2026: case 0x2030: case 0x2039: case 0x203A: case 0x20AC:
    case 0x2122:
        return true;
    default:
        return false;
    }
}

/* ... and through cp1251 (Cyrillic read as Cyrillic: "РџСЂРёРІРµС‚"). */
static bool is_cp1251_tail(int32_t cp)
{
    return (cp >= 0x402 && cp <= 0x40F) || (cp >= 0x452 && cp <= 0x45F) || cp == 0x490 ||
           cp == 0x491 || (cp >= 0xA0 && cp <= 0xBF) || cp == 0x2116 || is_cp1252_tail(cp);
}

/* Whether the pair (prev, cp) is a typical mojibake bigram: a lead byte of
 * UTF-8 decoded in a legacy code page, followed by a continuation byte
 * decoded the same way. */
static bool is_mojibake_pair(int32_t prev, int32_t cp)
{
    if (prev >= 0xC2 && prev <= 0xEF && is_cp1252_tail(cp))
        return true;                              /* UTF-8 as cp1252/Latin-1 */
    if ((prev == 0x420 || prev == 0x421) && is_cp1251_tail(cp))
        return true;                              /* UTF-8 as cp1251 */
    if (prev >= 0x400 && prev <= 0x4FF && cp >= 0x2500 && cp <= 0x259F)
        return true;                              /* UTF-8 as KOI8-R */
    return false;
}

typedef struct word_acc {
    page_ctx *c;
    line_stats *L;
    const char *lang;
    uint32_t prev_cjk;  /* hash of the previous one-letter word, for bigrams */
    bool has_prev_cjk;
    spill_status st;
} word_acc;

static void add_term(word_acc *a, uint32_t h, float weight)
{
    page_ctx *c = a->c;
    if (a->st)
        return;
    if (c->n_terms == c->cap_terms) {
        size_t cap = c->cap_terms ? c->cap_terms * 2 : 1024;
        term *v = arena_grow(c->w->a, c->terms, c->n_terms, cap, sizeof *v);
        if (!v) {
            a->st = SPILL_E_NOMEM;
            return;
        }
        c->terms = v;
        c->cap_terms = cap;
    }
    c->terms[c->n_terms].dim = h & (TOPIC_DIM - 1);
    c->terms[c->n_terms].weight = weight;
    c->n_terms++;
    a->L->n_terms++;
}

/* One word of a line: its function-word, chrome and topic counts. */
static void on_word(word_acc *a, const word *wd)
{
    const spill_model *m = a->c->w->model;
    uint64_t wh = wd->hash;  /* one hash for every table */
    bool stop = a->lang && wordtab_get_hashed(m->stopwords, a->c->lang_seed, wh, NULL);
    a->L->stop += stop;
    float odds;
    if (!stop && wordtab_get_hashed(m->chrome, 0, wh, &odds)) {
        /* Function words lean to content everywhere; only the others
         * carry the evidence of chrome. */
        a->L->chrome_sum += odds;
        a->L->chrome_strong += odds >= 1.5f;
        if (odds > a->L->chrome_max)
            a->L->chrome_max = odds;
    }
    a->L->chrome_words += !stop;
    uint32_t h = (uint32_t)wh;
    if (wd->flags & WORD_CJK) {
        /* Single ideographs say little about a topic; pairs do. */
        if (a->has_prev_cjk)
            add_term(a, (a->prev_cjk * 31u) ^ h, m->idf_max * 0.5f);
        a->prev_cjk = h;
        a->has_prev_cjk = true;
        return;
    }
    a->has_prev_cjk = false;
    if (stop || wd->len < 2 || (wd->flags & WORD_DIGITS))
        return;
    /* Rare words carry a page's topic: names, terms of the story. */
    float idf;
    add_term(a, h, wordtab_get_hashed(m->idf, 0, wh, &idf) ? idf : m->idf_max);
}

static spill_status scan_line(page_ctx *c, size_t li)
{
    page_work *w = c->w;
    const line *ln = &w->lines[li];
    line_stats *L = &c->ls[li];
    const char *t = w->text;
    int32_t prev = -1, run_cp = -1;
    uint32_t run = 0;
    int32_t last_nonspace = -1;
    bool word_start = true;
    for (uint32_t i = ln->b0; i < ln->b1;) {
        int32_t cp;
        i += (uint32_t)utf8_next(t, i, &cp);
        unsigned cls = utf8_class(cp);
        if (cls & CC_SPACE) {
            word_start = true;
            prev = -1;
            run = 0;
            continue;
        }
        L->cp++;
        last_nonspace = cp;
        if (cls & CC_LETTER) {
            L->letters++;
            if (word_start) {
                bool upper = (cls & CC_UPPER) != 0;
                L->title_words += upper;
                if (L->lead_words < LEAD_WORDS) {
                    L->lead_words++;
                    L->lead_title += upper;
                }
            }
            if (cls & CC_UPPER)
                L->upper++;
            if (cp < 128 || utf8_is_cased(cp))
                L->cased++;
        } else if (cls & CC_DIGIT) {
            L->digits++;
        } else if (cls & CC_PUNCT) {
            L->punct++;
        } else if (cls & CC_SYMBOL) {
            L->symbols++;
        } else if (cls & CC_CONTROL) {
            L->controls++;
        } else if (cls & CC_OTHER) {
            L->others++;
        }
        if (is_separator(cp))
            L->seps++;
        if (prev >= 0 && is_mojibake_pair(prev, cp))
            L->mojibake++;
        if (!(cls & (CC_LETTER | CC_MARK | CC_DIGIT))) {
            run = cp == run_cp ? run + 1 : 1;
            run_cp = cp;
            if (run > L->max_run)
                L->max_run = run;
        } else {
            run = 0;
            run_cp = -1;
        }
        prev = cp;
        word_start = !(cls & (CC_LETTER | CC_MARK | CC_DIGIT)) && cp != '\'' && cp != 0x2019;
    }
    L->blank = L->cp == 0;
    L->end_punct = last_nonspace >= 0 && is_sentence_end(last_nonspace);
    /* URLs and e-mail addresses: "http" or "www." starting, or an '@'
     * between two non-spaces standing, at b0..b1-5. */
    if (ln->b1 > ln->b0 + 4) {
        const char *lo = t + ln->b0, *end = t + ln->b1 - 1;  /* matches end before */
        for (const char *q = lo; (q = memmem(q, (size_t)(end - q), "http", 4)); q += 4)
            L->urls++;
        for (const char *q = lo; (q = memmem(q, (size_t)(end - q), "www.", 4)); q += 4)
            L->urls++;
        const char *at_end = t + ln->b1 - 4;  /* an '@' stands before it */
        for (const char *q = lo + 1; q < at_end && (q = memchr(q, '@', (size_t)(at_end - q)));
             q++)
            L->urls += q[-1] != ' ' && q[1] != ' ';
    }
    word_acc acc = {.c = c, .L = L, .lang = c->stop_known ? c->lang : NULL};
    L->term0 = (uint32_t)c->n_terms;
    const word_table *wt = &w->words;
    for (uint32_t i = wt->line_first[li]; i < wt->line_first[li + 1]; i++)
        on_word(&acc, &wt->w[i]);
    L->words = wt->line_first[li + 1] - wt->line_first[li];
    return acc.st;
}

/* ---- repetition ------------------------------------------------------ */

uint64_t features_line_hash(const word_table *t, size_t line, uint32_t *norm_len)
{
    /* The line's words, case folded, numbers as one token: a hash of their
     * hashes.  Punctuation and spacing do not count. */
    enum { CHUNK = 32 };
    uint64_t buf[CHUNK], h = 0;
    size_t n = 0;
    uint32_t kept = 0;
    for (uint32_t i = t->line_first[line]; i < t->line_first[line + 1]; i++) {
        const word *w = &t->w[i];
        buf[n++] = (w->flags & WORD_DIGITS) ? 0x30 : w->hash;
        kept += w->len;
        if (n == CHUNK) {
            h = XXH3_64bits_withSeed(buf, sizeof buf, h);
            n = 0;
        }
    }
    if (n)
        h = XXH3_64bits_withSeed(buf, n * sizeof *buf, h);
    if (norm_len)
        *norm_len = kept;
    if (!kept)
        return 0;
    return h ? h : 1;
}

/* Marks every line with the first line of the same text and the count. */
static spill_status find_repeats(page_ctx *c)
{
    page_work *w = c->w;
    size_t n = w->n_lines, cap = 16;
    while (cap < n * 2)
        cap *= 2;
    uint32_t *slot = arena_alloc(w->a, cap * sizeof *slot);
    uint32_t *last = arena_alloc(w->a, (n ? n : 1) * sizeof *last);
    if (!slot || !last)
        return SPILL_E_NOMEM;
    memset(slot, 0xFF, cap * sizeof *slot);
    for (size_t i = 0; i < n; i++) {
        line_info *li = &w->li[i];
        li->first_same = li->prev_same = (uint32_t)i;
        li->same_count = 1;
        li->hash = features_line_hash(&w->words, i, &li->norm_len);
        if (!li->hash)
            continue;
        size_t k = (size_t)li->hash & (cap - 1);
        while (slot[k] != UINT32_MAX && w->li[slot[k]].hash != li->hash)
            k = (k + 1) & (cap - 1);
        if (slot[k] == UINT32_MAX) {
            slot[k] = (uint32_t)i;
        } else {
            /* slot[k] stays the first line; last[first] the latest copy. */
            li->first_same = slot[k];
            w->li[slot[k]].same_count++;
            li->prev_same = last[slot[k]];
        }
        last[li->first_same] = (uint32_t)i;
    }
    for (size_t i = 0; i < n; i++)
        w->li[i].same_count = w->li[w->li[i].first_same].same_count;
    return SPILL_OK;
}

/* ---- topic cohesion -------------------------------------------------- */

static int cmp_term(const void *a, const void *b)
{
    uint32_t x = ((const term *)a)->dim, y = ((const term *)b)->dim;
    return (x > y) - (x < y);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* dot(v, C) of a line's weighted terms (sorted by dimension, repeats
 * adding up) with a dense centroid, and |v|^2. */
static void line_dot(const term *t, uint32_t n, const float *C, double *dot, double *n2)
{
    *dot = *n2 = 0;
    for (uint32_t k = 0; k < n;) {
        uint32_t j = k;
        double wsum = 0;
        while (j < n && t[j].dim == t[k].dim)
            wsum += t[j++].weight;
        *dot += wsum * C[t[k].dim];
        *n2 += wsum * wsum;
        k = j;
    }
}

/* Adds scale * v / |v| of a line to the centroid. */
static void add_unit(float *C, const term *t, uint32_t n, double norm, double scale)
{
    for (uint32_t k = 0; k < n; k++)
        C[t[k].dim] += (float)(scale * t[k].weight / norm);
}

/* The cosine of a line (unit vector u, norm `norm` of its term vector) with
 * the centroid C (squared norm cn) less the line's own vote a·u; 0 when
 * negative. */
static float cosine_without(const term *t, uint32_t n, double norm, const float *C, double cn,
                            double a)
{
    if (!n)
        return 0.0f;
    double dot, n2;
    line_dot(t, n, C, &dot, &n2);
    double d = dot / norm;               /* u . C */
    double rest2 = cn - 2 * a * d + a * a; /* |C - a u|^2 */
    double cos = rest2 > 1e-9 ? (d - a) / sqrt(rest2) : 0;
    return cos > 0 ? (float)cos : 0.0f;
}

static double norm2_of(const float *C)
{
    double s = 0;
    for (size_t d = 0; d < TOPIC_DIM; d++)
        s += (double)C[d] * C[d];
    return s;
}

/* Terms are weighted by their inverse document frequency over the training
 * pages, so the words that make a story its own count most.
 * Two passes.  First every line with terms gets one vote (its unit vector)
 * and cohesion is the cosine with the sum of the other votes.  Then the
 * votes are weighted by that first cohesion, so the lines that agree with
 * the page - the article - define its topic, and `topic` is the cosine with
 * that weighted centroid without the line.  A long teaser of another story
 * weighs no more than one paragraph, and agrees with few lines. */
static spill_status cohesion(page_ctx *c)
{
    page_work *w = c->w;
    size_t n = w->n_lines;
    float *C = arena_zalloc(w->a, TOPIC_DIM, sizeof *C);
    double *norm = arena_alloc(w->a, (n ? n : 1) * sizeof *norm);
    if (!C || !norm)
        return SPILL_E_NOMEM;
    for (size_t li = 0; li < n; li++) {
        line_stats *L = &c->ls[li];
        term *t = c->terms + L->term0;
        if (L->n_terms > 32) {
            qsort(t, L->n_terms, sizeof *t, cmp_term);
        } else {
            /* Most lines have a few terms: insertion sort, no calls. */
            for (uint32_t x = 1; x < L->n_terms; x++) {
                term v = t[x];
                uint32_t y = x;
                while (y > 0 && t[y - 1].dim > v.dim) {
                    t[y] = t[y - 1];
                    y--;
                }
                t[y] = v;
            }
        }
        double dot, n2;
        line_dot(t, L->n_terms, C, &dot, &n2);
        norm[li] = sqrt(n2);
        if (L->n_terms)
            add_unit(C, t, L->n_terms, norm[li], 1.0);
    }
    double cn = norm2_of(C);
    for (size_t li = 0; li < n; li++) {
        const line_stats *L = &c->ls[li];
        w->li[li].cohesion = cosine_without(c->terms + L->term0, L->n_terms, norm[li], C, cn, 1.0);
    }
    float *C2 = arena_zalloc(w->a, TOPIC_DIM, sizeof *C2);
    if (!C2)
        return SPILL_E_NOMEM;
    for (size_t li = 0; li < n; li++)
        if (c->ls[li].n_terms && w->li[li].cohesion > 0)
            add_unit(C2, c->terms + c->ls[li].term0, c->ls[li].n_terms, norm[li],
                     w->li[li].cohesion);
    double cn2 = norm2_of(C2);
    for (size_t li = 0; li < n; li++) {
        const line_stats *L = &c->ls[li];
        w->li[li].topic = cosine_without(c->terms + L->term0, L->n_terms, norm[li], C2, cn2,
                                         w->li[li].cohesion);
    }
    return SPILL_OK;
}

/* The article's core: lines of 8 words or more whose topic is at least the
 * median of such lines.  Counts the core lines before each line, so spillover
 * after the article, or chrome before it, can tell where it stands. */
static spill_status find_core(page_ctx *c)
{
    page_work *w = c->w;
    size_t n = w->n_lines, k = 0;
    float *t = arena_alloc(w->a, (n ? n : 1) * sizeof *t);
    c->core_before = arena_alloc(w->a, (n + 1) * sizeof *c->core_before);
    if (!t || !c->core_before)
        return SPILL_E_NOMEM;
    for (size_t li = 0; li < n; li++)
        if (c->ls[li].words >= 8)
            t[k++] = w->li[li].topic;
    float median = 0;
    if (k) {
        qsort(t, k, sizeof *t, cmp_float);
        median = t[k / 2];
    }
    uint32_t seen = 0;
    for (size_t li = 0; li < n; li++) {
        c->core_before[li] = seen;
        seen += c->ls[li].words >= 8 && w->li[li].topic >= median && k;
    }
    c->core_before[n] = seen;
    c->n_core = seen;
    return SPILL_OK;
}

/* ---- words of another language ----------------------------------------- */

/* For the segments with words flagged by their trigrams (lang.c), the share
 * of their longer words that occur on the page outside the segment: a
 * name recurs through an article, a stray word of another language stands
 * once.  And the page's rate of flagged words, which says how well the
 * trigram table knows its language. */
static spill_status find_elsewhere(page_ctx *c)
{
    page_work *w = c->w;
    const word_table *t = &w->words;
    size_t ns = w->scripts.n_segs, words = 0, flagged = 0, cand = 0;
    c->elsewhere = arena_zalloc(w->a, ns ? ns : 1, 1);
    if (!c->elsewhere)
        return SPILL_E_NOMEM;
    for (size_t s = 0; s < ns; s++) {
        const seg *g = &w->scripts.segs[s];
        words += g->words;
        flagged += g->nflag;
        cand += g->nflag ? g->words : 0;
    }
    c->ngram_rate = words ? (float)flagged / (float)words : 0.0f;
    if (!cand)
        return SPILL_OK;
    /* Page counts of the candidates' words: a small table of their hashes,
     * then one pass over every word of the page.  Segments and words are
     * both in text order: one cursor walks the words of each segment. */
    size_t cap = 16;
    while (cap < cand * 2)
        cap *= 2;
    uint64_t *key = arena_zalloc(w->a, cap, sizeof *key);
    uint32_t *count = arena_zalloc(w->a, cap, sizeof *count);
    uint32_t *inside = arena_zalloc(w->a, cap, sizeof *inside);
    if (!key || !count || !inside)
        return SPILL_E_NOMEM;
    enum { MIN_LEN = 4 };
    size_t at = 0;
    for (size_t s = 0; s < ns; s++) {
        const seg *g = &w->scripts.segs[s];
        while (at < t->n && t->w[at].b0 < g->b0)
            at++;
        for (size_t i = at; g->nflag && i < t->n && t->w[i].b0 < g->b1; i++) {
            if (t->w[i].len < MIN_LEN)
                continue;
            size_t k = hash_slot(key, cap - 1, t->w[i].hash);
            key[k] = t->w[i].hash;
        }
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->w[i].len >= MIN_LEN) {
            size_t k = hash_slot(key, cap - 1, t->w[i].hash);
            count[k] += key[k] == t->w[i].hash;
        }
    at = 0;
    for (size_t s = 0; s < ns; s++) {
        const seg *g = &w->scripts.segs[s];
        while (at < t->n && t->w[at].b0 < g->b0)
            at++;
        if (!g->nflag)
            continue;
        size_t end = at;
        while (end < t->n && t->w[end].b0 < g->b1)
            end++;
        /* A word counted on the page more often than in the segment occurs
         * elsewhere. */
        for (size_t i = at; i < end; i++)
            if (t->w[i].len >= MIN_LEN)
                inside[hash_slot(key, cap - 1, t->w[i].hash)]++;
        uint32_t n = 0, out = 0;
        for (size_t i = at; i < end; i++)
            if (t->w[i].len >= MIN_LEN) {
                size_t k = hash_slot(key, cap - 1, t->w[i].hash);
                n++;
                out += count[k] > inside[k];
            }
        for (size_t i = at; i < end; i++)
            if (t->w[i].len >= MIN_LEN)
                inside[hash_slot(key, cap - 1, t->w[i].hash)] = 0;
        c->elsewhere[s] = (uint8_t)(n ? (255 * out + n / 2) / n : 0);
    }
    return SPILL_OK;
}

/* ---- the schema ------------------------------------------------------ */

typedef float (*feature_fn)(const page_ctx *c);

static float ratio(double a, double b)
{
    return b > 0 ? (float)(a / b) : 0.0f;
}

static float lg(double x)
{
    return (float)log1p(x);
}

/* The nearest line before (dir -1) or after (+1) li that is not blank. */
static const line_stats *neighbour(const page_ctx *c, size_t li, int dir, size_t *at)
{
    size_t n = c->w->n_lines;
    for (size_t k = li;;) {
        if (dir < 0 && k == 0)
            return NULL;
        k = dir < 0 ? k - 1 : k + 1;
        if (k >= n)
            return NULL;
        if (!c->ls[k].blank) {
            if (at)
                *at = k;
            return &c->ls[k];
        }
    }
}

static float line_stop_ratio(const line_stats *L)
{
    return ratio(L->stop, L->words);
}

static float f_len(const page_ctx *c) { return lg(c->L->cp); }
static float f_words(const page_ctx *c) { return lg(c->L->words); }
static float f_word_len(const page_ctx *c)
{
    float v = ratio(c->L->letters, c->L->words);
    return v > 20 ? 20 : v;
}
static float f_letters(const page_ctx *c) { return ratio(c->L->letters, c->L->cp); }
static float f_digits(const page_ctx *c) { return ratio(c->L->digits, c->L->cp); }
static float f_punct(const page_ctx *c) { return ratio(c->L->punct, c->L->cp); }
static float f_symbols(const page_ctx *c) { return ratio(c->L->symbols, c->L->cp); }
static float f_upper(const page_ctx *c) { return ratio(c->L->upper, c->L->cased); }
static float f_title(const page_ctx *c) { return ratio(c->L->title_words, c->L->words); }
static float f_end_punct(const page_ctx *c) { return c->L->end_punct; }
static float f_stop(const page_ctx *c) { return line_stop_ratio(c->L); }
static float f_stop_known(const page_ctx *c) { return c->stop_known; }
static float f_seps(const page_ctx *c) { return lg(c->L->seps); }
static float f_seps_per_word(const page_ctx *c) { return ratio(c->L->seps, c->L->words + 1); }
static float f_urls(const page_ctx *c) { return c->L->urls > 0; }
static float f_pos(const page_ctx *c) { return ratio(c->li, c->w->n_lines); }
static float f_char_pos(const page_ctx *c)
{
    return ratio(c->cp_before[c->li] + c->L->cp / 2.0, c->total_cp);
}
static float f_page_lines(const page_ctx *c) { return lg(c->n_content_lines); }
static float f_page_len(const page_ctx *c) { return lg(c->total_cp); }
static float f_rep_page(const page_ctx *c) { return lg(c->w->li[c->li].same_count - 1); }
static float f_rep_first(const page_ctx *c)
{
    return c->w->li[c->li].first_same == c->li;
}
static float f_rep_batch(const page_ctx *c)
{
    /* Other pages of the batch holding this line (the page itself is in
     * the counts when they were made from the same input). */
    const spill_hints *h = c->w->hints;
    uint64_t hash = c->w->li[c->li].batch_hash;
    if (!h || !h->batch || !hash)
        return 0.0f;
    uint32_t n = linestats_count(h->batch, hash);
    return lg(n > 1 ? n - 1 : 0);
}
static float f_cohesion(const page_ctx *c) { return c->w->li[c->li].cohesion; }
static float f_topic(const page_ctx *c) { return c->w->li[c->li].topic; }
static float f_core_before(const page_ctx *c)
{
    return ratio(c->core_before[c->li], c->n_core);
}
static float f_core_after(const page_ctx *c)
{
    return ratio(c->n_core - c->core_before[c->li + 1], c->n_core);
}
static float line_chrome(const line_stats *L)
{
    return ratio(L->chrome_sum, L->chrome_words);
}
static float f_chrome(const page_ctx *c) { return line_chrome(c->L); }
static float f_chrome_max(const page_ctx *c) { return c->L->chrome_max; }
static float f_chrome_strong(const page_ctx *c) { return lg(c->L->chrome_strong); }
static float f_prev_chrome(const page_ctx *c)
{
    const line_stats *n = neighbour(c, c->li, -1, NULL);
    return n ? line_chrome(n) : 0;
}
static bool is_header(const line_stats *n)
{
    return n && n->letters && n->words <= 4 && !n->end_punct;
}
static float f_prev_header(const page_ctx *c)
{
    /* A short line without a full stop just before: "Related posts". */
    return is_header(neighbour(c, c->li, -1, NULL));
}
static float f_next_header(const page_ctx *c)
{
    /* ... and just after: what stands before "Related posts" ends the
     * page's own part (an article's last line, a credit line); the block of
     * other pages' teasers starts after it. */
    return is_header(neighbour(c, c->li, +1, NULL));
}
static float f_header_after_core(const page_ctx *c)
{
    /* Right after a short header that follows the article's last core line:
     * where "Related posts" blocks start. */
    return f_prev_header(c) > 0 && c->n_core && c->core_before[c->li] == c->n_core;
}
/* Share of the line's distinct terms that the page's first line (the
 * <title> of a scraped page) has too: the page's own headline restates it,
 * a teaser of another story does not. */
static float f_title_overlap(const page_ctx *c)
{
    const line_stats *L = c->L;
    if (!L->n_terms || c->title_line < 0 || (size_t)c->title_line == c->li)
        return 0;
    const line_stats *T = &c->ls[c->title_line];
    const term *a = c->terms + L->term0, *b = c->terms + T->term0;
    uint32_t i = 0, j = 0, shared = 0, distinct = 0;
    while (i < L->n_terms) {
        uint32_t d = a[i].dim;
        distinct++;
        while (j < T->n_terms && b[j].dim < d)
            j++;
        shared += j < T->n_terms && b[j].dim == d;
        while (i < L->n_terms && a[i].dim == d)
            i++;
    }
    return ratio(shared, distinct);
}
static float f_lead_title(const page_ctx *c) { return ratio(c->L->lead_title, c->L->lead_words); }
static float f_has_terms(const page_ctx *c) { return c->L->n_terms > 0; }
static float f_longest_rel(const page_ctx *c) { return ratio(c->L->cp, c->longest_cp); }
static float f_from_longest(const page_ctx *c)
{
    return ratio((double)c->li - (double)c->longest, c->w->n_lines);
}
static float f_prev_len(const page_ctx *c)
{
    const line_stats *n = neighbour(c, c->li, -1, NULL);
    return n ? lg(n->cp) : 0;
}
static float f_next_len(const page_ctx *c)
{
    const line_stats *n = neighbour(c, c->li, 1, NULL);
    return n ? lg(n->cp) : 0;
}
static float f_prev_stop(const page_ctx *c)
{
    const line_stats *n = neighbour(c, c->li, -1, NULL);
    return n ? line_stop_ratio(n) : 0;
}
static float f_next_stop(const page_ctx *c)
{
    const line_stats *n = neighbour(c, c->li, 1, NULL);
    return n ? line_stop_ratio(n) : 0;
}
static float f_prev_punct(const page_ctx *c)
{
    const line_stats *n = neighbour(c, c->li, -1, NULL);
    return n ? n->end_punct : 0;
}
static float f_next_punct(const page_ctx *c)
{
    const line_stats *n = neighbour(c, c->li, 1, NULL);
    return n ? n->end_punct : 0;
}
/* Mean topic of up to three lines with terms before (dir -1) or after. */
static float topic_window(const page_ctx *c, int dir)
{
    double sum = 0;
    int k = 0;
    size_t at = c->li;
    while (k < 3) {
        if (!neighbour(c, at, dir, &at))
            break;
        if (!c->ls[at].n_terms)
            continue;
        sum += c->w->li[at].topic;
        k++;
    }
    return k ? (float)(sum / k) : 0;
}
static float f_topic_before(const page_ctx *c) { return topic_window(c, -1); }
static float f_topic_after(const page_ctx *c) { return topic_window(c, 1); }

/* Mean of a per-line quantity over up to three lines on each side. */
static float window(const page_ctx *c, float (*q)(const line_stats *))
{
    double sum = 0;
    int n = 0;
    size_t at = c->li;
    for (int k = 0; k < 3; k++) {
        const line_stats *L = neighbour(c, at, -1, &at);
        if (!L)
            break;
        sum += q(L);
        n++;
    }
    at = c->li;
    for (int k = 0; k < 3; k++) {
        const line_stats *L = neighbour(c, at, 1, &at);
        if (!L)
            break;
        sum += q(L);
        n++;
    }
    return n ? (float)(sum / n) : 0;
}
static float q_len(const line_stats *L) { return lg(L->cp); }
static float q_punct(const line_stats *L) { return L->end_punct; }
static float f_win_len(const page_ctx *c) { return window(c, q_len); }
static float f_win_punct(const page_ctx *c) { return window(c, q_punct); }
static float f_win_stop(const page_ctx *c) { return window(c, line_stop_ratio); }
static float f_mojibake(const page_ctx *c) { return ratio(c->L->mojibake, c->L->cp); }
static float f_mojibake_n(const page_ctx *c) { return lg(c->L->mojibake); }
static float f_controls(const page_ctx *c) { return ratio(c->L->controls, c->L->cp); }
static float f_others(const page_ctx *c) { return ratio(c->L->others, c->L->cp); }
static float f_max_run(const page_ctx *c) { return lg(c->L->max_run); }
static float f_seg_share(const page_ctx *c) { return ratio(c->seg_cp, c->L->cp); }
static float f_seg_len(const page_ctx *c) { return lg(c->seg_cp); }
static float f_seg_words(const page_ctx *c) { return lg(c->seg_words); }
static float f_seg_script_other(const page_ctx *c)
{
    return c->s->script >= 0 && script_group(c->s->script) != c->main_group;
}
static float f_seg_script_rarity(const page_ctx *c)
{
    /* Share of the page's letters NOT in this segment's script group. */
    const script_result *sr = &c->w->scripts;
    if (c->s->script < 0 || !sr->letters)
        return 0;
    size_t same = 0;
    int32_t g = script_group(c->s->script);
    for (size_t i = 0; i < sr->n_counts; i++)
        if (script_group(sr->counts[i].script) == g)
            same += sr->counts[i].letters;
    return 1.0f - ratio(same, sr->letters);
}
static float f_page_mixed(const page_ctx *c) { return 1.0f - (float)c->main_group_share; }
/* Latin text inside a page of another script is mostly content (names,
 * brands, English terms in a Chinese page); text of another script inside
 * a Latin page mostly is not: which side a segment is on. */
static float f_seg_script_latin(const page_ctx *c) { return c->s->script == USCRIPT_LATIN; }
static float f_page_script_latin(const page_ctx *c) { return c->main_group == USCRIPT_LATIN; }
static float f_seg_lang_other(const page_ctx *c)
{
    return c->s->letters && strcmp(lang_code(c->s->lang), "und") &&
           c->s->lang != c->w->langs.lang;
}
static float f_seg_lang_reliable(const page_ctx *c) { return c->s->lang_reliable; }
static float f_page_lang_conf(const page_ctx *c) { return (float)c->w->langs.conf; }
static float f_seg_is_line(const page_ctx *c)
{
    return (c->s->flags & (SEG_LINE_START | SEG_LINE_END)) == (SEG_LINE_START | SEG_LINE_END);
}
static float f_seg_at_start(const page_ctx *c)
{
    return (c->s->flags & (SEG_LINE_START | SEG_LINE_END)) == SEG_LINE_START;
}
static float f_seg_at_end(const page_ctx *c)
{
    return (c->s->flags & (SEG_LINE_START | SEG_LINE_END)) == SEG_LINE_END;
}
static float f_seg_colon(const page_ctx *c) { return c->seg_colon; }
static float f_seg_fstop(const page_ctx *c) { return ratio(c->s->fstop, c->s->words); }
static float f_seg_fstop_n(const page_ctx *c) { return lg(c->s->fstop); }
static float f_seg_pstop(const page_ctx *c) { return ratio(c->s->pstop, c->s->words); }
static float f_seg_capital(const page_ctx *c) { return ratio(c->seg_capital, c->seg_words); }
static float f_seg_wordlang(const page_ctx *c) { return c->s->wlang >= 0; }
static float f_seg_ngram_margin(const page_ctx *c)
{
    return ratio(c->s->nmargin, c->s->nscored);
}
static float f_seg_ngram_flagged(const page_ctx *c) { return ratio(c->s->nflag, c->s->words); }
static float f_seg_known(const page_ctx *c) { return ratio(c->s->nknown, c->s->words); }
static float f_seg_ngram_run(const page_ctx *c) { return (c->s->flags & SEG_RUN_NGRAM) != 0; }
static float f_page_ngram_rate(const page_ctx *c) { return c->ngram_rate; }
static float f_seg_elsewhere(const page_ctx *c) { return c->elsewhere[c->si] / 255.0f; }
/* Whether the nearest line before (after) with words is one of the
 * article's core lines: an attribution after the last paragraph follows
 * one, like the paragraphs themselves. */
static float near_core(const page_ctx *c, int dir)
{
    size_t at = c->li;
    for (;;) {
        if (!neighbour(c, at, dir, &at))
            return 0;
        if (c->ls[at].words)
            return c->core_before[at + 1] > c->core_before[at];
    }
}
static float f_prev_core(const page_ctx *c) { return near_core(c, -1); }
static float f_next_core(const page_ctx *c) { return near_core(c, 1); }
/* Between the article's last paragraph and a header: a credit line
 * ("Reporting by AFP contributed."), not the first of other pages' teasers,
 * which come after the header. */
static float f_closes_core(const page_ctx *c)
{
    return near_core(c, -1) > 0 && f_next_header(c) > 0;
}

static const struct {
    const char *name;
    feature_fn fn;
    int kept;  /* its enum kept_feature, 0 if score.c does not read it */
} FEATURES[] = {
    {"len", f_len, 0},
    {"words", f_words, KEPT_WORDS},
    {"word_len", f_word_len, 0},
    {"letters", f_letters, 0},
    {"digits", f_digits, 0},
    {"punct", f_punct, 0},
    {"symbols", f_symbols, KEPT_SYMBOLS},
    {"upper", f_upper, 0},
    {"title_words", f_title, 0},
    {"end_punct", f_end_punct, KEPT_END_PUNCT},
    {"stopwords", f_stop, KEPT_STOPWORDS},
    {"stop_known", f_stop_known, 0},
    {"separators", f_seps, KEPT_SEPARATORS},
    {"separators_per_word", f_seps_per_word, 0},
    {"urls", f_urls, KEPT_URLS},
    {"line_pos", f_pos, 0},
    {"char_pos", f_char_pos, 0},
    {"page_lines", f_page_lines, 0},
    {"page_len", f_page_len, 0},
    {"repeat_page", f_rep_page, 0},
    {"repeat_first", f_rep_first, 0},
    {"repeat_batch", f_rep_batch, KEPT_REPEAT_BATCH},
    {"cohesion", f_cohesion, KEPT_COHESION},
    {"topic", f_topic, 0},
    {"topic_before", f_topic_before, 0},
    {"topic_after", f_topic_after, 0},
    {"core_before", f_core_before, 0},
    {"core_after", f_core_after, 0},
    {"chrome", f_chrome, 0},
    {"chrome_max", f_chrome_max, 0},
    {"chrome_strong", f_chrome_strong, 0},
    {"prev_chrome", f_prev_chrome, 0},
    {"prev_header", f_prev_header, 0},
    {"header_after_core", f_header_after_core, 0},
    {"next_header", f_next_header, 0},
    {"lead_title", f_lead_title, 0},
    {"title_overlap", f_title_overlap, 0},
    {"has_terms", f_has_terms, 0},
    {"longest_rel", f_longest_rel, 0},
    {"from_longest", f_from_longest, 0},
    {"prev_len", f_prev_len, 0},
    {"next_len", f_next_len, 0},
    {"prev_stopwords", f_prev_stop, 0},
    {"next_stopwords", f_next_stop, 0},
    {"prev_end_punct", f_prev_punct, 0},
    {"next_end_punct", f_next_punct, 0},
    {"window_len", f_win_len, KEPT_WINDOW_LEN},
    {"window_end_punct", f_win_punct, 0},
    {"window_stopwords", f_win_stop, 0},
    {"mojibake", f_mojibake, KEPT_MOJIBAKE},
    {"mojibake_pairs", f_mojibake_n, 0},
    {"controls", f_controls, KEPT_CONTROLS},
    {"other_chars", f_others, KEPT_OTHER_CHARS},
    {"symbol_run", f_max_run, KEPT_SYMBOL_RUN},
    {"seg_share", f_seg_share, 0},
    {"seg_len", f_seg_len, 0},
    {"seg_words", f_seg_words, KEPT_SEG_WORDS},
    {"seg_script_other", f_seg_script_other, 0},
    {"seg_script_rarity", f_seg_script_rarity, 0},
    {"page_script_mixed", f_page_mixed, 0},
    {"seg_script_latin", f_seg_script_latin, 0},
    {"page_script_latin", f_page_script_latin, 0},
    {"seg_lang_other", f_seg_lang_other, 0},
    {"seg_lang_reliable", f_seg_lang_reliable, 0},
    {"page_lang_conf", f_page_lang_conf, 0},
    {"seg_is_line", f_seg_is_line, 0},
    {"seg_at_line_start", f_seg_at_start, 0},
    {"seg_at_line_end", f_seg_at_end, 0},
    {"seg_ends_colon", f_seg_colon, KEPT_SEG_ENDS_COLON},
    {"seg_foreign_stopwords", f_seg_fstop, 0},
    {"seg_foreign_stopwords_n", f_seg_fstop_n, 0},
    {"seg_page_stopwords", f_seg_pstop, 0},
    {"seg_capitalised", f_seg_capital, 0},
    {"seg_function_word_run", f_seg_wordlang, 0},
    {"prev_core", f_prev_core, 0},
    {"next_core", f_next_core, 0},
    {"closes_core", f_closes_core, 0},
    {"seg_ngram_margin", f_seg_ngram_margin, 0},
    {"seg_ngram_flagged", f_seg_ngram_flagged, 0},
    {"seg_known_words", f_seg_known, 0},
    {"seg_ngram_run", f_seg_ngram_run, 0},
    {"page_ngram_rate", f_page_ngram_rate, 0},
    {"seg_words_elsewhere", f_seg_elsewhere, 0},
};

#define N_FEATURES (sizeof FEATURES / sizeof FEATURES[0])
_Static_assert(N_FEATURES <= FEATURES_MAX, "FEATURES_MAX is too small");
/* Segments whose vectors are computed, and handed on, together. */
#define FEATURE_BLOCK 256

size_t features_count(void)
{
    return N_FEATURES;
}

const char *features_name(size_t i)
{
    return i < N_FEATURES ? FEATURES[i].name : NULL;
}

int features_index(const char *name)
{
    for (size_t i = 0; i < N_FEATURES; i++)
        if (!strcmp(FEATURES[i].name, name))
            return (int)i;
    return -1;
}

/* ---- driver ---------------------------------------------------------- */

spill_status features_compute(page_work *w, features_sink sink, void *user)
{
    page_ctx c = {.w = w};
    spill_status st;
    size_t n = w->n_lines;
    c.ls = arena_zalloc(w->a, n ? n : 1, sizeof *c.ls);
    c.cp_before = arena_zalloc(w->a, n + 1, sizeof *c.cp_before);
    w->li = arena_zalloc(w->a, n ? n : 1, sizeof *w->li);
    if (!c.ls || !c.cp_before || !w->li)
        return SPILL_E_NOMEM;

    c.lang = lang_code(w->langs.lang);
    c.stop_known = wordtab_knows(w->model->stopwords, c.lang);
    c.lang_seed = wordtab_lang_seed(c.lang);
    c.main_group = script_group(w->scripts.main_script);
    {
        size_t same = 0;
        for (size_t i = 0; i < w->scripts.n_counts; i++)
            if (script_group(w->scripts.counts[i].script) == c.main_group)
                same += w->scripts.counts[i].letters;
        c.main_group_share = w->scripts.letters ? (double)same / w->scripts.letters : 1.0;
    }

    for (size_t i = 0; i < n; i++) {
        if ((st = scan_line(&c, i)))
            return st;
        c.cp_before[i + 1] = c.cp_before[i] + c.ls[i].cp;
        if (!c.ls[i].blank)
            c.n_content_lines++;
        if (c.ls[i].cp > c.longest_cp) {
            c.longest_cp = c.ls[i].cp;
            c.longest = i;
        }
        w->li[i].cp = c.ls[i].cp;
        w->li[i].words = c.ls[i].words;
        w->li[i].letters = c.ls[i].letters;
        if (w->hints && w->hints->batch)
            w->li[i].batch_hash = linestats_line_hash(w->text, w->lines[i].b0, w->lines[i].b1);
    }
    c.total_cp = c.cp_before[n];
    c.title_line = -1;
    for (size_t i = 0; i < n && c.title_line < 0; i++)
        if (c.ls[i].n_terms)
            c.title_line = (long)i;
    if ((st = find_repeats(&c)) || (st = cohesion(&c)) || (st = find_core(&c)) ||
        (st = find_elsewhere(&c)))
        return st;

    size_t nf = N_FEATURES, ns = w->scripts.n_segs;
    float *block = arena_alloc(w->a, (ns && ns < FEATURE_BLOCK ? ns : FEATURE_BLOCK) * nf *
                                         sizeof *block);
    w->kept = arena_alloc(w->a, (ns ? ns : 1) * KEPT_COUNT * sizeof *w->kept);
    if (!block || !w->kept)
        return SPILL_E_NOMEM;
    size_t word_at = 0;
    for (size_t si = 0; si < ns; si++) {
        const seg *s = &w->scripts.segs[si];  /* its cp is filled below */
        c.s = s;
        c.si = si;
        c.li = s->line;
        c.L = &c.ls[s->line];
        c.seg_cp = 0;
        c.seg_colon = 0;
        int32_t last = -1;
        for (uint32_t i = s->b0; i < s->b1;) {
            int32_t cp;
            i += (uint32_t)utf8_next(w->text, i, &cp);
            if (!(utf8_class(cp) & CC_SPACE)) {
                c.seg_cp++;
                last = cp;
            }
        }
        c.seg_colon = last == ':' || last == 0xFF1A;
        w->scripts.segs[si].cp = c.seg_cp;
        /* Its words: those starting inside it (segments and words are both
         * in text order). */
        const word_table *wt = &w->words;
        c.seg_words = c.seg_capital = 0;
        while (word_at < wt->n && wt->w[word_at].b0 < s->b0)
            word_at++;
        for (size_t i = word_at; i < wt->n && wt->w[i].b0 < s->b1; i++) {
            c.seg_words++;
            c.seg_capital += (wt->w[i].flags & WORD_CAPITAL) != 0;
        }
        size_t in_block = si % FEATURE_BLOCK;
        float *v = block + in_block * nf, *kept = w->kept + si * KEPT_COUNT;
        for (size_t f = 0; f < nf; f++) {
            float x = FEATURES[f].fn(&c);
            v[f] = isfinite(x) ? x : 0.0f;
            if (FEATURES[f].kept)
                kept[FEATURES[f].kept - 1] = v[f];
        }
        if (in_block + 1 == FEATURE_BLOCK || si + 1 == ns)
            if ((st = sink(w, si - in_block, in_block + 1, block, user)))
                return st;
    }
    return SPILL_OK;
}
