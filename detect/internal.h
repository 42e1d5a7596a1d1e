/*
 * internal.h - types and functions shared by the stages of libspill; never
 * installed.  The stages, left to right (a stage uses only stages to its
 * left):
 *
 *   read.c -> utf8.c -> segment.c -> script.c -> lang.c (+ cld2_shim)
 *     -> features.c -> classify.c (+ model.c) -> score.c -> write.c
 *
 * annotate.c runs them for one page; arena.c is the memory they share.
 */
#ifndef SPILL_INTERNAL_H
#define SPILL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xxhash.h>

#include "spill.h"

#define SPILL_DEFAULT_MAX_TEXT ((size_t)64 << 20)
/* Byte offsets within a page are 32-bit: no text may reach this. */
#define SPILL_HARD_MAX_TEXT ((size_t)INT32_MAX)

/* ---- arena.c: allocation through the caller's hook ------------------- */

void *mem_alloc(const spill_allocator *a, size_t size);
void *mem_calloc(const spill_allocator *a, size_t n, size_t size);
void *mem_realloc(const spill_allocator *a, void *p, size_t size);
void mem_free(const spill_allocator *a, void *p);
char *mem_strdup(const spill_allocator *a, const char *s);

/* A bump allocator: everything made for one page comes from it and goes with
 * one arena_reset().  Blocks grown for a giant page are released on reset, so
 * memory returns to `keep` bytes between pages. */
typedef struct arena_block arena_block;
typedef struct arena {
    spill_allocator alloc;
    arena_block *head;   /* current block; older ones follow */
    size_t keep;         /* bytes of blocks kept across resets */
} arena;

void arena_init(arena *a, const spill_allocator *alloc, size_t keep);
/* 16-byte aligned; NULL when the allocator fails. */
void *arena_alloc(arena *a, size_t size);
void *arena_zalloc(arena *a, size_t n, size_t size);
/* Grows an array allocated from the arena to hold `new_n` elements, keeping
 * the first `old_n`: in place when it is the newest allocation of the
 * current block or alone in a block of its own, else as a copy.  NULL on
 * failure (the old array stays valid). */
void *arena_grow(arena *a, void *p, size_t old_n, size_t new_n, size_t size);
/* Room for one more element in an array of `n` from the arena: the array
 * itself while n < *cap, else the array grown twice as large (at least
 * `first`), *cap updated; NULL on failure (the old array stays valid). */
void *arena_reserve_grow(arena *a, void *p, size_t n, size_t *cap, size_t first, size_t size);
static inline void *arena_reserve(arena *a, void *p, size_t n, size_t *cap, size_t first,
                                  size_t size)
{
    return n < *cap ? p : arena_reserve_grow(a, p, n, cap, first, size);
}
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_reset(arena *a);
void arena_destroy(arena *a);
/* Bytes of blocks the arena holds (used or not). */
size_t arena_held(const arena *a);

/* The hash of a word's lower-cased bytes, shared by the word tables. */
static inline uint64_t text_hash(const char *s, size_t n)
{
    return XXH3_64bits(s, n);
}

/* The slot of a non-zero 64-bit key in an open-addressing table of
 * mask + 1 (a power of two) keys, 0 meaning empty: its own, or the empty
 * one it would take (linear probing). */
static inline size_t hash_slot(const uint64_t *keys, size_t mask, uint64_t key)
{
    size_t k = (size_t)(key * 0x9E3779B97F4A7C15ull >> 32) & mask;
    while (keys[k] && keys[k] != key)
        k = (k + 1) & mask;
    return k;
}

/* ---- utf8.c ----------------------------------------------------------- */

/* Length of the longest valid UTF-8 prefix of s[0..len). */
size_t utf8_valid_prefix(const char *s, size_t len);

/* Makes `in` valid UTF-8: each maximal ill-formed subsequence becomes U+FFFD
 * (as Python's decode(errors="replace") does).  When `in` is valid, *out is
 * `in` itself and nothing is allocated.  *invalid counts the bytes replaced. */
spill_status utf8_repair(arena *a, const char *in, size_t len, const char **out,
                         size_t *out_len, size_t *invalid);

/* Decodes the code point at s[i] of valid UTF-8; returns its byte length. */
static inline size_t utf8_next(const char *s, size_t i, int32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s + i;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if (u[0] < 0xE0) {
        *cp = ((u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if (u[0] < 0xF0) {
        *cp = ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    *cp = ((u[0] & 0x07) << 18) | ((u[1] & 0x3F) << 12) | ((u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    return 4;
}

/* Code points in s[0..len) of valid UTF-8. */
size_t utf8_count(const char *s, size_t len);

/* Character classes the stages need, from utf8proc's tables. */
enum {
    CC_SPACE = 1 << 0,    /* white space, line ends included */
    CC_LETTER = 1 << 1,
    CC_DIGIT = 1 << 2,
    CC_PUNCT = 1 << 3,
    CC_SYMBOL = 1 << 4,
    CC_UPPER = 1 << 5,
    CC_CONTROL = 1 << 6,  /* C0/C1 controls other than tab and line ends, and U+FFFD */
    CC_MARK = 1 << 7,
    CC_OTHER = 1 << 8     /* unassigned, private use, surrogates, format chars */
};
extern const unsigned char utf8_ascii_class[128];
unsigned utf8_class_slow(int32_t cp);
static inline unsigned utf8_class(int32_t cp)
{
    return cp >= 0 && cp < 128 ? utf8_ascii_class[cp] : utf8_class_slow(cp);
}
/* Whether a letter has case (Latin, Cyrillic, Greek...). */
bool utf8_is_cased(int32_t cp);
/* Simple lower-case mapping. */
int32_t utf8_lower_slow(int32_t cp);
static inline int32_t utf8_lower(int32_t cp)
{
    if (cp < 128)
        return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    return utf8_lower_slow(cp);
}
/* Appends the UTF-8 encoding of cp to buf (room for 4 bytes); returns bytes. */
size_t utf8_encode_slow(int32_t cp, char *buf);
static inline size_t utf8_encode(int32_t cp, char *buf)
{
    if (cp >= 0 && cp < 128) {
        buf[0] = (char)cp;
        return 1;
    }
    return utf8_encode_slow(cp, buf);
}

/* ---- mojibake.c ------------------------------------------------------- */

/* The code pages mojibake is looked for through: cp1252 (with Latin-1),
 * cp1251, KOI8-R. */
#define MOJIBAKE_CODECS 3
/* Code points of s[0..n) (valid UTF-8) that are the UTF-8 bytes of other
 * characters decoded through one legacy code page ("Ã¼" for "ü" through
 * cp1252), under the code page that explains most, *codec (-1: none).  A
 * code page counts only when one of its sequences holds a character that is
 * no letter (all-capital Ukrainian "МІ" maps to well-formed bytes too). */
size_t mojibake_chars(const char *s, size_t n, int *codec);
const char *mojibake_codec_name(int codec);

/* ---- segment.c -------------------------------------------------------- */

/* A line: text bytes [b0, b1), its terminator (LF, CRLF or CR) excluded;
 * the next line starts at `next`. */
typedef struct line {
    uint32_t b0, b1, next;
} line;

/* Cuts text into lines; a text that ends without a terminator still ends a
 * line, an empty text has none. */
spill_status segment_lines(arena *a, const char *text, size_t len, line **lines,
                           size_t *n_lines);

/* A segment: a run of one line, bytes [b0, b1), where the script and
 * language stay the same.  Segments of a line tile its non-space text. */
typedef struct seg {
    uint32_t b0, b1;
    uint32_t line;
    int16_t script;        /* dominant UScriptCode of its letters; -1 if none */
    uint16_t lang;         /* CLD2 language */
    uint8_t lang_reliable;
    uint8_t flags;         /* SEG_* */
    uint32_t letters;      /* letters in the run */
    uint32_t cp;           /* non-space code points (set by features.c) */
    uint16_t words;        /* words in the run (lang.c) */
    uint16_t fstop;        /* function words of another language, not the page's */
    uint16_t pstop;        /* function words of the page's language */
    int16_t wlang;         /* the other language of the fstop words (stopword
                              table index), -1 if none */
    uint16_t nknown;       /* words known in the page's language (its function
                              words and vocab.tsv) */
    uint16_t nscored;      /* words whose trigrams were scored */
    uint16_t nflag;        /* of those, likelier another language's */
    float nmargin;         /* their trigram margins, summed */
} seg;

enum {
    SEG_LINE_START = 1 << 0,  /* first run of its line */
    SEG_LINE_END = 1 << 1,    /* last run of its line */
    SEG_RUN_FW = 1 << 2,      /* cut out as a run of another language's function words */
    SEG_RUN_NGRAM = 1 << 3    /* cut out as a run of words flagged by their trigrams */
};

/* ---- script.c --------------------------------------------------------- */

/* Script runs: cuts every line into segments where the script group
 * changes, boundaries snapped to the start of a word.  Also counts letters
 * per script for the page's script mix. */
typedef struct script_count {
    int32_t script;
    size_t letters;
} script_count;

typedef struct script_result {
    seg *segs;
    size_t n_segs;
    script_count *counts;   /* descending */
    size_t n_counts;
    int32_t main_script;    /* most letters; -1 if the page has none */
    size_t letters;
} script_result;

spill_status script_runs(arena *a, const char *text, const line *lines, size_t n_lines,
                         script_result *out);
/* ICU's name of a script ("Latin", "Cyrillic"); "Unknown" for -1. */
const char *script_name(int32_t script);
/* Han, Hiragana, Katakana and Bopomofo are one group: Japanese mixes them.
 * Hangul is a group of its own. */
int32_t script_group(int32_t script);

/* Words: calls fn for every word of s[0..len) of valid UTF-8, lower-cased
 * (at most 64 bytes kept), with its byte range [b0, b1) in s.  A word is a run of letters, marks and
 * digits; in scripts written without spaces (Han, kana, Thai...) every
 * letter is a word.  Returns the number of words. */
typedef void (*word_fn)(void *user, const char *word, size_t len, int32_t script, size_t b0,
                        size_t b1);
size_t text_words(const char *s, size_t len, word_fn fn, void *user);

/* The page's words, tokenised once (script_words) for every later stage:
 * byte range, the hash of the lower-cased form (wordtab_hash), flags. */
typedef struct word {
    uint32_t b0, b1;
    uint64_t hash;
    uint8_t len;      /* bytes of the lower-cased form kept (at most 64) */
    uint8_t flags;    /* WORD_* */
} word;

enum {
    WORD_CAPITAL = 1 << 0,  /* written with a capital first */
    WORD_CJK = 1 << 1,      /* one Han or kana character */
    WORD_DIGITS = 1 << 2    /* digits only */
};

typedef struct word_table {
    word *w;
    size_t n;
    uint32_t *line_first;   /* words of line l: [line_first[l], line_first[l + 1]) */
} word_table;

spill_status script_words(arena *a, const char *text, const line *lines, size_t n_lines,
                          word_table *out);

struct wordtab;
typedef struct wordtab wordtab;

/* ---- lang.c ----------------------------------------------------------- */

typedef struct lang_share {
    uint16_t lang;
    size_t letters;
} lang_share;

typedef struct lang_result {
    uint16_t lang;          /* the page's language */
    double conf;
    bool reliable;
    lang_share *mix;        /* descending */
    size_t n_mix;
} lang_result;

/* Page language (CLD2 once over the page, chunks for sub-line spans), then
 * per-segment languages: from the chunks, and from CLD2 on the segment alone
 * where its script differs from the page's; segments cut where a chunk of
 * another reliable language starts inside them.  `segs` may be replaced. */
spill_status lang_identify(arena *a, const char *text, size_t len, const spill_hints *hints,
                           const spill_model *m, const word_table *words, script_result *sr,
                           lang_result *out);

/* Our code for a CLD2 language: ISO 639-1 where it exists, else 639-3,
 * "und" for unknown. */
const char *lang_code(uint16_t lang);
/* The CLD2 language of our code ("de"), CLD2_LANG_UNKNOWN if none; slow (a
 * scan of CLD2's table): model.c maps its tables' languages once. */
uint16_t lang_from_code(const char *code);
/* Its English name ("English", "Scots Gaelic") in buf. */
const char *lang_name(uint16_t lang, char *buf, size_t cap);

/* A number of a model's tables ("-5.553"): strtof's value, fast (model.c). */
float model_float(const char *s, char **end);
/* features.tsv (a model's ranges and bin edges): one line a feature, in
 * schema order, name <TAB> lo <TAB> hi <TAB> edge edge ...: the training
 * range (scaled to [-1, 1]) and at most BIN_EDGES increasing bin edges,
 * into lo[nf], hi[nf], edges[nf * BIN_EDGES], n_edges[nf].  `text` is
 * modified; false with err filled on a bad table. */
bool features_table_parse(const char *path, char *text, double *lo, double *hi, float *edges,
                          uint8_t *n_edges, spill_error *err);
/* Fills err (if any) with a status and a message; returns NULL, for
 * `return model_fail(...)` in the loaders of a model's files (model.c). */
void *model_fail(spill_error *err, spill_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- ngram.c: letter trigrams of words, per language ------------------ */

#define NGRAM_MAX_LANGS 160  /* language indices fit a byte */

struct ngramtab;
typedef struct ngramtab ngramtab;

/* Parses ngrams.tsv (see ngram.c); consumes `text`.  NULL with err filled on
 * a malformed file or no memory. */
ngramtab *ngramtab_parse(const spill_allocator *al, const char *path, char *text,
                         spill_error *err);
void ngramtab_free(const spill_allocator *al, ngramtab *t);
/* Index of a language in the table, -1 if it has none. */
int ngramtab_lang_index(const ngramtab *t, const char *lang);
/* Code of language index i ("und" if out of range). */
const char *ngramtab_lang(const ngramtab *t, int i);
size_t ngramtab_n_langs(const ngramtab *t);

/* Mean log-probability per trigram of a word under a language (own) and
 * under the best other language of the table that is not close to it
 * (best, best_lang; best_lang -1 and best = own when no such language has
 * any of its trigrams). */
typedef struct ngram_score {
    float own, best;
    int best_lang;
} ngram_score;

/* Scores the word of n lower-cased code points under language index `lang`.
 * `acc` is scratch of ngramtab_n_langs() floats, all zero, and left so.
 * false (a zero score) without a table or with an unknown language. */
bool ngramtab_score(const ngramtab *t, const int32_t *cp, size_t n, int lang,
                    ngram_score *out, float *acc);

/* ---- model.c: tables and classifier ---------------------------------- */

/* A table of words, each of a language ("" for any) with a value: the
 * stopwords (value 1) and the chrome-word log-odds.  Read-only once loaded,
 * so thread-safe. */

/* Whether (lang, word) is in the table; its value in *value. `word` is
 * lower-case UTF-8 as text_words() makes it. */
bool wordtab_get(const wordtab *t, const char *lang, const char *word, size_t len, float *value);
bool wordtab_has(const wordtab *t, const char *lang, const char *word, size_t len);
/* The same from precomputed hashes, so one hash of a word serves every
 * table: wordtab_hash(word), wordtab_lang_seed(lang) ("" for any). */
uint64_t wordtab_hash(const char *word, size_t len);
uint64_t wordtab_lang_seed(const char *lang);
bool wordtab_get_hashed(const wordtab *t, uint64_t lang_seed, uint64_t word_hash, float *value);
bool wordtab_word_langs_hashed(const wordtab *t, uint64_t word_hash, uint64_t bits[3]);
/* Whether the table has any word of the language. */
bool wordtab_knows(const wordtab *t, const char *lang);
/* The languages that have `word`, one bit per wordtab_lang_index; false if
 * none. */
bool wordtab_word_langs(const wordtab *t, const char *word, size_t len, uint64_t bits[3]);
int wordtab_lang_index(const wordtab *t, const char *lang);
#define WORDTAB_MAX_LANGS 160
size_t wordtab_n_langs(const wordtab *t);
/* The code of language index i ("und" if out of range). */
const char *wordtab_lang(const wordtab *t, int index);

/* Each feature enters the classifier as its scaled value and a one-hot bin
 * (up to BIN_EDGES + 1 bins between quantile edges learnt in training): a
 * linear model over these is an additive model of arbitrary per-feature
 * shapes.  Feature f owns expanded indices [f * EXPAND_STRIDE, (f + 1) *
 * EXPAND_STRIDE). */
#define BIN_EDGES 7
#define EXPAND_STRIDE (BIN_EDGES + 2)

/* A linear C-SVC collapsed to one weight vector per class pair. */
typedef struct linear {
    int n_classes;
    int class_label[SPILL_LABEL_COUNT];  /* class index -> spill_label */
    int n_pairs;             /* one-versus-one decision functions */
    int stride;              /* n_pairs rounded up to 4: a feature's row in w */
    float *w;                /* dim x stride: collapsed weights, by feature */
    double *rho, *prob_a, *prob_b;  /* per pair: bias, Platt sigmoid */
    double class_weight[SPILL_LABEL_COUNT];  /* prior correction, by class index */
} linear;

struct spill_model {
    spill_allocator alloc;
    char *dir;
    char *name;
    wordtab *stopwords;
    wordtab *chrome;         /* log-odds of a word standing in chrome, not content */
    wordtab *idf;            /* log(pages / pages with the word), training pages */
    float idf_max;           /* of a word seen on no page */
    wordtab *vocab;          /* words known in each language */
    ngramtab *ngrams;        /* letter trigrams of words, per language */
    /* The CLD2 language of each language index of the stopword and trigram
     * tables (CLD2_LANG_UNKNOWN where CLD2 has none), found once. */
    uint16_t stop_lang[WORDTAB_MAX_LANGS];
    uint16_t ngram_lang[NGRAM_MAX_LANGS];
    bool has_classifier;     /* false for a tables-only model */
    size_t n_features;
    double *lo, *hi;         /* training range of each feature */
    float *edges;            /* n_features x BIN_EDGES */
    uint8_t *n_edges;
    size_t dim;              /* n_features x EXPAND_STRIDE */
    linear main;             /* the labels of segments (model.svm) */
    linear foreign;          /* foreign against the rest (foreign.svm) */
    double smooth;           /* weight of the line posterior (or of each neighbour) */
    /* The label chain of lines (content, boilerplate, spillover), when the
     * manifest has it: transitions (from, to), the first line's, the
     * shares (to the power prior_power, as the lines' distributions carry
     * them).  Without it, smoothing mixes each line with its neighbours. */
    bool has_chain;
    double chain_trans[3][3], chain_init[3], chain_prior[3];
    double chain_final[3];  /* P(the page ends | a line's label); 1 if unknown */
};

/* ---- features.c ------------------------------------------------------- */

#define FEATURE_SCHEMA_NAME "spill-seg"
#define FEATURE_SCHEMA_VERSION 9

typedef struct page_work page_work;

/* Per-line numbers the later stages also use. */
typedef struct line_info {
    uint32_t cp;           /* non-space code points */
    uint32_t words;
    uint32_t letters;
    uint64_t hash;         /* of the normalised text; 0 for an empty line */
    uint64_t batch_hash;   /* linestats_line_hash, with batch counts only */
    uint32_t norm_len;     /* bytes of its case-folded words */
    uint32_t first_same;   /* index of the first line with the same hash */
    uint32_t prev_same;    /* index of the previous line with the same hash (itself if none) */
    uint32_t same_count;   /* lines on the page with that hash */
    float cohesion;        /* with the rest of the page, every line one vote */
    float topic;           /* with the page's main topic (features.c) */
} line_info;

/* The features score.c reads for its rules and reasons, kept for every
 * segment (page_work.kept) after the full vectors are gone. */
enum kept_feature {
    KEPT_COHESION = 1, KEPT_WORDS, KEPT_SEPARATORS, KEPT_URLS, KEPT_REPEAT_BATCH, KEPT_MOJIBAKE,
    KEPT_CONTROLS, KEPT_OTHER_CHARS, KEPT_SYMBOL_RUN, KEPT_SYMBOLS, KEPT_END_PUNCT,
    KEPT_WINDOW_LEN, KEPT_STOPWORDS, KEPT_SEG_WORDS, KEPT_SEG_ENDS_COLON,
    KEPT_END  /* one past the last: KEPT_END - 1 features are kept */
};
#define KEPT_COUNT (KEPT_END - 1)

/* Receives the feature vectors of segments first .. first + n - 1
 * (n x features_count() floats, valid during the call). */
typedef spill_status (*features_sink)(page_work *w, size_t first, size_t n, const float *rows,
                                      void *user);

/* Computes every segment's feature vector, handing them to sink a block of
 * segments at a time (a page's vectors are never all held), and fills
 * page_work.kept. */
spill_status features_compute(page_work *w, features_sink sink, void *user);
#define FEATURES_MAX 128  /* features_count() is at most this */
size_t features_count(void);
const char *features_name(size_t i);
/* Index of the feature called `name`, or -1. */
int features_index(const char *name);

/* Normalised hash of line `line` from the page's words (case folded,
 * numbers as one token, punctuation and spacing ignored), shared by
 * repetition within the page and across the batch; 0 for a line without
 * words.  *norm_len: bytes of its case-folded words. */
uint64_t features_line_hash(const word_table *t, size_t line, uint32_t *norm_len);

/* ---- linestats.c: pages of the batch holding a line ------------------- */

/* The batch hash of the line text[b0, b1) (see linestats.c); 0 for a line
 * with no letter or digit. */
uint64_t linestats_line_hash(const char *text, uint32_t b0, uint32_t b1);
/* Pages added to `s` holding a line of this linestats_line_hash (never
 * fewer than the truth). */
uint32_t linestats_count(const spill_linestats *s, uint64_t hash);

/* ---- classify.c ------------------------------------------------------- */

/* Class probabilities of segments first .. first + n - 1 into page_work.prob
 * (allocated at first == 0): a features_sink. */
spill_status classify_segments(page_work *w, size_t first, size_t n, const float *rows,
                               void *user);
/* Smooths the probabilities over neighbouring segments, once all are in. */
spill_status classify_finish(page_work *w);

/* The expanded sparse vector of raw features x: at most 2 entries a
 * feature, indices ascending, into idx/val; returns their number.  Shared
 * with training (svm_train.c), so both see the same vectors. */
size_t classify_expand(size_t nf, const double *lo, const double *hi, const float *edges,
                       const uint8_t *n_edges, const float *x, int *idx, double *val);

/* Class probabilities of one expanded vector under a linear model, by class
 * index, prior correction applied. */
void classify_probs(const linear *l, const int *idx, const double *val, size_t n, double *probs);

enum { LINE_CLASSES = 3 };  /* the labels of lines: content, boilerplate, spillover */

/* Replaces each of nl lines' label distributions with its posterior under
 * the model's chain of line labels (has_chain): forward-backward, fw and bw
 * scratch of nl rows. */
void classify_chain_posterior(const spill_model *m, float (*dist)[LINE_CLASSES], size_t nl,
                              double (*fw)[LINE_CLASSES], double (*bw)[LINE_CLASSES]);

/* ---- score.c ---------------------------------------------------------- */

spill_status score_page(page_work *w);

/* ---- the page being processed (annotate.c) --------------------------- */


struct page_work {
    arena *a;
    const spill_model *model;
    const spill_hints *hints;
    const char *text;
    size_t len;
    line *lines;
    size_t n_lines;
    line_info *li;
    word_table words;
    script_result scripts;
    lang_result langs;
    float *kept;           /* n_segs x KEPT_COUNT: the features score.c reads */
    float *prob;           /* n_segs x SPILL_LABEL_COUNT */
    uint8_t *label;        /* per segment */
    const char **why;      /* per segment */
    spill_page page;       /* the result */
};

/* The last page's working state of a context (for tests and diagnosis). */
const page_work *annotate_work(const spill_ctx *c);

#endif
