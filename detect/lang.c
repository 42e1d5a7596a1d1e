/*
 * lang.c - language identification, CLD2 through cld2_shim.
 *
 * Input: the page's text and its script runs.  Output: the page's language
 * with a confidence, a language per segment, and the language mix.
 *
 * CLD2 runs once over the whole page and returns chunks: byte ranges in one
 * language.  A segment takes the language of the chunks it overlaps most
 * (chunks CLD2 could not call are ignored); a segment that holds the start of
 * a chunk in another language is cut there, at a word start, so a sentence of
 * German inside an English line becomes a segment of its own.  A segment in
 * another script group than the page's is asked of CLD2 alone: a handful of
 * Cyrillic letters in an English page is a chunk CLD2 will not call.  Nothing
 * else asks CLD2 per line, which keeps the cost near one CLD2 pass.
 *
 * CLD2 ranks languages by bytes: when a language of the page's main script
 * has clearly more letters than CLD2's choice, written in another script,
 * it is the page's language (pick_by_letters).
 *
 * CLD2 cannot see a few words of another language in the same script.  Two
 * kinds of evidence can: function words of another language (the model's
 * stopword tables), and letters - a word that is no known word of the
 * page's language (vocab.tsv) and whose trigrams are clearly likelier in
 * another language (ngrams.tsv, ngram.c).  A run of such words becomes a
 * segment of its own, in the language of its evidence, for the classifier
 * to judge; every segment carries its counts of each kind of word.
 */
#include <string.h>

#include "cld2_shim.h"
#include "internal.h"

const char *lang_code(uint16_t lang)
{
    const char *c = cld2_lang_code(lang);
    if (!c[0] || !strcmp(c, "un") || !strcmp(c, "xxx") || !strncmp(c, "xx-", 3) ||
        !strncmp(c, "zz", 2))
        return "und";
    if (!strcmp(c, "iw"))
        return "he";
    if (!strcmp(c, "jw"))
        return "jv";
    if (!strcmp(c, "zh-Hant"))
        return "zh";
    if (!strcmp(c, "sr-ME"))
        return "sr";
    return c;
}

const char *lang_name(uint16_t lang, char *buf, size_t cap)
{
    /* CLD2 spells names in capitals ("ENGLISH", "SCOTS_GAELIC"). */
    const char *n = cld2_lang_name(lang);
    size_t i = 0;
    for (; n[i] && i + 1 < cap; i++) {
        char ch = n[i] == '_' ? ' ' : n[i];
        if (ch >= 'A' && ch <= 'Z' && i > 0 && buf[i - 1] != ' ')
            ch = (char)(ch + 32);
        buf[i] = ch;
    }
    buf[i] = 0;
    return buf;
}

/* lang_code(lang) != "und", without its string comparisons: this runs for
 * every chunk and segment. */
static bool known(uint16_t lang)
{
    if (lang == CLD2_LANG_UNKNOWN)
        return false;
    const char *c = cld2_lang_code(lang);
    return c[0] && !(c[0] == 'u' && c[1] == 'n' && !c[2]) && !(c[0] == 'x' && c[1] == 'x') &&
           !(c[0] == 'z' && c[1] == 'z');
}

/* The top-level domain of a URL's host, for CLD2's hint ("de" for
 * "https://www.spiegel.de/x"); NULL if there is none. */
static const char *url_tld(arena *a, const char *url)
{
    if (!url)
        return NULL;
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t n = strcspn(h, "/:?#");
    const char *dot = NULL;
    for (size_t i = 0; i < n; i++)
        if (h[i] == '.')
            dot = h + i;
    if (!dot || (size_t)(h + n - dot - 1) < 2)
        return NULL;
    return arena_strndup(a, dot + 1, (size_t)(h + n - dot - 1));
}

/* The start of the word holding byte p, no earlier than lo. */
static uint32_t word_start(const char *text, uint32_t lo, uint32_t p)
{
    while (p > lo && text[p - 1] != ' ' && text[p - 1] != '\t')
        p--;
    return p;
}

/* The chunk language covering most of [b0, b1), ignoring unknown chunks.
 * Chunks and segments are both in text order, so a cursor walks both. */
static uint16_t majority_lang(const cld2_chunk *ch, size_t n, size_t *cursor, uint32_t b0,
                              uint32_t b1)
{
    while (*cursor < n && ch[*cursor].offset + ch[*cursor].bytes <= b0)
        (*cursor)++;
    enum { SLOTS = 8 };
    uint16_t lang[SLOTS];
    uint32_t bytes[SLOTS];
    int used = 0;
    for (size_t i = *cursor; i < n && ch[i].offset < b1; i++) {
        if (!known(ch[i].lang))
            continue;
        uint32_t lo = ch[i].offset > b0 ? ch[i].offset : b0;
        uint32_t end = ch[i].offset + ch[i].bytes;
        uint32_t hi = end < b1 ? end : b1;
        if (hi <= lo)
            continue;
        int k = 0;
        while (k < used && lang[k] != ch[i].lang)
            k++;
        if (k == used) {
            if (used == SLOTS)
                continue;
            lang[used] = ch[i].lang;
            bytes[used++] = 0;
        }
        bytes[k] += hi - lo;
    }
    uint16_t best = CLD2_LANG_UNKNOWN;
    uint32_t most = 0;
    for (int k = 0; k < used; k++) {
        if (bytes[k] > most) {
            most = bytes[k];
            best = lang[k];
        }
    }
    return best;
}

static size_t letters_in(const char *text, uint32_t b0, uint32_t b1)
{
    size_t n = 0;
    for (uint32_t i = b0; i < b1;) {
        int32_t cp;
        i += (uint32_t)utf8_next(text, i, &cp);
        n += (utf8_class(cp) & CC_LETTER) != 0;
    }
    return n;
}

/* Cuts segments where a chunk of another known language starts inside them. */
static spill_status cut_at_chunks(arena *a, const char *text, script_result *sr,
                                  const cld2_chunk *ch, size_t n_ch)
{
    /* Which chunks start another language than the known chunk before. */
    uint8_t *changes = arena_alloc(a, n_ch + 1);
    if (!changes)
        return SPILL_E_NOMEM;
    size_t extra = 0;
    uint16_t prev = CLD2_LANG_UNKNOWN;
    for (size_t i = 0; i < n_ch; i++) {
        changes[i] = known(ch[i].lang) && known(prev) && ch[i].lang != prev;
        extra += changes[i];
        if (known(ch[i].lang))
            prev = ch[i].lang;
    }
    if (!extra)
        return SPILL_OK;
    seg *out = arena_alloc(a, (sr->n_segs + extra) * sizeof *out);
    if (!out)
        return SPILL_E_NOMEM;
    size_t k = 0, c = 0;
    for (size_t s = 0; s < sr->n_segs; s++) {
        seg cur = sr->segs[s];
        while (c < n_ch && ch[c].offset <= cur.b0)
            c++;
        for (; c < n_ch && ch[c].offset < cur.b1; c++) {
            if (!changes[c])
                continue;
            uint32_t cut = word_start(text, cur.b0, ch[c].offset);
            /* Only a cut that leaves letters on both sides. */
            if (cut <= cur.b0 || cut >= cur.b1 || letters_in(text, cur.b0, cut) < 2 ||
                letters_in(text, cut, cur.b1) < 2)
                continue;
            seg left = cur;
            left.b1 = cut;
            left.flags &= (uint8_t)~SEG_LINE_END;
            left.letters = (uint32_t)letters_in(text, left.b0, left.b1);
            out[k++] = left;
            cur.b0 = cut;
            cur.flags &= (uint8_t)~SEG_LINE_START;
            cur.letters -= left.letters;
        }
        out[k++] = cur;
    }
    sr->segs = out;
    sr->n_segs = k;
    return SPILL_OK;
}

/* Bytes of a character CLD2's "interchange-valid" check refuses at s[i]:
 * C0 controls but TAB/LF/CR, DEL, C1 controls, noncharacters; 0 if fine. */
static size_t refused_len(const unsigned char *s, size_t i, size_t len)
{
    unsigned char c = s[i];
    if (c < 0x20)
        return c == '\t' || c == '\n' || c == '\r' ? 0 : 1;
    if (c == 0x7F)
        return 1;
    if (c == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
        return 2;
    if (c == 0xEF && i + 2 < len) {
        if (s[i + 1] == 0xB7 && s[i + 2] >= 0x90 && s[i + 2] <= 0xAF)
            return 3;  /* U+FDD0..U+FDEF */
        if (s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF))
            return 3;  /* U+FFFE, U+FFFF */
    }
    if (c >= 0xF0 && i + 3 < len && (s[i + 1] & 0x0F) == 0x0F && s[i + 2] == 0xBF &&
        (s[i + 3] == 0xBE || s[i + 3] == 0xBF))
        return 4;  /* U+nFFFE, U+nFFFF */
    return 0;
}

/* The text as CLD2 will take it: the same bytes, or a copy of the same
 * length with refused characters blanked, so offsets stay valid. */
static const char *cld2_view(arena *a, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    char *copy = NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7F)
            continue;
        size_t n = refused_len(s, i, len);
        if (!n)
            continue;
        if (!copy) {
            copy = arena_alloc(a, len + 1);
            if (!copy)
                return NULL;
            memcpy(copy, text, len);
            copy[len] = 0;
        }
        memset(copy + i, ' ', n);
        i += n - 1;
    }
    return copy ? copy : text;
}

/* ---- words of another language ----------------------------------------- */

/* A language CLD2 knows by its code ("de"), CLD2_LANG_UNKNOWN if none. */
uint16_t lang_from_code(const char *code)
{
    for (uint16_t l = 0; l < 620; l++)
        if (!strcmp(lang_code(l), code))
            return l;
    return CLD2_LANG_UNKNOWN;
}

#define FW_MAX_GAP 2          /* other words allowed between evidence in a run */
#define NGRAM_MIN_LETTERS 4   /* shorter words say too little by their letters */
#define NGRAM_MAX_LETTERS 40
#define NGRAM_FLAG 0.75f      /* nats a trigram a word must be likelier in another
                                 language than in the page's to count */
#define NGRAM_CACHE 1024      /* scored words a page remembers (direct-mapped) */
#define NGRAM_SAMPLE 4000     /* words that decide whether letters can be trusted */
#define NGRAM_PAGE_MAX 0.25   /* ... not when more than this share is flagged */

/* What a word says about its language. */
typedef struct fw_word {
    uint32_t b0, b1;
    uint64_t bits[3];  /* other languages having it as a function word */
    bool page;         /* a function word of the page's language */
    bool known;        /* one of the page language's words (vocab.tsv) */
    bool scored;       /* its trigrams were scored */
    bool flag;         /* likelier another language's by NGRAM_FLAG or more */
    uint8_t bytes;     /* of its lower-cased form (word.len) */
    int16_t best;      /* that language (trigram table index), -1 if none */
    float margin;      /* best other language's score less the page's */
} fw_word;

typedef struct ngram_memo {
    uint64_t hash;
    float margin;
    int16_t best;
    bool scored;
} ngram_memo;

/* The page's side of the evidence: its language in each table. */
typedef struct word_ctx {
    const spill_model *m;
    const char *text;
    int page_stop;       /* in the stopword table, -1 if absent */
    int page_ngram;      /* in the trigram table, -1 if absent */
    uint64_t page_seed;  /* wordtab_lang_seed of its code */
    float *acc;          /* ngramtab_score's scratch */
    ngram_memo *memo;    /* NGRAM_CACHE */
    bool ngram_off;      /* flag no word on this page by its letters */
} word_ctx;

static bool any_bit(const uint64_t b[3])
{
    return b[0] | b[1] | b[2];
}

static int first_bit(const uint64_t b[3])
{
    for (int i = 0; i < 3; i++)
        if (b[i])
            return i * 64 + __builtin_ctzll(b[i]);
    return -1;
}

/* Trigram margin of the word at text[b0, b1): its lower-cased letters and
 * marks scored under the page's language and the others. */
static void score_letters(word_ctx *x, fw_word *v)
{
    int32_t cp[NGRAM_MAX_LETTERS];
    size_t n = 0;
    for (uint32_t i = v->b0; i < v->b1;) {
        int32_t c;
        i += (uint32_t)utf8_next(x->text, i, &c);
        unsigned cls = utf8_class(c);
        if (cls & CC_DIGIT || n == NGRAM_MAX_LETTERS)
            return;  /* "covid19", or too long to be a word */
        cp[n++] = utf8_lower(c);
    }
    if (n < NGRAM_MIN_LETTERS)
        return;
    ngram_score sc;
    if (!ngramtab_score(x->m->ngrams, cp, n, x->page_ngram, &sc, x->acc))
        return;
    v->scored = true;
    v->best = (int16_t)sc.best_lang;
    v->margin = sc.best - sc.own;
}

/* The evidence of one word; trigrams only for words in the page's script
 * that are neither function words nor known words of its language. */
static void word_evidence(word_ctx *x, const word *wd, bool page_script, fw_word *v)
{
    memset(v, 0, sizeof *v);
    v->b0 = wd->b0;
    v->b1 = wd->b1;
    v->best = -1;
    v->bytes = wd->len;
    if (!x->m)
        return;
    wordtab_word_langs_hashed(x->m->stopwords, wd->hash, v->bits);
    v->page = x->page_stop >= 0 && ((v->bits[x->page_stop / 64] >> (x->page_stop % 64)) & 1);
    if (v->page) {
        v->bits[0] = v->bits[1] = v->bits[2] = 0;
        v->known = true;
        return;
    }
    if (!page_script || x->page_ngram < 0 || (wd->flags & (WORD_DIGITS | WORD_CJK)))
        return;
    v->known = wordtab_get_hashed(x->m->vocab, x->page_seed, wd->hash, NULL);
    if (v->known || wd->len < NGRAM_MIN_LETTERS)
        return;
    ngram_memo *mm = &x->memo[wd->hash & (NGRAM_CACHE - 1)];
    if (mm->hash == wd->hash) {
        v->scored = mm->scored;
        v->best = mm->best;
        v->margin = mm->margin;
    } else {
        score_letters(x, v);
        mm->hash = wd->hash;
        mm->scored = v->scored;
        mm->best = v->best;
        mm->margin = v->margin;
    }
    v->flag = !x->ngram_off && v->scored && v->best >= 0 && v->margin >= NGRAM_FLAG;
}

static bool is_evidence(const fw_word *w)
{
    return w->flag || any_bit(w->bits);
}

/* A word of the page's own language ends a run: a function word of it, or
 * a known word long enough to be sure of. */
static bool breaks_run(const fw_word *w)
{
    return w->page || (w->known && w->bytes >= NGRAM_MIN_LETTERS);
}

/* A run of words: the first and last, its function words of another
 * language (sharing `common`) and its words flagged by their letters. */
typedef struct fw_run {
    size_t first, last;
    uint16_t fstop, nflag;
    uint64_t common[3];
} fw_run;

/* Runs of another language's words: evidence (function words of a common
 * other language, or words flagged by their trigrams) at most FW_MAX_GAP
 * other words apart, ended by a word of the page's language (breaks_run).
 * A run counts with two or more function words, or one flagged word.  Up
 * to FW_MAX_GAP unknown words after the last join it when nothing of the
 * page's language follows right after them.  Returns how many were found
 * (into runs). */
static size_t find_runs(const fw_word *w, size_t n, fw_run *runs, size_t cap)
{
    size_t k = 0;
    fw_run cur = {0};
    bool open = false;
    for (size_t i = 0; i <= n; i++) {
        bool end = i == n || breaks_run(&w[i]) || (open && i - cur.last > FW_MAX_GAP);
        if (open && !end && is_evidence(&w[i])) {
            bool fw = any_bit(w[i].bits), joins = true;
            if (fw && cur.fstop) {
                uint64_t c[3] = {cur.common[0] & w[i].bits[0], cur.common[1] & w[i].bits[1],
                                 cur.common[2] & w[i].bits[2]};
                if (any_bit(c))
                    memcpy(cur.common, c, sizeof c);
                else
                    fw = false;  /* a function word of yet another language */
                joins = fw || w[i].flag;
            } else if (fw) {
                memcpy(cur.common, w[i].bits, sizeof cur.common);
            }
            if (joins) {
                cur.fstop += fw;
                cur.nflag += w[i].flag;
                cur.last = i;
                continue;
            }
            end = true;
        }
        if (open && end) {
            if ((cur.fstop >= 2 || cur.nflag >= 1) && k < cap) {
                size_t last = cur.last;
                while (last + 1 < n && last + 1 - cur.last <= FW_MAX_GAP &&
                       !breaks_run(&w[last + 1]) && !w[last + 1].known &&
                       !is_evidence(&w[last + 1]))
                    last++;
                if (last + 1 < n && breaks_run(&w[last + 1]))
                    last = cur.last;
                cur.last = last;
                runs[k++] = cur;
            }
            open = false;
        }
        if (!open && i < n && is_evidence(&w[i])) {
            open = true;
            cur.first = cur.last = i;
            cur.fstop = any_bit(w[i].bits);
            cur.nflag = w[i].flag;
            memcpy(cur.common, w[i].bits, sizeof cur.common);
        }
    }
    return k;
}

/* The evidence of the words of [b0, b1): the page's word table walked by
 * *cursor (segments come in text order). */
typedef struct fw_list {
    fw_word *w;
    size_t n, cap;
} fw_list;

static spill_status fw_words(arena *a, word_ctx *x, const word_table *t, size_t *cursor,
                             uint32_t b0, uint32_t b1, bool page_script, fw_list *f)
{
    f->n = 0;
    while (*cursor < t->n && t->w[*cursor].b0 < b0)
        (*cursor)++;
    for (size_t i = *cursor; i < t->n && t->w[i].b0 < b1; i++) {
        fw_word *v = arena_reserve(a, f->w, f->n, &f->cap, 64, sizeof *v);
        if (!v)
            return SPILL_E_NOMEM;
        f->w = v;
        word_evidence(x, &t->w[i], page_script, &f->w[f->n++]);
    }
    return SPILL_OK;
}

/* A segment's counts of the kinds of word in f->w[from, to). */
static void count_words(seg *g, const fw_list *f, size_t from, size_t to)
{
    g->words = g->fstop = g->pstop = g->nscored = g->nflag = g->nknown = 0;
    g->nmargin = 0;
    for (size_t i = from; i < to; i++) {
        const fw_word *v = &f->w[i];
        g->words += g->words < UINT16_MAX;
        g->pstop += v->page;
        g->fstop += any_bit(v->bits);
        g->nknown += v->known;
        g->nscored += v->scored;
        g->nflag += v->flag;
        if (v->scored)
            g->nmargin += v->margin;
    }
}

/* The language of a run: its function words' common one ("die", "hat" and
 * "das" are German, and Luxembourgish letters look much like German ones),
 * else that of its flagged words with the most margin. */
static uint16_t run_lang(const word_ctx *x, const fw_list *f, const fw_run *r, int16_t *wlang)
{
    *wlang = r->fstop >= 2 ? (int16_t)first_bit(r->common) : -1;
    if (*wlang >= 0)
        return x->m->stop_lang[*wlang];
    float sum[NGRAM_MAX_LANGS] = {0};
    int best = -1;
    for (size_t i = r->first; i <= r->last; i++) {
        const fw_word *v = &f->w[i];
        if (!v->flag)
            continue;
        sum[v->best] += v->margin;
        if (best < 0 || sum[v->best] > sum[best])
            best = v->best;
    }
    return best >= 0 ? x->m->ngram_lang[best] : CLD2_LANG_UNKNOWN;
}

/* Whether the page's words, by a sample of the first NGRAM_SAMPLE in its
 * script, mostly look like another language's: then CLD2 got the page's
 * language wrong (Kurmanji taken for Turkish) or the trigram table knows it
 * badly, and the letters of its words say nothing. */
static bool letters_untrustworthy(word_ctx *x, const script_result *sr, const word_table *words)
{
    int32_t page_group = script_group(sr->main_script);
    size_t seen = 0, flagged = 0, cursor = 0;
    for (size_t s = 0; s < sr->n_segs && seen < NGRAM_SAMPLE; s++) {
        const seg *g = &sr->segs[s];
        if (g->script < 0 || script_group(g->script) != page_group)
            continue;
        while (cursor < words->n && words->w[cursor].b0 < g->b0)
            cursor++;
        for (size_t i = cursor; i < words->n && words->w[i].b0 < g->b1 && seen < NGRAM_SAMPLE;
             i++) {
            fw_word v;
            word_evidence(x, &words->w[i], true, &v);
            seen++;
            flagged += v.flag;
        }
    }
    return seen >= 30 && (double)flagged > NGRAM_PAGE_MAX * (double)seen;
}

/* Counts the kinds of word per segment and cuts out runs of another
 * language's words (see find_runs), which CLD2 is too coarse to find:
 * "Zobacz także: inne artykuły" or "Regierung" inside an English line. */
static spill_status cut_at_foreign_words(arena *a, const char *text, script_result *sr,
                                         const spill_model *m, const word_table *words,
                                         const char *page_code)
{
    word_ctx x = {.m = m, .text = text, .page_stop = -1, .page_ngram = -1};
    if (m) {
        x.page_stop = wordtab_lang_index(m->stopwords, page_code);
        x.page_ngram = ngramtab_lang_index(m->ngrams, page_code);
        x.page_seed = wordtab_lang_seed(page_code);
        x.acc = arena_zalloc(a, NGRAM_MAX_LANGS, sizeof *x.acc);
        x.memo = arena_zalloc(a, NGRAM_CACHE, sizeof *x.memo);
        if (!x.acc || !x.memo)
            return SPILL_E_NOMEM;
        x.ngram_off = x.page_ngram >= 0 && letters_untrustworthy(&x, sr, words);
    }
    int32_t page_group = script_group(sr->main_script);
    seg *out = NULL;
    size_t k = 0, cap = 0, cursor = 0;
    fw_list f = {0};
    enum { MAX_RUNS = 16 };
    fw_run runs[MAX_RUNS];
    for (size_t s = 0; s < sr->n_segs; s++) {
        seg cur = sr->segs[s];
        cur.wlang = -1;
        bool page_script = cur.script >= 0 && script_group(cur.script) == page_group;
        spill_status st = fw_words(a, &x, words, &cursor, cur.b0, cur.b1, page_script, &f);
        if (st)
            return st;
        count_words(&cur, &f, 0, f.n);
        size_t n_runs = 0;
        if (m && page_script && (x.page_stop >= 0 || x.page_ngram >= 0))
            n_runs = find_runs(f.w, f.n, runs, MAX_RUNS);
        if (!out) {
            if (!n_runs) {
                sr->segs[s] = cur;
                continue;
            }
            /* The first cut: copy what came before into a new array. */
            cap = sr->n_segs + 2 * MAX_RUNS + 16;
            out = arena_alloc(a, cap * sizeof *out);
            if (!out)
                return SPILL_E_NOMEM;
            memcpy(out, sr->segs, s * sizeof *out);
            k = s;
        }
        if (k + 2 * n_runs + 1 > cap) {
            size_t nc = cap * 2 + 2 * n_runs + 1;
            seg *v = arena_grow(a, out, k, nc, sizeof *v);
            if (!v)
                return SPILL_E_NOMEM;
            out = v;
            cap = nc;
        }
        /* Pieces: plain text, a run, plain text, a run, ... */
        uint32_t at = cur.b0;
        size_t wi = 0;
        for (size_t r = 0; r <= n_runs; r++) {
            uint32_t r0 = cur.b1, r1 = cur.b1;
            if (r < n_runs) {
                r0 = f.w[runs[r].first].b0;
                r1 = f.w[runs[r].last].b1;
                if (r1 > cur.b1)
                    r1 = cur.b1;  /* a word may run past a script cut */
                while (r1 < cur.b1 && (text[r1] == ' ' || text[r1] == '\t' || text[r1] == ':' ||
                                       text[r1] == ','))
                    r1++;  /* a label's colon and the space after go with it */
                if (r0 < at)
                    r0 = at;
            }
            for (int run = 0; run < 2; run++) {
                uint32_t p0 = run ? r0 : at, p1 = run ? r1 : r0;
                if (p1 <= p0)
                    continue;
                seg piece = cur;
                piece.b0 = p0;
                piece.b1 = p1;
                piece.flags = (uint8_t)((p0 == cur.b0 ? cur.flags & SEG_LINE_START : 0) |
                                        (p1 == cur.b1 ? cur.flags & SEG_LINE_END : 0));
                piece.letters = (uint32_t)letters_in(text, p0, p1);
                piece.wlang = -1;
                size_t w0 = wi;
                while (wi < f.n && f.w[wi].b0 < p1)
                    wi++;
                count_words(&piece, &f, w0, wi);
                if (run) {
                    piece.lang = run_lang(&x, &f, &runs[r], &piece.wlang);
                    piece.lang_reliable = 0;
                    piece.flags |= (uint8_t)((runs[r].fstop >= 2 ? SEG_RUN_FW : 0) |
                                             (runs[r].nflag ? SEG_RUN_NGRAM : 0));
                }
                out[k++] = piece;
            }
            at = r1 > at ? r1 : at;
        }
    }
    if (out) {
        sr->segs = out;
        sr->n_segs = k;
    }
    return SPILL_OK;
}

static spill_status mix_add(arena *a, lang_result *out, size_t *cap, uint16_t lang, size_t n)
{
    for (size_t i = 0; i < out->n_mix; i++) {
        if (out->mix[i].lang == lang) {
            out->mix[i].letters += n;
            return SPILL_OK;
        }
    }
    lang_share *v = arena_reserve(a, out->mix, out->n_mix, cap, 8, sizeof *v);
    if (!v)
        return SPILL_E_NOMEM;
    out->mix = v;
    out->mix[out->n_mix].lang = lang;
    out->mix[out->n_mix].letters = n;
    out->n_mix++;
    return SPILL_OK;
}

/* CLD2 weighs languages by bytes, and a letter of Devanagari or Burmese is
 * three bytes of UTF-8: a paragraph in such a script can outweigh a page of
 * Latin letters.  When CLD2's language is written mostly outside the page's
 * main script (the script of most letters) and a language written in it
 * has at least twice as many letters, that one is the page's language. */
static spill_status pick_by_letters(arena *a, const script_result *sr, const cld2_result *r,
                                    lang_result *out)
{
    int32_t page_group = script_group(sr->main_script);
    lang_share *in = NULL;
    size_t n = 0, cap = 0, page_in = 0, page_all = 0, total = 0;
    for (size_t i = 0; i < sr->n_segs; i++) {
        const seg *g = &sr->segs[i];
        if (!known(g->lang) || !g->letters)
            continue;
        total += g->letters;
        bool main = g->script >= 0 && script_group(g->script) == page_group;
        if (g->lang == out->lang) {
            page_all += g->letters;
            page_in += main ? g->letters : 0;
        }
        if (!main)
            continue;
        size_t k = 0;
        while (k < n && in[k].lang != g->lang)
            k++;
        if (k == n) {
            lang_share *v = arena_reserve(a, in, n, &cap, 8, sizeof *v);
            if (!v)
                return SPILL_E_NOMEM;
            in = v;
            in[n].lang = g->lang;
            in[n++].letters = 0;
        }
        in[k].letters += g->letters;
    }
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        if (in[k].letters > in[best].letters)
            best = k;
    if (!n || in[best].lang == out->lang || page_in * 2 > page_all ||
        in[best].letters < 2 * page_all)
        return SPILL_OK;
    out->lang = in[best].lang;
    out->conf = 0.5 * (double)in[best].letters / (double)total;
    for (int k = 0; k < 3; k++)
        if (r->lang3[k] == out->lang)
            out->conf = r->percent3[k] / 100.0 * (r->is_reliable ? 1.0 : 0.5);
    return SPILL_OK;
}

spill_status lang_identify(arena *a, const char *text, size_t len, const spill_hints *hints,
                           const spill_model *m, const word_table *words, script_result *sr,
                           lang_result *out)
{
    memset(out, 0, sizeof *out);
    out->lang = CLD2_LANG_UNKNOWN;
    cld2_hints h = {0};
    if (hints) {
        h.tld = url_tld(a, hints->url);
        h.content_language = hints->content_language;
    }
    size_t cap = len / 32 + 64;
    cld2_chunk *ch = arena_alloc(a, cap * sizeof *ch);
    if (!ch)
        return SPILL_E_NOMEM;
    const char *view = cld2_view(a, text, len);
    if (!view)
        return SPILL_E_NOMEM;
    cld2_result r;
    /* One pass: its chunks are what the segments need, and its answer for
     * a mixed page is at least as good as the restricted second pass's
     * (measured: same line F1, fewer false foreign characters). */
    int st = cld2_detect(view, len, &h, CLD2_FLAG_FINISH, &r, ch, cap);
    if (st == CLD2_OK && r.n_chunks > cap) {
        cap = r.n_chunks;
        ch = arena_alloc(a, cap * sizeof *ch);
        if (!ch)
            return SPILL_E_NOMEM;
        st = cld2_detect(view, len, &h, CLD2_FLAG_FINISH, &r, ch, cap);
    }
    if (st == CLD2_E_INVALID) {
        /* A character CLD2 refuses that cld2_view missed: no language,
         * rather than no annotation. */
        memset(&r, 0, sizeof r);
        r.lang3[0] = CLD2_LANG_UNKNOWN;
    } else if (st != CLD2_OK) {
        return st == CLD2_E_TOO_LONG ? SPILL_E_TOO_LARGE : SPILL_E_INTERNAL;
    }
    size_t n_ch = r.n_chunks < cap ? r.n_chunks : cap;

    out->lang = r.lang3[0];
    out->reliable = r.is_reliable;
    if (known(out->lang))
        out->conf = r.percent3[0] / 100.0 * (r.is_reliable ? 1.0 : 0.5);

    spill_status s = cut_at_chunks(a, text, sr, ch, n_ch);
    if (s)
        return s;

    int32_t page_group = script_group(sr->main_script);
    size_t cursor = 0, mix_cap = 0;
    for (size_t i = 0; i < sr->n_segs; i++) {
        seg *g = &sr->segs[i];
        g->lang = majority_lang(ch, n_ch, &cursor, g->b0, g->b1);
        g->lang_reliable = known(g->lang) && r.is_reliable;
        if (g->script >= 0 && script_group(g->script) != page_group) {
            cld2_result rr;
            if (cld2_detect(view + g->b0, g->b1 - g->b0, NULL, CLD2_FLAG_BEST_EFFORT, &rr, NULL,
                            0) == CLD2_OK &&
                known(rr.lang3[0])) {
                g->lang = rr.lang3[0];
                g->lang_reliable = (uint8_t)rr.is_reliable;
            }
        }
    }
    if ((s = pick_by_letters(a, sr, &r, out)))
        return s;
    for (size_t i = 0; i < sr->n_segs; i++) {
        seg *g = &sr->segs[i];
        if (!known(g->lang) && g->letters && script_group(g->script) == page_group)
            g->lang = out->lang;  /* too short for CLD2, in the page's script */
    }
    if ((s = cut_at_foreign_words(a, text, sr, m, words, lang_code(out->lang))))
        return s;
    for (size_t i = 0; i < sr->n_segs; i++) {
        seg *g = &sr->segs[i];
        if (g->letters) {
            s = mix_add(a, out, &mix_cap, known(g->lang) ? g->lang : CLD2_LANG_UNKNOWN,
                        g->letters);
            if (s)
                return s;
        }
    }
    for (size_t x = 1; x < out->n_mix; x++) {
        lang_share t = out->mix[x];
        size_t y = x;
        while (y > 0 && out->mix[y - 1].letters < t.letters) {
            out->mix[y] = out->mix[y - 1];
            y--;
        }
        out->mix[y] = t;
    }
    return SPILL_OK;
}
