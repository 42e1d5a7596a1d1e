/*
 * model.c - loads and validates a model directory.
 *
 *   models/<name>/manifest.txt   "spill-model 1", then "key = value" lines
 *   models/<name>/model.svm      a linear C-SVC in libsvm's own text format
 *   models/<name>/foreign.svm    the same, foreign against every other label
 *   models/<name>/features.tsv   per feature: training range and bin edges
 *   models/<name>/stopwords.tsv  "lang<TAB>word" lines, derived by training/
 *   models/<name>/chrome.tsv     "*<TAB>word<TAB>log-odds" of chrome vs content
 *   models/<name>/idf.tsv        "*<TAB>word<TAB>idf" over the training pages; "<unseen>"
 *                                is the weight of words on no training page
 *   models/<name>/vocab.tsv      "lang<TAB>word": words known per language
 *   models/<name>/ngrams.tsv     letter trigrams of words per language (ngram.c)
 *
 * The manifest names the feature schema the classifier was trained on; a
 * model whose format, schema name, version or feature list differs from this
 * code's is refused, naming both.  Every field is validated before use and
 * the other files are checked against the XXH64 checksums in the manifest,
 * so a truncated or altered model is an error naming the file and line,
 * never a model loaded by half.  Unknown keys are skipped.
 *
 * libsvm's loader switches the process locale while it reads and prints
 * through a process-wide hook: load models before starting threads.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <svm.h>
#include <xxhash.h>

#include "cld2_shim.h"
#include "internal.h"

#ifndef SPILL_MODEL_NAME
#define SPILL_MODEL_NAME "spill-1"
#endif
#ifndef SPILL_INSTALL_MODEL_DIR
#define SPILL_INSTALL_MODEL_DIR "/usr/local/share/spill/models/" SPILL_MODEL_NAME
#endif
#ifndef SPILL_SOURCE_MODEL_DIR
#define SPILL_SOURCE_MODEL_DIR "models/" SPILL_MODEL_NAME
#endif

/* ---- errors ---------------------------------------------------------- */


void *model_fail(spill_error *err, spill_status st, const char *fmt, ...)
{
    if (err) {
        err->status = st;
        err->offset = -1;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

/* ---- files ----------------------------------------------------------- */

/* Reads a whole file, NUL-terminated; NULL with errno set on failure
 * (ENOMEM when an allocation failed). */
static char *slurp(const spill_allocator *al, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    bool nomem = false;
    size_t cap = 1 << 16, n = 0;
    char *buf = mem_alloc(al, cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *nb = mem_realloc(al, buf, cap * 2);
        if (!nb) {
            mem_free(al, buf);
            buf = NULL;
            nomem = true;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (!buf)
        nomem = true;
    bool io = buf && ferror(f);
    if (io) {
        mem_free(al, buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    if (nomem)
        errno = ENOMEM;
    else if (io)
        errno = EIO;
    return buf;
}

static char *path_join(const spill_allocator *al, const char *dir, const char *file)
{
    size_t a = strlen(dir), b = strlen(file);
    char *p = mem_alloc(al, a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, file, b + 1);
    }
    return p;
}

/* ---- numbers ------------------------------------------------------------ */

float model_float(const char *s, char **end)
{
    /* The tables hold hundreds of thousands of numbers like "-5.553":
     * exactly strtof's value, read in a few instructions (a mantissa of at
     * most 15 digits and its power of ten are exact doubles, their quotient
     * rounded once more to float); anything else goes to strtof. */
    static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14};
    const char *p = s;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    uint64_t m = 0;
    int digits = 0, frac = 0;
    for (; *p >= '0' && *p <= '9' && digits < 15; p++, digits++)
        m = m * 10 + (uint64_t)(*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && digits < 15; p++, digits++, frac++)
            m = m * 10 + (uint64_t)(*p - '0');
    if (!digits || (*p >= '0' && *p <= '9') || *p == 'e' || *p == 'E' || *p == '.' ||
        (p[-1] == '.'))
        return strtof(s, end);
    *end = (char *)p;
    double v = (double)m / POW10[frac];
    return (float)(neg ? -v : v);
}

/* ---- word tables ------------------------------------------------------ */

struct wordtab {
    uint64_t *keys;       /* open addressing; 0 = empty */
    float *vals;
    size_t mask;
    char langs[WORDTAB_MAX_LANGS][12];  /* languages with at least one word */
    size_t n_langs;
    /* Which languages have each word, keyed by the word alone: a bit per
     * entry of langs. */
    uint64_t *wkeys;
    uint64_t (*wbits)[3];
};

uint64_t wordtab_hash(const char *word, size_t len)
{
    return text_hash(word, len);
}

uint64_t wordtab_lang_seed(const char *lang)
{
    return *lang ? XXH3_64bits(lang, strlen(lang)) : 0;
}

/* The table key of (language, word) from the word's hash: one hash of the
 * word serves every table and language (a splitmix64 finaliser mixes). */
static uint64_t mix_key(uint64_t lang_seed, uint64_t word_hash)
{
    uint64_t z = word_hash ^ lang_seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return z ? z : 1;
}

bool wordtab_get(const wordtab *t, const char *lang, const char *word, size_t len, float *value)
{
    return wordtab_get_hashed(t, wordtab_lang_seed(lang), wordtab_hash(word, len), value);
}

bool wordtab_get_hashed(const wordtab *t, uint64_t lang_seed, uint64_t word_hash, float *value)
{
    if (!t)
        return false;
    uint64_t k = mix_key(lang_seed, word_hash);
    for (size_t i = (size_t)k & t->mask;; i = (i + 1) & t->mask) {
        if (t->keys[i] == k) {
            if (value)
                *value = t->vals[i];
            return true;
        }
        if (!t->keys[i])
            return false;
    }
}

bool wordtab_word_langs(const wordtab *t, const char *word, size_t len, uint64_t bits[3])
{
    return wordtab_word_langs_hashed(t, wordtab_hash(word, len), bits);
}

bool wordtab_word_langs_hashed(const wordtab *t, uint64_t word_hash, uint64_t bits[3])
{
    bits[0] = bits[1] = bits[2] = 0;
    if (!t || !t->wkeys)
        return false;
    uint64_t k = mix_key(0, word_hash);
    for (size_t i = (size_t)k & t->mask;; i = (i + 1) & t->mask) {
        if (t->wkeys[i] == k) {
            memcpy(bits, t->wbits[i], sizeof t->wbits[i]);
            return true;
        }
        if (!t->wkeys[i])
            return false;
    }
}

int wordtab_lang_index(const wordtab *t, const char *lang)
{
    for (size_t i = 0; t && i < t->n_langs; i++)
        if (!strcmp(t->langs[i], lang))
            return (int)i;
    return -1;
}

const char *wordtab_lang(const wordtab *t, int index)
{
    return t && index >= 0 && (size_t)index < t->n_langs ? t->langs[index] : "und";
}

bool wordtab_has(const wordtab *t, const char *lang, const char *word, size_t len)
{
    return wordtab_get(t, lang, word, len, NULL);
}

size_t wordtab_n_langs(const wordtab *t)
{
    return t ? t->n_langs : 0;
}

bool wordtab_knows(const wordtab *t, const char *lang)
{
    if (!t)
        return false;
    for (size_t i = 0; i < t->n_langs; i++)
        if (!strcmp(t->langs[i], lang))
            return true;
    return false;
}

static void wordtab_free(const spill_allocator *al, wordtab *t)
{
    if (t) {
        mem_free(al, t->keys);
        mem_free(al, t->vals);
        mem_free(al, t->wkeys);
        mem_free(al, t->wbits);
        mem_free(al, t);
    }
}

/* Parses "lang<TAB>word[<TAB>value]" lines ("*" for any language); '#'
 * starts a comment.  Consumes `text`. */
static wordtab *wordtab_parse(const spill_allocator *al, const char *path, char *text,
                              bool word_langs, spill_error *err)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    wordtab *t = mem_alloc(al, sizeof *t);
    if (!t)
        return model_fail(err, SPILL_E_NOMEM, "out of memory reading %s", path);
    memset(t, 0, sizeof *t);
    size_t cap = 64;
    while (cap < n * 2 + 2)
        cap *= 2;
    t->keys = mem_alloc(al, cap * sizeof *t->keys);
    t->vals = mem_alloc(al, cap * sizeof *t->vals);
    if (word_langs) {
        t->wkeys = mem_alloc(al, cap * sizeof *t->wkeys);
        t->wbits = mem_alloc(al, cap * sizeof *t->wbits);
    }
    if (!t->keys || !t->vals || (word_langs && (!t->wkeys || !t->wbits))) {
        wordtab_free(al, t);
        return model_fail(err, SPILL_E_NOMEM, "out of memory reading %s", path);
    }
    memset(t->keys, 0, cap * sizeof *t->keys);
    if (word_langs) {
        memset(t->wkeys, 0, cap * sizeof *t->wkeys);
        memset(t->wbits, 0, cap * sizeof *t->wbits);
    }
    t->mask = cap - 1;
    size_t lineno = 0;
    char last_lang[12] = "";
    int last_index = -1;
    uint64_t last_seed = 0;
    for (char *p = text; *p;) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        lineno++;
        if (*p && *p != '#') {
            char *tab = strchr(p, '\t');
            char *tab2 = tab ? strchr(tab + 1, '\t') : NULL;
            char *end = NULL;
            float value = 1.0f;
            if (tab2) {
                *tab2 = 0;
                errno = 0;
                value = model_float(tab2 + 1, &end);
            }
            if (!tab || tab == p || tab - p >= 12 || !tab[1] || (tab2 && (errno || *end))) {
                wordtab_free(al, t);
                return model_fail(err, SPILL_E_MODEL_FORMAT,
                            "%s:%zu: expected \"lang<TAB>word[<TAB>value]\"", path, lineno);
            }
            *tab = 0;
            const char *lang = strcmp(p, "*") ? p : "";
            /* Rows come sorted by language: the last row's, remembered,
             * spares a search of the languages and a hash of the code. */
            if (strcmp(lang, last_lang)) {
                last_index = *lang ? wordtab_lang_index(t, lang) : -1;
                if (*lang && last_index < 0) {
                    if (t->n_langs == sizeof t->langs / sizeof t->langs[0]) {
                        wordtab_free(al, t);
                        return model_fail(err, SPILL_E_MODEL_FORMAT, "%s:%zu: too many languages",
                                    path, lineno);
                    }
                    strcpy(t->langs[t->n_langs], lang);
                    last_index = (int)t->n_langs++;
                }
                snprintf(last_lang, sizeof last_lang, "%s", lang);
                last_seed = wordtab_lang_seed(lang);
            }
            uint64_t word_hash = wordtab_hash(tab + 1, strlen(tab + 1));
            uint64_t k = mix_key(last_seed, word_hash);
            size_t i = (size_t)k & t->mask;
            while (t->keys[i] && t->keys[i] != k)
                i = (i + 1) & t->mask;
            t->keys[i] = k;
            t->vals[i] = value;
            int li = last_index;
            if (word_langs && li >= 0 && li < 192) {
                uint64_t wk = mix_key(0, word_hash);
                size_t j = (size_t)wk & t->mask;
                while (t->wkeys[j] && t->wkeys[j] != wk)
                    j = (j + 1) & t->mask;
                t->wkeys[j] = wk;
                t->wbits[j][li / 64] |= 1ull << (li % 64);
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return t;
}

/* ---- the manifest ----------------------------------------------------- */

typedef struct manifest {
    char *text;
    size_t n;
    char *key[64];
    char *val[64];
    size_t line[64];
} manifest;

static const char *mf_get(const manifest *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->key[i], key))
            return m->val[i];
    return NULL;
}

static size_t mf_line(const manifest *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->key[i], key))
            return m->line[i];
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

static bool mf_parse(manifest *m, const char *path, spill_error *err)
{
    char *p = m->text;
    char *eol = strchr(p, '\n');
    if (eol)
        *eol = 0;
    int format = 0;
    if (sscanf(p, "spill-model %d", &format) != 1) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s:1: not a spill model manifest", path);
        return false;
    }
    if (format != SPILL_MODEL_FORMAT) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s:1: model format %d, this spill reads format %d",
             path, format, SPILL_MODEL_FORMAT);
        return false;
    }
    size_t lineno = 1;
    while (eol) {
        p = eol + 1;
        eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        lineno++;
        char *t = trim(p);
        if (!*t || *t == '#')
            continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            model_fail(err, SPILL_E_MODEL_FORMAT, "%s:%zu: expected \"key = value\"", path, lineno);
            return false;
        }
        *eq = 0;
        if (m->n == sizeof m->key / sizeof m->key[0]) {
            model_fail(err, SPILL_E_MODEL_FORMAT, "%s:%zu: too many keys", path, lineno);
            return false;
        }
        m->key[m->n] = trim(t);
        m->val[m->n] = trim(eq + 1);
        m->line[m->n] = lineno;
        m->n++;
    }
    return true;
}

/* The feature list of the manifest must equal the code's, in order. */
static bool check_schema(const manifest *m, const char *path, spill_error *err)
{
    const char *name = mf_get(m, "schema");
    const char *ver = mf_get(m, "schema_version");
    const char *feats = mf_get(m, "features");
    if (!name || !ver || !feats) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s: missing schema, schema_version or features",
                   path);
        return false;
    }
    if (strcmp(name, FEATURE_SCHEMA_NAME) || atoi(ver) != FEATURE_SCHEMA_VERSION) {
        model_fail(err, SPILL_E_MODEL_SCHEMA,
             "%s:%zu: model has feature schema %s v%s, this spill computes %s v%d", path,
             mf_line(m, "schema"), name, ver, FEATURE_SCHEMA_NAME, FEATURE_SCHEMA_VERSION);
        return false;
    }
    const char *p = feats;
    size_t i = 0;
    for (;; i++) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, " ");
        const char *want = features_name(i);
        if (!want || strlen(want) != n || strncmp(p, want, n)) {
            model_fail(err, SPILL_E_MODEL_SCHEMA,
                 "%s:%zu: feature %zu is \"%.*s\" in the model, \"%s\" in this spill "
                 "(schema %s v%d)",
                 path, mf_line(m, "features"), i + 1, (int)n, p, want ? want : "(none)",
                 FEATURE_SCHEMA_NAME, FEATURE_SCHEMA_VERSION);
            return false;
        }
        p += n;
    }
    if (i != features_count()) {
        model_fail(err, SPILL_E_MODEL_SCHEMA, "%s: model has %zu features, this spill computes %zu",
             path, i, features_count());
        return false;
    }
    return true;
}

/* The status for a file that could not be read. */
static spill_status read_status(void)
{
    return errno == ENOMEM ? SPILL_E_NOMEM : SPILL_E_MODEL_FORMAT;
}

/* Reads a companion file of the model; with a manifest, checks it against
 * the manifest's checksum key. */
static char *load_file(const spill_allocator *al, const manifest *m, const char *dir,
                       const char *file, const char *key, spill_error *err)
{
    char *path = path_join(al, dir, file);
    if (!path)
        return model_fail(err, SPILL_E_NOMEM, "out of memory");
    size_t len = 0;
    char *text = slurp(al, path, &len);
    if (!text) {
        model_fail(err, read_status(), "%s: cannot read: %s", path, strerror(errno));
        mem_free(al, path);
        return NULL;
    }
    if (m) {
        const char *want = mf_get(m, key);
        char got[17];
        snprintf(got, sizeof got, "%016llx", (unsigned long long)XXH64(text, len, 0));
        if (!want || strcmp(want, got)) {
            model_fail(err, SPILL_E_MODEL_FORMAT,
                 "%s: checksum %s does not match the manifest's %s = %s: the file is "
                 "truncated or altered",
                 path, got, key, want ? want : "(missing)");
            mem_free(al, text);
            mem_free(al, path);
            return NULL;
        }
    }
    mem_free(al, path);
    return text;
}

/* A table of words; with word_langs, also which languages have each word
 * (wordtab_word_langs: the stopwords). */
static wordtab *load_wordtab(const spill_allocator *al, const manifest *m, const char *dir,
                             const char *file, const char *key, bool word_langs,
                             spill_error *err)
{
    char *text = load_file(al, m, dir, file, key, err);
    if (!text)
        return NULL;
    char *path = path_join(al, dir, file);
    wordtab *t = path ? wordtab_parse(al, path, text, word_langs, err)
                      : model_fail(err, SPILL_E_NOMEM, "out of memory");
    mem_free(al, path);
    mem_free(al, text);
    return t;
}

static bool load_tables(spill_model *m, const manifest *mf, const char *dir, spill_error *err)
{
    m->stopwords = load_wordtab(&m->alloc, mf, dir, "stopwords.tsv", "stopwords_xxh64", true, err);
    if (!m->stopwords)
        return false;
    m->chrome = load_wordtab(&m->alloc, mf, dir, "chrome.tsv", "chrome_xxh64", false, err);
    if (!m->chrome)
        return false;
    m->idf = load_wordtab(&m->alloc, mf, dir, "idf.tsv", "idf_xxh64", false, err);
    if (!m->idf)
        return false;
    /* A word on no training page: the table's "<unseen>", a key no word
     * can be ('<' is no letter). */
    float idf;
    m->idf_max = wordtab_get(m->idf, "", "<unseen>", 8, &idf) ? idf : 8.0f;
    m->vocab = load_wordtab(&m->alloc, mf, dir, "vocab.tsv", "vocab_xxh64", false, err);
    if (!m->vocab)
        return false;
    char *text = load_file(&m->alloc, mf, dir, "ngrams.tsv", "ngrams_xxh64", err);
    char *path = text ? path_join(&m->alloc, dir, "ngrams.tsv") : NULL;
    if (text && path)
        m->ngrams = ngramtab_parse(&m->alloc, path, text, err);
    else if (text)
        model_fail(err, SPILL_E_NOMEM, "out of memory");
    mem_free(&m->alloc, path);
    mem_free(&m->alloc, text);
    if (!m->ngrams)
        return false;
    for (size_t i = 0; i < WORDTAB_MAX_LANGS; i++)
        m->stop_lang[i] = i < wordtab_n_langs(m->stopwords)
                              ? lang_from_code(wordtab_lang(m->stopwords, (int)i))
                              : CLD2_LANG_UNKNOWN;
    for (size_t i = 0; i < NGRAM_MAX_LANGS; i++)
        m->ngram_lang[i] = i < ngramtab_n_langs(m->ngrams)
                               ? lang_from_code(ngramtab_lang(m->ngrams, (int)i))
                               : CLD2_LANG_UNKNOWN;
    return true;
}

bool features_table_parse(const char *path, char *text, double *lo, double *hi, float *edges,
                          uint8_t *n_edges, spill_error *err)
{
    size_t nf = features_count(), f = 0, lineno = 0;
    for (char *p = text; *p && f <= nf;) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        lineno++;
        if (*p && *p != '#') {
            char *cols[4] = {p, NULL, NULL, NULL};
            for (int k = 1; k < 4; k++) {
                char *tab = strchr(cols[k - 1], '\t');
                if (!tab) {
                    model_fail(err, SPILL_E_MODEL_FORMAT, "%s:%zu: expected name, lo, hi, edges",
                         path, lineno);
                    return false;
                }
                *tab = 0;
                cols[k] = tab + 1;
            }
            const char *want = features_name(f);
            if (!want || strcmp(cols[0], want)) {
                model_fail(err, SPILL_E_MODEL_SCHEMA,
                           "%s:%zu: feature \"%s\", this spill computes \"%s\"", path, lineno,
                           cols[0], want ? want : "(none)");
                return false;
            }
            double e[BIN_EDGES + 1];
            char *end;
            lo[f] = strtod(cols[1], &end);
            bool ok = end != cols[1] && !*end;
            hi[f] = strtod(cols[2], &end);
            ok = ok && end != cols[2] && !*end && hi[f] >= lo[f];
            size_t ne = 0;
            for (char *q = cols[3]; ok && *q;) {
                while (*q == ' ')
                    q++;
                if (!*q)
                    break;
                if (ne == BIN_EDGES) {
                    ok = false;
                    break;
                }
                e[ne] = strtod(q, &end);
                ok = end != q && (ne == 0 || e[ne] > e[ne - 1]);
                q = end;
                ne++;
            }
            if (!ok) {
                model_fail(err, SPILL_E_MODEL_FORMAT,
                     "%s:%zu: bad range or bin edges (at most %d, increasing)", path, lineno,
                     BIN_EDGES);
                return false;
            }
            for (size_t k = 0; k < ne; k++)
                edges[f * BIN_EDGES + k] = (float)e[k];
            n_edges[f] = (uint8_t)ne;
            f++;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    if (f != nf) {
        model_fail(err, SPILL_E_MODEL_SCHEMA, "%s: %zu features, this spill computes %zu", path, f,
                   nf);
        return false;
    }
    return true;
}

static void svm_quiet(const char *s)
{
    (void)s;
}

/* The linear SVM's one-versus-one decision functions, each collapsed into
 * one weight vector: w = sum of coef * SV.  Prediction is then one sparse
 * dot product a class pair, however many support vectors training left. */
static bool collapse(spill_model *m, linear *l, const struct svm_model *svm, const char *path,
                     spill_error *err)
{
    int k = svm->nr_class;
    l->n_classes = k;
    l->n_pairs = k * (k - 1) / 2;
    l->stride = (l->n_pairs + 3) & ~3;
    const spill_allocator *al = &m->alloc;
    l->w = mem_alloc(al, (size_t)l->stride * m->dim * sizeof *l->w);
    l->rho = mem_alloc(al, (size_t)l->n_pairs * sizeof *l->rho);
    l->prob_a = mem_alloc(al, (size_t)l->n_pairs * sizeof *l->prob_a);
    l->prob_b = mem_alloc(al, (size_t)l->n_pairs * sizeof *l->prob_b);
    if (!l->w || !l->rho || !l->prob_a || !l->prob_b) {
        model_fail(err, SPILL_E_NOMEM, "out of memory");
        return false;
    }
    memset(l->w, 0, (size_t)l->stride * m->dim * sizeof *l->w);
    int start[SPILL_LABEL_COUNT + 1];
    start[0] = 0;
    for (int i = 0; i < k; i++)
        start[i + 1] = start[i] + svm->nSV[i];
    int p = 0;
    for (int i = 0; i < k; i++) {
        for (int j = i + 1; j < k; j++, p++) {
            /* Class i's vectors carry coefficients in sv_coef[j - 1], class
             * j's in sv_coef[i] (libsvm's layout). */
            for (int side = 0; side < 2; side++) {
                int cls = side ? j : i;
                const double *coef = svm->sv_coef[side ? i : j - 1];
                for (int s = start[cls]; s < start[cls + 1]; s++) {
                    for (const struct svm_node *x = svm->SV[s]; x->index != -1; x++) {
                        if (x->index < 1 || (size_t)x->index > m->dim) {
                            model_fail(err, SPILL_E_MODEL_FORMAT,
                                       "%s: feature index %d out of range", path, x->index);
                            return false;
                        }
                        /* Stored by feature: a feature's pair weights
                         * are contiguous for prediction, in rows padded
                         * with zeros to a multiple of four. */
                        l->w[(size_t)(x->index - 1) * l->stride + p] +=
                            (float)(coef[s] * x->value);
                    }
                }
            }
            l->rho[p] = svm->rho[p];
            l->prob_a[p] = svm->probA[p];
            l->prob_b[p] = svm->probB[p];
        }
    }
    return true;
}

/* Class weights from a manifest's class ratios (true share / sample share
 * of each class in training) raised to a power. */
static bool class_weights(linear *l, const manifest *mf, const char *dir, const char *key,
                          double power, spill_error *err)
{
    const char *ratio = mf_get(mf, key);
    for (int k = 0; k < l->n_classes; k++) {
        double r = 1.0;
        if (ratio) {
            char *end;
            r = strtod(ratio, &end);
            if (end == ratio || !(r > 0)) {
                model_fail(err, SPILL_E_MODEL_FORMAT,
                           "%s/manifest.txt:%zu: %s needs %d positive numbers", dir,
                           mf_line(mf, key), key, l->n_classes);
                return false;
            }
            ratio = end;
        }
        l->class_weight[k] = pow(r, power);
    }
    return true;
}

/* n positive numbers of a manifest key into v; false (err filled) if the key
 * holds other than that. */
static bool positive_numbers(const manifest *mf, const char *dir, const char *key, double *v,
                             size_t n, spill_error *err)
{
    const char *p = mf_get(mf, key);
    for (size_t i = 0; i < n; i++) {
        char *end;
        v[i] = p ? strtod(p, &end) : 0;
        if (!p || end == p || !(v[i] > 0)) {
            model_fail(err, SPILL_E_MODEL_FORMAT,
                       "%s/manifest.txt:%zu: %s needs %zu positive numbers", dir, mf_line(mf, key),
                       key, n);
            return false;
        }
        p = end;
    }
    return true;
}

/* The label chain of lines (line_transitions, line_initial, line_prior),
 * if the manifest has it: all three or none; and line_final, how often a
 * line of each label is a page's last, if it has that too. */
static bool load_chain(spill_model *m, const manifest *mf, const char *dir, spill_error *err)
{
    if (!mf_get(mf, "line_transitions") && !mf_get(mf, "line_initial") &&
        !mf_get(mf, "line_prior"))
        return true;
    if (!positive_numbers(mf, dir, "line_transitions", &m->chain_trans[0][0], 9, err) ||
        !positive_numbers(mf, dir, "line_initial", m->chain_init, 3, err) ||
        !positive_numbers(mf, dir, "line_prior", m->chain_prior, 3, err))
        return false;
    m->chain_final[0] = m->chain_final[1] = m->chain_final[2] = 1.0;
    if (mf_get(mf, "line_final") && !positive_numbers(mf, dir, "line_final", m->chain_final, 3, err))
        return false;
    m->has_chain = true;
    return true;
}

/* Loads one libsvm model file of the directory into l. */
static bool load_linear(spill_model *m, linear *l, const manifest *mf, const char *dir,
                        const char *file, const char *key, spill_error *err)
{
    const spill_allocator *al = &m->alloc;
    char *text = load_file(al, mf, dir, file, key, err);
    if (!text)
        return false;
    mem_free(al, text);
    char *path = path_join(al, dir, file);
    if (!path) {
        model_fail(err, SPILL_E_NOMEM, "out of memory");
        return false;
    }
    svm_set_print_string_function(svm_quiet);
    struct svm_model *svm = svm_load_model(path);
    bool ok = false;
    if (!svm) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s: libsvm cannot read it", path);
    } else if (svm->param.svm_type != C_SVC || svm->param.kernel_type != LINEAR) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s: not a linear C-SVC model", path);
    } else if (!svm_check_probability_model(svm) || !svm->probA || !svm->probB) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s: model has no probability estimates", path);
    } else if (svm->nr_class < 2 || svm->nr_class > SPILL_LABEL_COUNT) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s: %d classes", path, svm->nr_class);
    } else {
        ok = true;
        for (int i = 0; ok && i < svm->nr_class; i++) {
            /* libsvm's integer labels are spill_label values. */
            ok = svm->label[i] >= 0 && svm->label[i] < SPILL_LABEL_COUNT;
            if (ok)
                l->class_label[i] = svm->label[i];
            else
                model_fail(err, SPILL_E_MODEL_FORMAT, "%s: class label %d is no spill label", path,
                     svm->label[i]);
        }
        ok = ok && collapse(m, l, svm, path, err);
    }
    if (svm)
        svm_free_and_destroy_model(&svm);
    mem_free(al, path);
    return ok;
}

static void free_linear(const spill_allocator *al, linear *l)
{
    mem_free(al, l->w);
    mem_free(al, l->rho);
    mem_free(al, l->prob_a);
    mem_free(al, l->prob_b);
}

static bool load_classifier(spill_model *m, const manifest *mf, const char *dir,
                            spill_error *err)
{
    const spill_allocator *al = &m->alloc;
    size_t nf = features_count();
    m->n_features = nf;
    m->lo = mem_alloc(al, nf * sizeof *m->lo);
    m->hi = mem_alloc(al, nf * sizeof *m->hi);
    m->edges = mem_alloc(al, nf * BIN_EDGES * sizeof *m->edges);
    m->n_edges = mem_alloc(al, nf * sizeof *m->n_edges);
    if (!m->lo || !m->hi || !m->edges || !m->n_edges) {
        model_fail(err, SPILL_E_NOMEM, "out of memory");
        return false;
    }
    char *ft = load_file(al, mf, dir, "features.tsv", "features_xxh64", err);
    if (!ft)
        return false;
    char *ftpath = path_join(al, dir, "features.tsv");
    bool ok = ftpath ? features_table_parse(ftpath, ft, m->lo, m->hi, m->edges, m->n_edges, err)
                     : model_fail(err, SPILL_E_NOMEM, "out of memory") != NULL;
    mem_free(al, ftpath);
    mem_free(al, ft);
    if (!ok)
        return false;

    m->dim = nf * EXPAND_STRIDE;
    if (!load_linear(m, &m->main, mf, dir, "model.svm", "model_svm_xxh64", err) ||
        !load_linear(m, &m->foreign, mf, dir, "foreign.svm", "foreign_svm_xxh64", err))
        return false;
    if (m->foreign.n_classes != 2 || m->foreign.class_label[0] + m->foreign.class_label[1] !=
                                         SPILL_LABEL_CONTENT + SPILL_LABEL_FOREIGN) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s/foreign.svm: not foreign against the rest", dir);
        return false;
    }
    /* Training balanced the classes; the true shares differ by the class
     * ratios (true share / sample share).  prior_power in [0, 1] says how
     * much of that correction applies to the main model, prior_power_rare
     * to the foreign model (both tuned on held-out train pages). */
    const char *pw = mf_get(mf, "prior_power"), *pr = mf_get(mf, "prior_power_rare");
    double power = pw ? strtod(pw, NULL) : 0.0, power_rare = pr ? strtod(pr, NULL) : power;
    if (!(power >= 0 && power <= 1) || !(power_rare >= 0 && power_rare <= 1)) {
        model_fail(err, SPILL_E_MODEL_FORMAT,
             "%s/manifest.txt:%zu: prior_power and prior_power_rare must be in [0, 1]", dir,
             mf_line(mf, pw && !(power >= 0 && power <= 1) ? "prior_power" : "prior_power_rare"));
        return false;
    }
    if (!class_weights(&m->main, mf, dir, "class_ratio", power, err) ||
        !class_weights(&m->foreign, mf, dir, "foreign_class_ratio", power_rare, err))
        return false;
    /* And a weight on content against the other line labels (tuned too). */
    const char *cw = mf_get(mf, "content_weight");
    double content_weight = cw ? strtod(cw, NULL) : 1.0;
    if (!(content_weight > 0 && content_weight <= 10)) {
        model_fail(err, SPILL_E_MODEL_FORMAT,
                   "%s/manifest.txt:%zu: content_weight must be in (0, 10]", dir,
                   mf_line(mf, "content_weight"));
        return false;
    }
    for (int k = 0; k < m->main.n_classes; k++)
        if (m->main.class_label[k] == SPILL_LABEL_CONTENT)
            m->main.class_weight[k] *= content_weight;
    if (!load_chain(m, mf, dir, err))
        return false;
    /* The lines' distributions carry the class shares to the power
     * prior_power (the correction above): dividing by as much makes them
     * the evidence of each line under the chain. */
    double sum = 0;
    for (int y = 0; m->has_chain && y < 3; y++)
        sum += m->chain_prior[y] = pow(m->chain_prior[y], power);
    for (int y = 0; m->has_chain && y < 3; y++)
        m->chain_prior[y] /= sum;
    const char *sm = mf_get(mf, "smooth");
    m->smooth = sm ? strtod(sm, NULL) : 0.0;
    double smooth_max = m->has_chain ? 1.0 : 0.5;
    if (!(m->smooth >= 0 && m->smooth <= smooth_max)) {
        model_fail(err, SPILL_E_MODEL_FORMAT, "%s/manifest.txt:%zu: smooth must be in [0, %g]", dir,
             mf_line(mf, "smooth"), smooth_max);
        return false;
    }
    m->has_classifier = true;
    return true;
}

/* Where the default model is: $SPILL_MODEL; next to the program
 * (PREFIX/bin/spill -> PREFIX/share/spill/models/NAME, so an installed tree
 * can move); the installed data directory; the source tree of the build. */
static const char *default_dir(char *buf, size_t cap)
{
    const char *env = getenv("SPILL_MODEL");
    if (env && *env)
        return env;
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(buf, cap, "%s/../share/spill/models/%s", exe, SPILL_MODEL_NAME);
            char probe[4096 + 32];
            snprintf(probe, sizeof probe, "%s/manifest.txt", buf);
            if (access(probe, R_OK) == 0)
                return buf;
        }
    }
    const char *candidates[] = {SPILL_INSTALL_MODEL_DIR, SPILL_SOURCE_MODEL_DIR};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        snprintf(buf, cap, "%s/manifest.txt", candidates[i]);
        if (access(buf, R_OK) == 0)
            return candidates[i];
    }
    return NULL;
}

static spill_model *load(const char *dir, const spill_options *opts, bool tables_only,
                         spill_error *err)
{
    char probe[4096];
    if (!dir && !(dir = default_dir(probe, sizeof probe)))
        return model_fail(err, SPILL_E_MODEL_FORMAT,
                    "no model found: set SPILL_MODEL or pass a model directory");
    spill_options o = opts ? *opts : spill_options_default();
    spill_model *m = mem_alloc(&o.alloc, sizeof *m);
    if (!m)
        return model_fail(err, SPILL_E_NOMEM, "out of memory");
    memset(m, 0, sizeof *m);
    m->alloc = o.alloc;
    const spill_allocator *al = &m->alloc;
    manifest mf = {0};
    char *mpath = path_join(al, dir, "manifest.txt");
    m->dir = mem_strdup(al, dir);
    if (!mpath || !m->dir) {
        model_fail(err, SPILL_E_NOMEM, "out of memory");
        goto fail;
    }
    if (tables_only && access(mpath, F_OK) != 0) {
        /* A directory with only the tables, as training makes them. */
        m->name = mem_strdup(al, "tables");
        if (!m->name) {
            model_fail(err, SPILL_E_NOMEM, "out of memory");
            goto fail;
        }
        if (!load_tables(m, NULL, dir, err))
            goto fail;
        mem_free(al, mpath);
        return m;
    }
    size_t len;
    mf.text = slurp(al, mpath, &len);
    if (!mf.text) {
        model_fail(err, read_status(), "%s: cannot read: %s", mpath, strerror(errno));
        goto fail;
    }
    if (!mf_parse(&mf, mpath, err) || !check_schema(&mf, mpath, err))
        goto fail;
    const char *name = mf_get(&mf, "name");
    m->name = mem_strdup(al, name ? name : "unnamed");
    if (!m->name) {
        model_fail(err, SPILL_E_NOMEM, "out of memory");
        goto fail;
    }
    if (!load_tables(m, &mf, dir, err))
        goto fail;
    if (!tables_only && !load_classifier(m, &mf, dir, err))
        goto fail;
    mem_free(al, mf.text);
    mem_free(al, mpath);
    return m;
fail:
    mem_free(al, mf.text);
    mem_free(al, mpath);
    spill_model_free(m);
    return NULL;
}

spill_model *spill_model_load(const char *dir, const spill_options *opts, spill_error *err)
{
    return load(dir, opts, false, err);
}

spill_model *spill_model_load_tables(const char *dir, const spill_options *opts,
                                     spill_error *err)
{
    return load(dir, opts, true, err);
}

void spill_model_free(spill_model *m)
{
    if (!m)
        return;
    spill_allocator al = m->alloc;
    wordtab_free(&al, m->stopwords);
    wordtab_free(&al, m->chrome);
    wordtab_free(&al, m->idf);
    wordtab_free(&al, m->vocab);
    ngramtab_free(&al, m->ngrams);
    mem_free(&al, m->lo);
    mem_free(&al, m->hi);
    mem_free(&al, m->edges);
    mem_free(&al, m->n_edges);
    free_linear(&al, &m->main);
    free_linear(&al, &m->foreign);
    mem_free(&al, m->dir);
    mem_free(&al, m->name);
    mem_free(&al, m);
}

const char *spill_model_name(const spill_model *m)
{
    return m ? m->name : NULL;
}

const char *spill_model_dir(const spill_model *m)
{
    return m ? m->dir : NULL;
}
