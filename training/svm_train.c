/*
 * svm_train.c - trains spill's segment classifier with libsvm and writes a
 * model directory.
 *
 * Input: feature files written by `spill features` (a "# schema NAME V:
 * feature names" line, then "LABEL PAGE V1 .. Vn" rows).  Steps:
 *   1. keep the classes the SVM decides (content, boilerplate, spillover,
 *      foreign, garbage; duplicates are decided by repetition, after it);
 *   2. a seeded, class-balanced sample of at most --per-class rows a class;
 *   3. per feature, the training range (scaled to [-1, 1] as svm-scale
 *      does) and quantile bin edges; every row expanded by the library's own
 *      classify_expand(), so training sees what scoring computes;
 *   4. C of a linear C-SVC chosen by k-fold cross-validation on the sample,
 *      folds by page so one page never sits on both sides, scored by
 *      macro-F1 over the classes; two threads share the grid;
 *   5. the final model with probability estimates on the whole sample;
 *   6. the chain of line labels classify.c runs forward-backward on: from
 *      all rows in page order, how often content, boilerplate or spillover
 *      follows each, opens a page, ends one, and their shares (manifest
 *      keys line_transitions, line_initial, line_final, line_prior).
 * Output: DIR/model.svm, DIR/features.tsv (ranges and edges), the tables
 * copied from --tables, DIR/manifest.txt with schema, checksums and the
 * cross-validation figures.
 *
 * usage: svm_train --out DIR --name NAME --tables DIR [--per-class N]
 *          [--seed S] [--folds K] [--smooth A] [--prior-power P]
 *          [--prior-power-rare P] [--content-weight W] [--C C] [--binary LABEL]
 *
 * --binary LABEL trains LABEL (a spill label number) against all the others,
 * which are labelled content: the foreign model beside the main one, in
 * the same DIR, its rows scaled and binned by the main model's
 * features.tsv (scoring expands a segment once, for both).
 *          [--note TEXT] FEATURES...
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <svm.h>
#include <xxhash.h>

#include "internal.h"

#define MAX_FEATURES 256
#define N_LABELS 6
#define DUPLICATE 4

static const char *LABEL_NAMES[N_LABELS] = {"content", "boilerplate", "spillover",
                                            "foreign", "duplicate", "garbage"};

typedef struct row {
    int label;
    uint32_t page;
    uint32_t file;
    float *v;
} row;

typedef struct data {
    char schema[128];
    char names[MAX_FEATURES][64];
    size_t nf;
    row *rows;
    size_t n, cap;
} data;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "svm_train: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static void read_features(data *d, const char *path, uint32_t file)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[0] == '#') {
            /* "# schema NAME V: f1 f2 ..." */
            char *colon = strchr(line, ':');
            if (!colon || strncmp(line, "# schema ", 9))
                continue;
            char schema[128];
            snprintf(schema, sizeof schema, "%.*s", (int)(colon - line - 9), line + 9);
            size_t nf = 0;
            char names[MAX_FEATURES][64];
            for (char *tok = strtok(colon + 1, " \n"); tok; tok = strtok(NULL, " \n")) {
                if (nf == MAX_FEATURES)
                    die("too many features in %s", path);
                snprintf(names[nf++], 64, "%s", tok);
            }
            if (!d->nf) {
                snprintf(d->schema, sizeof d->schema, "%s", schema);
                memcpy(d->names, names, sizeof names);
                d->nf = nf;
            } else {
                bool same = nf == d->nf && !strcmp(schema, d->schema);
                for (size_t k = 0; same && k < nf; k++)
                    same = !strcmp(names[k], d->names[k]);
                if (!same)
                    die("%s has another feature schema", path);
            }
            continue;
        }
        if (!d->nf)
            die("%s: no schema line", path);
        char *p = line, *end;
        long label = strtol(p, &end, 10);
        unsigned long page = strtoul(end, &p, 10);
        if (end == line || p == end)
            die("malformed row in %s", path);
        if (label < 0 || label >= N_LABELS || label == DUPLICATE)
            continue;
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 1 << 16;
            d->rows = realloc(d->rows, d->cap * sizeof *d->rows);
            if (!d->rows)
                die("out of memory%s", "");
        }
        row *r = &d->rows[d->n];
        r->label = (int)label;
        r->page = (uint32_t)page;
        r->file = file;
        r->v = malloc(d->nf * sizeof *r->v);
        if (!r->v)
            die("out of memory%s", "");
        for (size_t i = 0; i < d->nf; i++) {
            r->v[i] = strtof(p, &end);
            if (end == p)
                die("short row in %s", path);
            p = end;
        }
        d->n++;
    }
    free(line);
    fclose(f);
}

/* ---- sampling and scaling ---------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    /* splitmix64: deterministic across platforms, unlike rand(). */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

typedef struct problem {
    size_t n, nf;
    int *label;
    uint32_t *group;
    struct svm_node **x;
    double *lo, *hi;
    float *edges;       /* nf x BIN_EDGES */
    uint8_t *n_edges;
} problem;

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Edges at the quantiles of the sample: bin(x) = edges below x (x > e). */
static void quantile_edges(const row **rows, size_t n, size_t f, float *edges, uint8_t *count)
{
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = rows[i]->v[f];
    qsort(v, n, sizeof *v, cmp_float);
    uint8_t k = 0;
    for (int q = 1; q <= BIN_EDGES; q++) {
        float e = v[(size_t)q * n / (BIN_EDGES + 1)];
        if (e >= v[n - 1] || (k && e <= edges[k - 1]))
            continue;  /* nothing above it, or no new bin */
        edges[k++] = e;
    }
    *count = k;
    free(v);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        die("cannot read %s", path);
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

/* scaling: a features.tsv to take the ranges and bin edges from, or NULL
 * to learn them from the sample. */
static problem sample(const data *d, size_t per_class, const char *scaling)
{
    size_t count[N_LABELS] = {0};
    for (size_t i = 0; i < d->n; i++)
        count[d->rows[i].label]++;
    /* Shuffle indices, then take up to per_class of each class. */
    size_t *order = malloc(d->n * sizeof *order);
    for (size_t i = 0; i < d->n; i++)
        order[i] = i;
    for (size_t i = d->n; i > 1; i--) {
        size_t j = rng_next() % i;
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    problem p = {0};
    p.nf = d->nf;
    p.label = malloc(d->n * sizeof *p.label);
    p.group = malloc(d->n * sizeof *p.group);
    p.x = malloc(d->n * sizeof *p.x);
    p.lo = malloc(d->nf * sizeof *p.lo);
    p.hi = malloc(d->nf * sizeof *p.hi);
    size_t taken[N_LABELS] = {0};
    const row **chosen = malloc(d->n * sizeof *chosen);
    for (size_t k = 0; k < d->n; k++) {
        const row *r = &d->rows[order[k]];
        if (taken[r->label] >= per_class)
            continue;
        taken[r->label]++;
        chosen[p.n++] = r;
    }
    p.edges = calloc(d->nf * BIN_EDGES, sizeof *p.edges);
    p.n_edges = calloc(d->nf, sizeof *p.n_edges);
    if (scaling) {
        /* The main model's table, parsed as the model loader parses it. */
        size_t len;
        char *text = slurp(scaling, &len);
        spill_error err = {0};
        if (!features_table_parse(scaling, text, p.lo, p.hi, p.edges, p.n_edges, &err))
            die("%s (train the main model into that directory first)", err.message);
        free(text);
    } else {
        for (size_t f = 0; f < d->nf; f++) {
            p.lo[f] = INFINITY;
            p.hi[f] = -INFINITY;
        }
        for (size_t i = 0; i < p.n; i++)
            for (size_t f = 0; f < d->nf; f++) {
                if (chosen[i]->v[f] < p.lo[f])
                    p.lo[f] = chosen[i]->v[f];
                if (chosen[i]->v[f] > p.hi[f])
                    p.hi[f] = chosen[i]->v[f];
            }
        for (size_t f = 0; f < d->nf; f++)
            quantile_edges(chosen, p.n, f, p.edges + f * BIN_EDGES, &p.n_edges[f]);
    }
    int *idx = malloc(2 * d->nf * sizeof *idx);
    double *val = malloc(2 * d->nf * sizeof *val);
    for (size_t i = 0; i < p.n; i++) {
        const row *r = chosen[i];
        p.label[i] = r->label;
        p.group[i] = (uint32_t)XXH32(&r->page, sizeof r->page, r->file);
        size_t k = classify_expand(d->nf, p.lo, p.hi, p.edges, p.n_edges, r->v, idx, val);
        p.x[i] = malloc((k + 1) * sizeof **p.x);
        for (size_t z = 0; z < k; z++) {
            p.x[i][z].index = idx[z] + 1;  /* libsvm counts from 1 */
            p.x[i][z].value = val[z];
        }
        p.x[i][k].index = -1;
    }
    free(idx);
    free(val);
    fprintf(stderr, "sample:");
    for (int c = 0; c < N_LABELS; c++)
        if (count[c])
            fprintf(stderr, " %s %zu/%zu", LABEL_NAMES[c], taken[c], count[c]);
    fputc('\n', stderr);
    free(order);
    free(chosen);
    return p;
}

/* ---- cross-validation ------------------------------------------------- */

typedef struct cell {
    double C, unused;
    double macro_f1, accuracy;
} cell;

typedef struct grid_job {
    const problem *p;
    const struct svm_parameter *base;
    cell *cells;
    size_t n_cells;
    int folds;
    size_t next;
    pthread_mutex_t lock;
} grid_job;

static double macro_f1(const int *truth, const int *pred, size_t n, double *acc)
{
    size_t tp[N_LABELS] = {0}, fp[N_LABELS] = {0}, fn[N_LABELS] = {0}, right = 0;
    bool present[N_LABELS] = {0};
    for (size_t i = 0; i < n; i++) {
        present[truth[i]] = true;
        if (truth[i] == pred[i]) {
            tp[truth[i]]++;
            right++;
        } else {
            fp[pred[i]]++;
            fn[truth[i]]++;
        }
    }
    double sum = 0;
    int k = 0;
    for (int c = 0; c < N_LABELS; c++) {
        if (!present[c])
            continue;
        double prec = tp[c] + fp[c] ? (double)tp[c] / (tp[c] + fp[c]) : 0;
        double rec = tp[c] + fn[c] ? (double)tp[c] / (tp[c] + fn[c]) : 0;
        sum += prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
        k++;
    }
    *acc = n ? (double)right / n : 0;
    return k ? sum / k : 0;
}

static void cross_validate(const problem *p, const struct svm_parameter *param, int folds,
                           cell *out)
{
    int *pred = malloc(p->n * sizeof *pred);
    double *y = malloc(p->n * sizeof *y);
    struct svm_node **x = malloc(p->n * sizeof *x);
    for (int k = 0; k < folds; k++) {
        struct svm_problem tr = {0};
        tr.y = y;
        tr.x = x;
        for (size_t i = 0; i < p->n; i++) {
            if ((int)(p->group[i] % (uint32_t)folds) == k)
                continue;
            tr.y[tr.l] = p->label[i];
            tr.x[tr.l] = p->x[i];
            tr.l++;
        }
        struct svm_model *m = svm_train(&tr, param);
        for (size_t i = 0; i < p->n; i++)
            if ((int)(p->group[i] % (uint32_t)folds) == k)
                pred[i] = (int)svm_predict(m, p->x[i]);
        svm_free_and_destroy_model(&m);
    }
    out->macro_f1 = macro_f1(p->label, pred, p->n, &out->accuracy);
    free(pred);
    free(y);
    free(x);
}

static void *grid_worker(void *arg)
{
    grid_job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (i >= j->n_cells)
            return NULL;
        struct svm_parameter param = *j->base;
        param.C = j->cells[i].C;
        cross_validate(j->p, &param, j->folds, &j->cells[i]);
        fprintf(stderr, "  C %-6g macro-F1 %.4f accuracy %.4f\n", param.C, j->cells[i].macro_f1,
                j->cells[i].accuracy);
    }
}

/* ---- output ----------------------------------------------------------- */

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f))
        die("cannot write %s", path);
}

static void quiet(const char *s)
{
    (void)s;
}

/* The same model with one support vector a class pair.  For a linear kernel
 * the decision function of the pair (i, j) is w_ij . x - rho, w_ij the sum
 * of coefficient times support vector; stored as one vector of class i with
 * coefficient 1 in the slot of j (libsvm keeps class i's coefficients for
 * the pair in sv_coef[j - 1]) and 0 elsewhere, and nothing of class j in the
 * slot of i, the model decides exactly as the trained one, in libsvm's own
 * format, a few kilobytes instead of megabytes of support vectors. */
static struct svm_model *compact(const struct svm_model *m, size_t dim)
{
    int k = m->nr_class, pairs = k * (k - 1) / 2;
    double *w = calloc((size_t)pairs * dim, sizeof *w);
    int start[N_LABELS + 1] = {0};
    for (int i = 0; i < k; i++)
        start[i + 1] = start[i] + m->nSV[i];
    int p = 0;
    for (int i = 0; i < k; i++) {
        for (int j = i + 1; j < k; j++, p++) {
            for (int side = 0; side < 2; side++) {
                int cls = side ? j : i;
                const double *coef = m->sv_coef[side ? i : j - 1];
                for (int sv = start[cls]; sv < start[cls + 1]; sv++)
                    for (const struct svm_node *x = m->SV[sv]; x->index != -1; x++)
                        w[(size_t)p * dim + (size_t)x->index - 1] += coef[sv] * x->value;
            }
        }
    }
    struct svm_model *c = calloc(1, sizeof *c);
    c->param = m->param;
    c->nr_class = k;
    c->l = pairs;
    c->SV = calloc((size_t)pairs, sizeof *c->SV);
    c->sv_coef = calloc((size_t)k - 1, sizeof *c->sv_coef);
    for (int i = 0; i < k - 1; i++)
        c->sv_coef[i] = calloc((size_t)pairs, sizeof **c->sv_coef);
    c->rho = malloc((size_t)pairs * sizeof *c->rho);
    c->probA = malloc((size_t)pairs * sizeof *c->probA);
    c->probB = malloc((size_t)pairs * sizeof *c->probB);
    c->label = malloc((size_t)k * sizeof *c->label);
    c->nSV = calloc((size_t)k, sizeof *c->nSV);
    memcpy(c->rho, m->rho, (size_t)pairs * sizeof *c->rho);
    memcpy(c->probA, m->probA, (size_t)pairs * sizeof *c->probA);
    memcpy(c->probB, m->probB, (size_t)pairs * sizeof *c->probB);
    memcpy(c->label, m->label, (size_t)k * sizeof *c->label);
    int s = 0;
    p = 0;
    for (int i = 0; i < k; i++) {
        for (int j = i + 1; j < k; j++, p++, s++) {
            size_t nz = 0;
            for (size_t d = 0; d < dim; d++)
                nz += w[(size_t)p * dim + d] != 0;
            struct svm_node *v = malloc((nz + 1) * sizeof *v);
            nz = 0;
            for (size_t d = 0; d < dim; d++) {
                if (w[(size_t)p * dim + d] != 0) {
                    v[nz].index = (int)d + 1;
                    v[nz++].value = w[(size_t)p * dim + d];
                }
            }
            v[nz].index = -1;
            c->SV[s] = v;
            c->sv_coef[j - 1][s] = 1.0;
            c->nSV[i]++;
        }
    }
    free(w);
    return c;
}

/* Copies DIR/file into OUT/file; returns its XXH64. */
static uint64_t copy_table(const char *dir, const char *out, const char *file)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *text = slurp(path, &len);
    snprintf(path, sizeof path, "%s/%s", out, file);
    write_file(path, text, len);
    uint64_t h = XXH64(text, len, 0);
    free(text);
    return h;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *name = NULL, *tables = NULL, *note = "";
    size_t per_class = 4000;
    int folds = 3;
    double smooth = 0.15, prior_power = 0.5, prior_power_rare = -1, fixed_c = 0, content_weight = 1;
    int binary = -1;  /* --binary L: L against every other label (as content) */
    uint64_t seed = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            die("%s needs a value", argv[i]);
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--out")) out = v;
        else if (!strcmp(o, "--name")) name = v;
        else if (!strcmp(o, "--tables")) tables = v;
        else if (!strcmp(o, "--note")) note = v;
        else if (!strcmp(o, "--per-class")) per_class = strtoul(v, NULL, 10);
        else if (!strcmp(o, "--folds")) folds = atoi(v);
        else if (!strcmp(o, "--smooth")) smooth = atof(v);
        else if (!strcmp(o, "--prior-power")) prior_power = atof(v);
        else if (!strcmp(o, "--prior-power-rare")) prior_power_rare = atof(v);
        else if (!strcmp(o, "--C")) fixed_c = atof(v);
        else if (!strcmp(o, "--content-weight")) content_weight = atof(v);
        else if (!strcmp(o, "--binary")) binary = atoi(v);
        else if (!strcmp(o, "--seed")) seed = strtoull(v, NULL, 10);
        else die("unknown option %s", o);
    }
    if (!out || !name || !tables || i >= argc || folds < 2)
        die("usage: svm_train --out DIR --name NAME --tables DIR [options] FEATURES...%s", "");
    rng_state = seed;
    srand((unsigned)seed);  /* libsvm's probability folds use rand() */
    svm_set_print_string_function(quiet);

    data d = {0};
    for (int k = i; k < argc; k++)
        read_features(&d, argv[k], (uint32_t)(k - i));
    if (binary >= 0)
        for (size_t k = 0; k < d.n; k++)
            if (d.rows[k].label != binary)
                d.rows[k].label = 0;
    fprintf(stderr, "read %zu labelled segments, %zu features (schema %s)\n", d.n, d.nf, d.schema);
    if (d.nf != features_count())
        die("the features files do not match this build's schema (%s)", FEATURE_SCHEMA_NAME);
    /* The foreign model sees its rows scaled and binned as scoring will
     * expand them: by the main model's features.tsv. */
    char scaling[4096];
    snprintf(scaling, sizeof scaling, "%s/features.tsv", out);
    problem p = sample(&d, per_class, binary >= 0 ? scaling : NULL);

    struct svm_parameter base = {0};
    base.svm_type = C_SVC;
    base.kernel_type = LINEAR;
    base.cache_size = 1000;
    base.eps = 1e-2;
    base.shrinking = 1;
    base.probability = 0;
    double Cs[] = {0.03, 0.1, 0.3, 1, 3};
    size_t n_cells = sizeof Cs / sizeof Cs[0];
    if (fixed_c > 0) {
        /* C chosen before (train.sh passes the tuned model's): one cell,
         * still cross-validated, for the figures in the manifest. */
        Cs[0] = fixed_c;
        n_cells = 1;
    }
    cell cells[8];
    for (size_t a = 0; a < n_cells; a++)
        cells[a] = (cell){Cs[a], 0, 0, 0};
    fprintf(stderr, "%d-fold cross-validation by page over %zu settings of C:\n", folds, n_cells);
    grid_job job = {&p, &base, cells, n_cells, folds, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t th[2];
    for (int t = 0; t < 2; t++)
        pthread_create(&th[t], NULL, grid_worker, &job);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    size_t best = 0;
    for (size_t c = 1; c < n_cells; c++)
        if (cells[c].macro_f1 > cells[best].macro_f1)
            best = c;
    fprintf(stderr, "best: C %g macro-F1 %.4f\n", cells[best].C, cells[best].macro_f1);

    struct svm_parameter param = base;
    param.C = cells[best].C;
    param.probability = 1;
    struct svm_problem all = {(int)p.n, malloc(p.n * sizeof(double)), p.x};
    for (size_t k = 0; k < p.n; k++)
        all.y[k] = p.label[k];
    struct svm_model *m = svm_train(&all, &param);

    mkdir(out, 0755);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out, binary >= 0 ? "foreign.svm" : "model.svm");
    int trained_svs = m->l;
    struct svm_model *small = compact(m, d.nf * EXPAND_STRIDE);
    if (svm_save_model(path, small))
        die("cannot write %s", path);
    if (binary >= 0) {
        /* The foreign model beside a main model: its file, and its keys
         * appended to the main model's manifest. */
        size_t len;
        char *text = slurp(path, &len);
        size_t all_n[N_LABELS] = {0}, sample_n[N_LABELS] = {0};
        for (size_t k = 0; k < d.n; k++)
            all_n[d.rows[k].label]++;
        for (size_t k = 0; k < p.n; k++)
            sample_n[p.label[k]]++;
        int labels[N_LABELS];
        svm_get_labels(m, labels);
        snprintf(path, sizeof path, "%s/manifest.txt", out);
        FILE *f = fopen(path, "a");
        if (!f)
            die("cannot append to %s", path);
        fprintf(f, "foreign_class_ratio =");
        for (int k = 0; k < svm_get_nr_class(m); k++)
            fprintf(f, " %.6g",
                    ((double)all_n[labels[k]] / d.n) / ((double)sample_n[labels[k]] / p.n));
        fprintf(f, "\nforeign_C = %g\nforeign_cv_macro_f1 = %.4f\n", param.C, cells[best].macro_f1);
        fprintf(f, "foreign_svm_xxh64 = %016llx\n", (unsigned long long)XXH64(text, len, 0));
        if (fclose(f))
            die("cannot write %s", path);
        fprintf(stderr, "wrote %s/foreign.svm (%d support vectors, stored as %d)\n", out,
                trained_svs, small->l);
        return 0;
    }
    size_t svm_len;
    char *svm_text = slurp(path, &svm_len);

    /* features.tsv: name, training range, bin edges. */
    size_t cap = 1 << 16, len = 0;
    char *ft = malloc(cap);
    for (size_t f = 0; f < d.nf; f++) {
        if (cap - len < 1024)
            ft = realloc(ft, cap *= 2);
        len += (size_t)snprintf(ft + len, cap - len, "%s\t%.9g\t%.9g\t", d.names[f], p.lo[f],
                                p.hi[f]);
        for (int e = 0; e < p.n_edges[f]; e++)
            len += (size_t)snprintf(ft + len, cap - len, "%s%.9g", e ? " " : "",
                                    p.edges[f * BIN_EDGES + e]);
        ft[len++] = '\n';
    }
    snprintf(path, sizeof path, "%s/features.tsv", out);
    write_file(path, ft, len);
    uint64_t ft_hash = XXH64(ft, len, 0);
    uint64_t sw_hash = copy_table(tables, out, "stopwords.tsv");
    uint64_t ch_hash = copy_table(tables, out, "chrome.tsv");
    uint64_t idf_hash = copy_table(tables, out, "idf.tsv");
    uint64_t vocab_hash = copy_table(tables, out, "vocab.tsv");
    uint64_t ngrams_hash = copy_table(tables, out, "ngrams.tsv");

    snprintf(path, sizeof path, "%s/manifest.txt", out);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s", path);
    char schema_name[128];
    int schema_version = 0;
    if (sscanf(d.schema, "%127s %d", schema_name, &schema_version) != 2)
        die("bad schema line \"%s\"", d.schema);
    fprintf(f, "spill-model 1\n");
    fprintf(f, "name = %s\n", name);
    fprintf(f, "schema = %s\n", schema_name);
    fprintf(f, "schema_version = %d\n", schema_version);
    fprintf(f, "features =");
    for (size_t k = 0; k < d.nf; k++)
        fprintf(f, " %s", d.names[k]);
    fprintf(f, "\nlabels =");
    int labels[N_LABELS];
    svm_get_labels(m, labels);
    for (int k = 0; k < svm_get_nr_class(m); k++)
        fprintf(f, " %s", LABEL_NAMES[labels[k]]);
    /* True share / sample share of every class, in class order. */
    size_t all_n[N_LABELS] = {0}, sample_n[N_LABELS] = {0};
    for (size_t k = 0; k < d.n; k++)
        all_n[d.rows[k].label]++;
    for (size_t k = 0; k < p.n; k++)
        sample_n[p.label[k]]++;
    fprintf(f, "\nclass_ratio =");
    for (int k = 0; k < svm_get_nr_class(m); k++)
        fprintf(f, " %.6g", ((double)all_n[labels[k]] / d.n) / ((double)sample_n[labels[k]] / p.n));
    /* The label chain of a page's lines, for classify.c's HMM: how often a
     * segment of content, boilerplate or spillover follows one of each
     * (rows in page order; other labels let the chain through), which one
     * opens a page, which one ends it, and their shares - add-one
     * smoothed. */
    double trans[3][3], init[3], prior[3], last[3];
    for (int a = 0; a < 3; a++) {
        init[a] = prior[a] = last[a] = 1;
        for (int b = 0; b < 3; b++)
            trans[a][b] = 1;
    }
    int prev = -1;
    for (size_t k = 0; k < d.n; k++) {
        const row *r = &d.rows[k];
        bool new_page = k == 0 || r->page != d.rows[k - 1].page || r->file != d.rows[k - 1].file;
        if (new_page) {
            if (prev >= 0)
                last[prev]++;
            prev = -1;
        }
        if (r->label > 2)
            continue;
        if (prev < 0)
            init[r->label]++;
        else
            trans[prev][r->label]++;
        prior[r->label]++;
        prev = r->label;
    }
    if (prev >= 0)
        last[prev]++;
    fprintf(f, "\nline_transitions =");
    for (int a = 0; a < 3; a++) {
        double sum = trans[a][0] + trans[a][1] + trans[a][2];
        for (int b = 0; b < 3; b++)
            fprintf(f, " %.6g", trans[a][b] / sum);
    }
    fprintf(f, "\nline_initial =");
    for (int a = 0; a < 3; a++)
        fprintf(f, " %.6g", init[a] / (init[0] + init[1] + init[2]));
    fprintf(f, "\nline_final =");  /* P(the page ends | a line of the label) */
    for (int a = 0; a < 3; a++)
        fprintf(f, " %.6g", last[a] / prior[a]);
    fprintf(f, "\nline_prior =");
    for (int a = 0; a < 3; a++)
        fprintf(f, " %.6g", prior[a] / (prior[0] + prior[1] + prior[2]));
    fprintf(f, "\nprior_power = %g\n", prior_power);
    fprintf(f, "prior_power_rare = %g\n", prior_power_rare >= 0 ? prior_power_rare : prior_power);
    fprintf(f, "content_weight = %g\n", content_weight);
    fprintf(f, "smooth = %g\n", smooth);
    fprintf(f, "classifier = linear C-SVC over scaled and binned features (%d bin edges)\n",
            BIN_EDGES);
    fprintf(f, "C = %g\nsupport_vectors = %d (stored as one vector a class pair)\n", param.C,
            trained_svs);
    fprintf(f, "cv_macro_f1 = %.4f\ncv_accuracy = %.4f\ncv_folds = %d\n", cells[best].macro_f1,
            cells[best].accuracy, folds);
    fprintf(f, "training_segments = %zu\nsample_per_class = %zu\nseed = %llu\n", p.n, per_class,
            (unsigned long long)seed);
    fprintf(f, "libsvm_version = %d\n", LIBSVM_VERSION);
    if (*note)
        fprintf(f, "trained_on = %s\n", note);
    fprintf(f, "model_svm_xxh64 = %016llx\n", (unsigned long long)XXH64(svm_text, svm_len, 0));
    fprintf(f, "features_xxh64 = %016llx\n", (unsigned long long)ft_hash);
    fprintf(f, "stopwords_xxh64 = %016llx\n", (unsigned long long)sw_hash);
    fprintf(f, "chrome_xxh64 = %016llx\n", (unsigned long long)ch_hash);
    fprintf(f, "idf_xxh64 = %016llx\n", (unsigned long long)idf_hash);
    fprintf(f, "vocab_xxh64 = %016llx\n", (unsigned long long)vocab_hash);
    fprintf(f, "ngrams_xxh64 = %016llx\n", (unsigned long long)ngrams_hash);
    if (fclose(f))
        die("cannot write %s", path);
    fprintf(stderr, "wrote %s (%d support vectors, stored as %d)\n", out, trained_svs, small->l);
    svm_free_and_destroy_model(&m);
    return 0;
}
