/*
 * model.c - loads and validates a model directory.
 *
 *   models/<name>/manifest.txt   "spill-model 1", then "key = value" lines
 *   models/<name>/model.svm      libsvm's own text format
 *   models/<name>/stopwords.tsv  "lang<TAB>word" lines, derived by training/
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <svm.h>
#include <xxhash.h>

#include "internal.h"

/* ---- errors ---------------------------------------------------------- */

static void *fail(spill_error *err, spill_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void *fail(spill_error *err, spill_status st, const char *fmt, ...)
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

/* ---- stopwords -------------------------------------------------------- */

struct stopwords {
    uint64_t *slots;      /* open addressing; 0 = empty */
    size_t mask;
    char langs[128][8];   /* languages the table knows */
    size_t n_langs;
};

static uint64_t stop_key(const char *lang, const char *word, size_t len)
{
    uint64_t h = XXH3_64bits_withSeed(word, len, XXH3_64bits(lang, strlen(lang)));
    return h ? h : 1;
}

bool stopwords_has(const stopwords *sw, const char *lang, const char *word, size_t len)
{
    if (!sw || !sw->slots)
        return false;
    uint64_t k = stop_key(lang, word, len);
    for (size_t i = (size_t)k & sw->mask;; i = (i + 1) & sw->mask) {
        if (sw->slots[i] == k)
            return true;
        if (!sw->slots[i])
            return false;
    }
}

bool stopwords_knows(const stopwords *sw, const char *lang)
{
    if (!sw)
        return false;
    for (size_t i = 0; i < sw->n_langs; i++)
        if (!strcmp(sw->langs[i], lang))
            return true;
    return false;
}

static void stopwords_free(const spill_allocator *al, stopwords *sw)
{
    if (sw) {
        mem_free(al, sw->slots);
        mem_free(al, sw);
    }
}

/* Parses "lang<TAB>word" lines. */
static stopwords *stopwords_parse(const spill_allocator *al, const char *path, char *text,
                                  spill_error *err)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    stopwords *sw = mem_alloc(al, sizeof *sw);
    if (!sw)
        return fail(err, SPILL_E_NOMEM, "out of memory reading %s", path);
    memset(sw, 0, sizeof *sw);
    size_t cap = 64;
    while (cap < n * 2 + 2)
        cap *= 2;
    sw->slots = mem_alloc(al, cap * sizeof *sw->slots);
    if (!sw->slots) {
        mem_free(al, sw);
        return fail(err, SPILL_E_NOMEM, "out of memory reading %s", path);
    }
    memset(sw->slots, 0, cap * sizeof *sw->slots);
    sw->mask = cap - 1;
    size_t lineno = 0;
    for (char *p = text; *p;) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = 0;
        lineno++;
        char *tab = strchr(p, '\t');
        if (*p && *p != '#') {
            if (!tab || tab == p || tab - p >= 8 || !tab[1]) {
                stopwords_free(al, sw);
                return fail(err, SPILL_E_MODEL_FORMAT,
                            "%s:%zu: expected \"lang<TAB>word\"", path, lineno);
            }
            *tab = 0;
            if (!stopwords_knows(sw, p)) {
                if (sw->n_langs == sizeof sw->langs / sizeof sw->langs[0]) {
                    stopwords_free(al, sw);
                    return fail(err, SPILL_E_MODEL_FORMAT, "%s:%zu: too many languages",
                                path, lineno);
                }
                strcpy(sw->langs[sw->n_langs++], p);
            }
            uint64_t k = stop_key(p, tab + 1, strlen(tab + 1));
            size_t i = (size_t)k & sw->mask;
            while (sw->slots[i] && sw->slots[i] != k)
                i = (i + 1) & sw->mask;
            sw->slots[i] = k;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return sw;
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
        fail(err, SPILL_E_MODEL_FORMAT, "%s:1: not a spill model manifest", path);
        return false;
    }
    if (format != SPILL_MODEL_FORMAT) {
        fail(err, SPILL_E_MODEL_FORMAT, "%s:1: model format %d, this spill reads format %d",
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
            fail(err, SPILL_E_MODEL_FORMAT, "%s:%zu: expected \"key = value\"", path, lineno);
            return false;
        }
        *eq = 0;
        if (m->n == sizeof m->key / sizeof m->key[0]) {
            fail(err, SPILL_E_MODEL_FORMAT, "%s:%zu: too many keys", path, lineno);
            return false;
        }
        m->key[m->n] = trim(t);
        m->val[m->n] = trim(eq + 1);
        m->line[m->n] = lineno;
        m->n++;
    }
    return true;
}

/* Parses exactly n doubles separated by spaces. */
static bool parse_doubles(const char *s, double *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *end;
        errno = 0;
        out[i] = strtod(s, &end);
        if (end == s || errno)
            return false;
        s = end;
    }
    while (*s == ' ')
        s++;
    return *s == 0;
}

/* The feature list of the manifest must equal the code's, in order. */
static bool check_schema(const manifest *m, const char *path, spill_error *err)
{
    const char *name = mf_get(m, "schema");
    const char *ver = mf_get(m, "schema_version");
    const char *feats = mf_get(m, "features");
    if (!name || !ver || !feats) {
        fail(err, SPILL_E_MODEL_FORMAT, "%s: missing schema, schema_version or features", path);
        return false;
    }
    if (strcmp(name, FEATURE_SCHEMA_NAME) || atoi(ver) != FEATURE_SCHEMA_VERSION) {
        fail(err, SPILL_E_MODEL_SCHEMA,
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
            fail(err, SPILL_E_MODEL_SCHEMA,
                 "%s:%zu: feature %zu is \"%.*s\" in the model, \"%s\" in this spill "
                 "(schema %s v%d)",
                 path, mf_line(m, "features"), i + 1, (int)n, p, want ? want : "(none)",
                 FEATURE_SCHEMA_NAME, FEATURE_SCHEMA_VERSION);
            return false;
        }
        p += n;
    }
    if (i != features_count()) {
        fail(err, SPILL_E_MODEL_SCHEMA, "%s: model has %zu features, this spill computes %zu",
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

/* Checks a companion file against the manifest's checksum key. */
static char *load_checked(const spill_allocator *al, const manifest *m, const char *dir,
                          const char *file, const char *key, spill_error *err)
{
    char *path = path_join(al, dir, file);
    if (!path)
        return fail(err, SPILL_E_NOMEM, "out of memory");
    size_t len = 0;
    char *text = slurp(al, path, &len);
    if (!text) {
        fail(err, read_status(), "%s: cannot read: %s", path, strerror(errno));
        mem_free(al, path);
        return NULL;
    }
    const char *want = mf_get(m, key);
    char got[17];
    snprintf(got, sizeof got, "%016llx", (unsigned long long)XXH64(text, len, 0));
    if (!want || strcmp(want, got)) {
        fail(err, SPILL_E_MODEL_FORMAT,
             "%s: checksum %s does not match the manifest's %s = %s: the file is truncated "
             "or altered",
             path, got, key, want ? want : "(missing)");
        mem_free(al, text);
        mem_free(al, path);
        return NULL;
    }
    mem_free(al, path);
    return text;
}

static void svm_quiet(const char *s)
{
    (void)s;
}

/* libsvm reads models only from a path; it has been checked already. */
static struct svm_model *load_svm(const char *path)
{
    svm_set_print_string_function(svm_quiet);
    return svm_load_model(path);
}

static bool setup_classifier(spill_model *m, const manifest *mf, const char *dir,
                             spill_error *err)
{
    const spill_allocator *al = &m->alloc;
    char *svm_text = load_checked(al, mf, dir, "model.svm", "model_svm_xxh64", err);
    if (!svm_text)
        return false;
    mem_free(al, svm_text);
    char *path = path_join(al, dir, "model.svm");
    if (!path) {
        fail(err, SPILL_E_NOMEM, "out of memory");
        return false;
    }
    m->svm = load_svm(path);
    if (!m->svm) {
        fail(err, SPILL_E_MODEL_FORMAT, "%s: libsvm cannot read it", path);
        mem_free(al, path);
        return false;
    }
    if (!svm_check_probability_model(m->svm)) {
        fail(err, SPILL_E_MODEL_FORMAT, "%s: model has no probability estimates", path);
        mem_free(al, path);
        return false;
    }
    mem_free(al, path);

    /* Classes: libsvm's integer labels are spill_label values. */
    m->n_classes = svm_get_nr_class(m->svm);
    int labels[SPILL_LABEL_COUNT];
    if (m->n_classes < 2 || m->n_classes > SPILL_LABEL_COUNT) {
        fail(err, SPILL_E_MODEL_FORMAT, "%s/model.svm: %d classes", dir, m->n_classes);
        return false;
    }
    svm_get_labels(m->svm, labels);
    for (int i = 0; i < m->n_classes; i++) {
        if (labels[i] < 0 || labels[i] >= SPILL_LABEL_COUNT) {
            fail(err, SPILL_E_MODEL_FORMAT, "%s/model.svm: class label %d is no spill label",
                 dir, labels[i]);
            return false;
        }
        m->class_label[i] = labels[i];
    }

    size_t nf = features_count();
    m->n_features = nf;
    m->scale_lo = mem_alloc(al, nf * sizeof *m->scale_lo);
    m->scale_hi = mem_alloc(al, nf * sizeof *m->scale_hi);
    if (!m->scale_lo || !m->scale_hi) {
        fail(err, SPILL_E_NOMEM, "out of memory");
        return false;
    }
    const char *lo = mf_get(mf, "scale_lo"), *hi = mf_get(mf, "scale_hi");
    if (!lo || !hi || !parse_doubles(lo, m->scale_lo, nf) || !parse_doubles(hi, m->scale_hi, nf)) {
        fail(err, SPILL_E_MODEL_FORMAT,
             "%s/manifest.txt:%zu: scale_lo and scale_hi must hold %zu numbers each", dir,
             mf_line(mf, lo ? "scale_hi" : "scale_lo"), nf);
        return false;
    }
    const char *sm = mf_get(mf, "smooth");
    m->smooth = sm ? strtod(sm, NULL) : 0.0;
    if (!(m->smooth >= 0 && m->smooth <= 0.5)) {
        fail(err, SPILL_E_MODEL_FORMAT, "%s/manifest.txt:%zu: smooth must be in [0, 0.5]", dir,
             mf_line(mf, "smooth"));
        return false;
    }
    return true;
}

static const char *default_dir(char *buf, size_t cap)
{
    const char *env = getenv("SPILL_MODEL");
    if (env && *env)
        return env;
    const char *candidates[] = {
#ifdef SPILL_INSTALL_MODEL_DIR
        SPILL_INSTALL_MODEL_DIR,
#endif
#ifdef SPILL_SOURCE_MODEL_DIR
        SPILL_SOURCE_MODEL_DIR,
#endif
    };
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        snprintf(buf, cap, "%s/manifest.txt", candidates[i]);
        if (access(buf, R_OK) == 0)
            return candidates[i];
    }
    return NULL;
}

/* A directory with only stopwords.tsv: the tables a model is trained with. */
static bool load_bare_tables(spill_model *m, const char *dir, spill_error *err)
{
    const spill_allocator *al = &m->alloc;
    char *path = path_join(al, dir, "stopwords.tsv");
    size_t len;
    char *text = path ? slurp(al, path, &len) : NULL;
    if (!text) {
        fail(err, path ? read_status() : SPILL_E_NOMEM, "%s: cannot read: %s",
             path ? path : dir, strerror(errno));
        mem_free(al, path);
        return false;
    }
    m->stopwords = stopwords_parse(al, path, text, err);
    mem_free(al, text);
    mem_free(al, path);
    m->name = mem_strdup(al, "tables");
    return m->stopwords && m->name;
}

static spill_model *load(const char *dir, const spill_options *opts, bool tables_only,
                         spill_error *err)
{
    char probe[4096];
    if (!dir && !(dir = default_dir(probe, sizeof probe)))
        return fail(err, SPILL_E_MODEL_FORMAT,
                    "no model found: set SPILL_MODEL or pass a model directory");
    spill_options o = opts ? *opts : spill_options_default();
    spill_model *m = mem_alloc(&o.alloc, sizeof *m);
    if (!m)
        return fail(err, SPILL_E_NOMEM, "out of memory");
    memset(m, 0, sizeof *m);
    m->alloc = o.alloc;
    const spill_allocator *al = &m->alloc;
    manifest mf = {0};
    char *mpath = path_join(al, dir, "manifest.txt");
    char *swpath = path_join(al, dir, "stopwords.tsv");
    m->dir = mem_strdup(al, dir);
    if (!mpath || !swpath || !m->dir) {
        fail(err, SPILL_E_NOMEM, "out of memory");
        goto fail;
    }
    if (tables_only && access(mpath, F_OK) != 0) {
        if (!load_bare_tables(m, dir, err))
            goto fail;
        mem_free(al, mpath);
        mem_free(al, swpath);
        return m;
    }
    size_t len;
    mf.text = slurp(al, mpath, &len);
    if (!mf.text) {
        fail(err, read_status(), "%s: cannot read: %s", mpath, strerror(errno));
        goto fail;
    }
    if (!mf_parse(&mf, mpath, err) || !check_schema(&mf, mpath, err))
        goto fail;
    const char *name = mf_get(&mf, "name");
    m->name = mem_strdup(al, name ? name : "unnamed");
    if (!m->name) {
        fail(err, SPILL_E_NOMEM, "out of memory");
        goto fail;
    }
    char *sw = load_checked(al, &mf, dir, "stopwords.tsv", "stopwords_xxh64", err);
    if (!sw)
        goto fail;
    m->stopwords = stopwords_parse(al, swpath, sw, err);
    mem_free(al, sw);
    if (!m->stopwords)
        goto fail;
    if (!tables_only && !setup_classifier(m, &mf, dir, err))
        goto fail;
    mem_free(al, mf.text);
    mem_free(al, mpath);
    mem_free(al, swpath);
    return m;
fail:
    mem_free(al, mf.text);
    mem_free(al, mpath);
    mem_free(al, swpath);
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
    if (m->svm)
        svm_free_and_destroy_model(&m->svm);
    stopwords_free(&al, m->stopwords);
    mem_free(&al, m->scale_lo);
    mem_free(&al, m->scale_hi);
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
