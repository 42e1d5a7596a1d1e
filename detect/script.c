/*
 * script.c - script identification (ICU uscript) and script runs.
 *
 * Input: the page's lines.  Output: segments - runs of a line in one script
 * group - and the page's letters per script.  Letters decide the script;
 * spaces, digits and punctuation (ICU's Common and Inherited) join the run
 * they stand in.  A run boundary is snapped back to the start of the word
 * holding the first letter of the new script, so "Crackdown Текст: Uzbek"
 * becomes "Crackdown ", "Текст: ", "Uzbek".  Han, kana and Bopomofo form
 * one group, since Japanese text mixes them; Hangul is a group of its own
 * (Korean is written with spaces and, today, rarely with Han), so Korean
 * inside Chinese or Japanese text is a run of its own.
 *
 * Also the word tokeniser (text_words), and the page's word table
 * (script_words), tokenised once for lang.c and features.c.  Languages are
 * left to lang.c.
 */
#include <string.h>

#include <unicode/uscript.h>

#include "internal.h"

static int32_t script_of(int32_t cp)
{
    if (cp < 0x80)
        return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? USCRIPT_LATIN : USCRIPT_COMMON;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(cp, &err);
    return U_FAILURE(err) ? USCRIPT_UNKNOWN : (int32_t)sc;
}

static bool is_strong(int32_t sc)
{
    return sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED && sc != USCRIPT_UNKNOWN &&
           sc != USCRIPT_INVALID_CODE;
}

int32_t script_group(int32_t sc)
{
    switch (sc) {
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_KATAKANA_OR_HIRAGANA:
        return USCRIPT_HAN;
    default:
        return sc;
    }
}

const char *script_name(int32_t sc)
{
    if (sc < 0)
        return "Unknown";
    const char *n = uscript_getName((UScriptCode)sc);
    return n ? n : "Unknown";
}

/* Letters per script within the run being built; a run rarely has more
 * than two scripts (Japanese: Han and Hiragana and Katakana). */
#define RUN_SCRIPTS 4
typedef struct run_state {
    int32_t group;
    int32_t sc[RUN_SCRIPTS];
    uint32_t n[RUN_SCRIPTS];
    uint32_t letters;
} run_state;

static void run_add(run_state *r, int32_t sc)
{
    r->letters++;
    for (int i = 0; i < RUN_SCRIPTS; i++) {
        if (r->n[i] && r->sc[i] == sc) {
            r->n[i]++;
            return;
        }
        if (!r->n[i]) {
            r->sc[i] = sc;
            r->n[i] = 1;
            return;
        }
    }
}

static int32_t run_dominant(const run_state *r)
{
    int32_t best = -1;
    uint32_t most = 0;
    for (int i = 0; i < RUN_SCRIPTS; i++) {
        if (r->n[i] > most) {
            most = r->n[i];
            best = r->sc[i];
        }
    }
    return best;
}

typedef struct seg_list {
    seg *v;
    size_t n, cap;
} seg_list;

static spill_status seg_push(arena *a, seg_list *l, const seg *s)
{
    seg *v = arena_reserve(a, l->v, l->n, &l->cap, 64, sizeof *v);
    if (!v)
        return SPILL_E_NOMEM;
    l->v = v;
    l->v[l->n++] = *s;
    return SPILL_OK;
}

static spill_status count_script(arena *a, script_result *out, size_t *cap, int32_t sc,
                                 size_t n)
{
    for (size_t i = 0; i < out->n_counts; i++) {
        if (out->counts[i].script == sc) {
            out->counts[i].letters += n;
            return SPILL_OK;
        }
    }
    script_count *v = arena_reserve(a, out->counts, out->n_counts, cap, 8, sizeof *v);
    if (!v)
        return SPILL_E_NOMEM;
    out->counts = v;
    out->counts[out->n_counts].script = sc;
    out->counts[out->n_counts].letters = n;
    out->n_counts++;
    return SPILL_OK;
}

static spill_status close_run(arena *a, seg_list *l, script_result *out, size_t *cap,
                              uint32_t line_i, uint32_t b0, uint32_t b1, const run_state *r)
{
    if (b1 <= b0)
        return SPILL_OK;
    seg s = {.b0 = b0, .b1 = b1, .line = line_i, .script = -1, .letters = r->letters};
    s.script = (int16_t)run_dominant(r);
    for (int i = 0; i < RUN_SCRIPTS && r->n[i]; i++) {
        spill_status st = count_script(a, out, cap, r->sc[i], r->n[i]);
        if (st)
            return st;
    }
    return seg_push(a, l, &s);
}

spill_status script_runs(arena *a, const char *text, const line *lines, size_t n_lines,
                         script_result *out)
{
    memset(out, 0, sizeof *out);
    out->main_script = -1;
    seg_list l = {0};
    size_t counts_cap = 0;
    spill_status st;

    for (size_t li = 0; li < n_lines; li++) {
        uint32_t b0 = lines[li].b0, b1 = lines[li].b1;
        /* A line of white space only has no segment. */
        uint32_t i = b0;
        bool blank = true;
        while (i < b1) {
            int32_t cp;
            size_t k = utf8_next(text, i, &cp);
            if (!(utf8_class(cp) & CC_SPACE)) {
                blank = false;
                break;
            }
            i += (uint32_t)k;
        }
        if (blank)
            continue;

        size_t first = l.n;
        run_state r = {.group = -1};
        uint32_t run_start = b0, ws_end = b0, strong_end = b0;
        for (i = b0; i < b1;) {
            unsigned char b = (unsigned char)text[i];
            if (b < 0x80) {
                /* ASCII: spacing, a Latin letter, or neither. */
                unsigned acls = utf8_ascii_class[b];
                if (acls & CC_SPACE) {
                    ws_end = i + 1;
                } else if ((acls & CC_LETTER) && r.group == USCRIPT_LATIN) {
                    run_add(&r, USCRIPT_LATIN);
                    strong_end = i + 1;
                } else if (acls & CC_LETTER) {
                    goto general;  /* a change of script, or the run's first letter */
                }
                i++;
                continue;
            }
        general:;
            int32_t cp;
            uint32_t k = (uint32_t)utf8_next(text, i, &cp);
            unsigned cls = utf8_class(cp);
            if (cls & CC_SPACE) {
                ws_end = i + k;
            } else if (cls & CC_LETTER) {
                int32_t sc = script_of(cp);
                if (is_strong(sc)) {
                    int32_t g = script_group(sc);
                    if (r.group >= 0 && g != r.group) {
                        uint32_t cut = ws_end > strong_end ? ws_end : strong_end;
                        if (cut <= run_start)
                            cut = i;
                        st = close_run(a, &l, out, &counts_cap, (uint32_t)li, run_start, cut, &r);
                        if (st)
                            return st;
                        memset(&r, 0, sizeof r);
                        run_start = cut;
                    }
                    r.group = g;
                    run_add(&r, sc);
                    strong_end = i + k;
                }
            }
            i += k;
        }
        st = close_run(a, &l, out, &counts_cap, (uint32_t)li, run_start, b1, &r);
        if (st)
            return st;
        if (l.n > first) {
            l.v[first].flags |= SEG_LINE_START;
            l.v[l.n - 1].flags |= SEG_LINE_END;
        }
    }

    /* Sort the script counts, most letters first (few entries). */
    for (size_t x = 1; x < out->n_counts; x++) {
        script_count t = out->counts[x];
        size_t y = x;
        while (y > 0 && out->counts[y - 1].letters < t.letters) {
            out->counts[y] = out->counts[y - 1];
            y--;
        }
        out->counts[y] = t;
    }
    for (size_t x = 0; x < out->n_counts; x++)
        out->letters += out->counts[x].letters;
    if (out->n_counts)
        out->main_script = out->counts[0].script;
    out->segs = l.v;
    out->n_segs = l.n;
    return SPILL_OK;
}

static bool spaceless(int32_t sc)
{
    switch (sc) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR:
        return true;
    default:
        return false;
    }
}

#define WORD_MAX 64

/* The word text_words is inside, if any. */
typedef struct word_state {
    char buf[WORD_MAX + 4];
    size_t blen, start, words;
    int32_t script;  /* of its first letter, -1 before one */
    bool in;
    word_fn fn;
    void *user;
} word_state;

static inline void word_end(word_state *w, size_t at)
{
    if (!w->in)
        return;
    if (w->fn)
        w->fn(w->user, w->buf, w->blen, w->script, w->start, at);
    w->words++;
    w->in = false;
    w->blen = 0;
}

/* A letter, mark or digit at `at`, of script sc (-1 for none). */
static inline void word_extend(word_state *w, int32_t sc, size_t at)
{
    if (!w->in) {
        w->in = true;
        w->script = sc;
        w->start = at;
    } else if (w->script < 0) {
        w->script = sc;
    }
}

size_t text_words(const char *s, size_t len, word_fn fn, void *user)
{
    word_state w = {.script = -1, .fn = fn, .user = user};
    for (size_t i = 0; i <= len;) {
        /* ASCII, most of most pages, without decoding: a letter or digit
         * extends the word (Latin, lower-cased), anything else ends it. */
        if (i < len && (unsigned char)s[i] < 0x80) {
            unsigned char b = (unsigned char)s[i];
            unsigned acls = utf8_ascii_class[b];
            if (acls & (CC_LETTER | CC_DIGIT)) {
                word_extend(&w, (acls & CC_LETTER) ? USCRIPT_LATIN : -1, i);
                if (w.blen < WORD_MAX)
                    w.buf[w.blen++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            } else {
                word_end(&w, i);
            }
            i++;
            continue;
        }
        int32_t cp = 0;
        size_t k = 1;
        unsigned cls = CC_SPACE;
        if (i < len) {
            k = utf8_next(s, i, &cp);
            cls = utf8_class(cp);
        }
        bool wordish = (cls & (CC_LETTER | CC_MARK | CC_DIGIT)) != 0;
        int32_t sc = -1;
        if (cls & CC_LETTER)
            sc = cp < 128 ? USCRIPT_LATIN : script_of(cp);
        bool alone = sc >= 0 && spaceless(sc);  /* a Han or Thai letter: a word each */
        if (!wordish || alone)
            word_end(&w, i);
        if (wordish) {
            word_extend(&w, sc, i);
            if (w.blen < WORD_MAX)
                w.blen += utf8_encode(utf8_lower(cp), w.buf + w.blen);
            if (alone)
                word_end(&w, i + k);
        }
        i += k;
    }
    return w.words;
}

typedef struct word_acc {
    arena *a;
    word_table *t;
    size_t cap;
    uint32_t base;
    const char *text;
    spill_status st;
} word_acc;

static void add_word(void *user, const char *w, size_t n, int32_t script, size_t b0, size_t b1)
{
    word_acc *acc = user;
    if (acc->st)
        return;
    word_table *t = acc->t;
    word *v = arena_reserve(acc->a, t->w, t->n, &acc->cap, 256, sizeof *v);
    if (!v) {
        acc->st = SPILL_E_NOMEM;
        return;
    }
    t->w = v;
    word *x = &t->w[t->n++];
    x->b0 = acc->base + (uint32_t)b0;
    x->b1 = acc->base + (uint32_t)b1;
    x->hash = text_hash(w, n);
    x->len = (uint8_t)n;
    int32_t cp;
    utf8_next(acc->text, x->b0, &cp);
    bool digits = true;
    for (size_t i = 0; i < n && digits; i++)
        digits = w[i] >= '0' && w[i] <= '9';
    x->flags = (uint8_t)(((utf8_class(cp) & CC_UPPER) ? WORD_CAPITAL : 0) |
                         (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA ||
                                  script == USCRIPT_KATAKANA
                              ? WORD_CJK
                              : 0) |
                         (digits ? WORD_DIGITS : 0));
}

spill_status script_words(arena *a, const char *text, const line *lines, size_t n_lines,
                          word_table *out)
{
    memset(out, 0, sizeof *out);
    out->line_first = arena_alloc(a, (n_lines + 1) * sizeof *out->line_first);
    if (!out->line_first)
        return SPILL_E_NOMEM;
    word_acc acc = {.a = a, .t = out, .text = text};
    for (size_t l = 0; l < n_lines; l++) {
        out->line_first[l] = (uint32_t)out->n;
        acc.base = lines[l].b0;
        text_words(text + lines[l].b0, lines[l].b1 - lines[l].b0, add_word, &acc);
        if (acc.st)
            return acc.st;
    }
    out->line_first[n_lines] = (uint32_t)out->n;
    return SPILL_OK;
}
