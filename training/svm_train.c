/*
 * svm_train.c - trains spill's segment classifier with libsvm and writes a
 * model directory.
 *
 * Input: feature files written by `spill features` (a "# schema NAME V:
 * feature names" line, then "LABEL PAGE V1 .. Vn" rows).  Steps:
 *   1. keep the classes the SVM decides (content, boilerplate, spillover,
 *      foreign, garbage; duplicates are decided by repetition, after it);
 *   2. a seeded, class-balanced sample of at most --per-class rows a class;
 *   3. min-max scaling to [-1, 1], as svm-scale does;
 *   4. a grid of C (and gamma for RBF) chosen by k-fold cross-validation on
 *      the sample, folds by page so one page never sits on both sides,
 *      scored by macro-F1 over the classes; two threads share the grid;
 *   5. the final model with probability estimates on the whole sample.
 * Output: DIR/model.svm, DIR/stopwords.tsv (copied), DIR/manifest.txt with
 * schema, scaling, checksums and the cross-validation figures.
 *
 * usage: svm_train --out DIR --name NAME --stopwords FILE [--per-class N]
 *          [--seed S] [--kernel rbf|linear] [--folds K] [--smooth A]
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
} problem;

static problem sample(const data *d, size_t per_class)
{
    size_t count[N_LABELS] = {0};
    for (size_t i = 0; i < d->n; i++)
        count[d->rows[i].label]++;
    /* Shuffle indices, then take up to per_class of each class. */
    size_t *idx = malloc(d->n * sizeof *idx);
    for (size_t i = 0; i < d->n; i++)
        idx[i] = i;
    for (size_t i = d->n; i > 1; i--) {
        size_t j = rng_next() % i;
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
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
        const row *r = &d->rows[idx[k]];
        if (taken[r->label] >= per_class)
            continue;
        taken[r->label]++;
        chosen[p.n++] = r;
    }
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
    for (size_t i = 0; i < p.n; i++) {
        const row *r = chosen[i];
        p.label[i] = r->label;
        p.group[i] = (uint32_t)XXH32(&r->page, sizeof r->page, r->file);
        p.x[i] = malloc((d->nf + 1) * sizeof **p.x);
        size_t k = 0;
        for (size_t f = 0; f < d->nf; f++) {
            double v = p.hi[f] > p.lo[f] ? -1.0 + 2.0 * (r->v[f] - p.lo[f]) / (p.hi[f] - p.lo[f]) : 0;
            if (v != 0) {
                p.x[i][k].index = (int)f + 1;
                p.x[i][k].value = v;
                k++;
            }
        }
        p.x[i][k].index = -1;
    }
    fprintf(stderr, "sample:");
    for (int c = 0; c < N_LABELS; c++)
        if (count[c])
            fprintf(stderr, " %s %zu/%zu", LABEL_NAMES[c], taken[c], count[c]);
    fputc('\n', stderr);
    free(idx);
    free(chosen);
    return p;
}

/* ---- cross-validation ------------------------------------------------- */

typedef struct cell {
    double C, gamma;
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
        param.gamma = j->cells[i].gamma;
        cross_validate(j->p, &param, j->folds, &j->cells[i]);
        fprintf(stderr, "  C %-6g gamma %-8g macro-F1 %.4f accuracy %.4f\n", param.C, param.gamma,
                j->cells[i].macro_f1, j->cells[i].accuracy);
    }
}

/* ---- output ----------------------------------------------------------- */

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

int main(int argc, char **argv)
{
    const char *out = NULL, *name = NULL, *stopwords = NULL, *kernel = "rbf", *note = "";
    size_t per_class = 4000;
    int folds = 3;
    double smooth = 0.15;
    uint64_t seed = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            die("%s needs a value", argv[i]);
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--out")) out = v;
        else if (!strcmp(o, "--name")) name = v;
        else if (!strcmp(o, "--stopwords")) stopwords = v;
        else if (!strcmp(o, "--kernel")) kernel = v;
        else if (!strcmp(o, "--note")) note = v;
        else if (!strcmp(o, "--per-class")) per_class = strtoul(v, NULL, 10);
        else if (!strcmp(o, "--folds")) folds = atoi(v);
        else if (!strcmp(o, "--smooth")) smooth = atof(v);
        else if (!strcmp(o, "--seed")) seed = strtoull(v, NULL, 10);
        else die("unknown option %s", o);
    }
    if (!out || !name || !stopwords || i >= argc || folds < 2)
        die("usage: svm_train --out DIR --name NAME --stopwords FILE [options] FEATURES...%s", "");
    bool linear = !strcmp(kernel, "linear");
    if (!linear && strcmp(kernel, "rbf"))
        die("--kernel takes rbf or linear, not %s", kernel);
    rng_state = seed;
    srand((unsigned)seed);  /* libsvm's probability folds use rand() */
    svm_set_print_string_function(quiet);

    data d = {0};
    for (int k = i; k < argc; k++)
        read_features(&d, argv[k], (uint32_t)(k - i));
    fprintf(stderr, "read %zu labelled segments, %zu features (schema %s)\n", d.n, d.nf, d.schema);
    problem p = sample(&d, per_class);

    struct svm_parameter base = {0};
    base.svm_type = C_SVC;
    base.kernel_type = linear ? LINEAR : RBF;
    base.cache_size = 1000;
    base.eps = 1e-3;
    base.shrinking = 1;
    base.probability = 0;
    double Cs[] = {1, 4, 16, 64};
    double gammas[] = {0.02, 0.06, 0.2};
    size_t nC = sizeof Cs / sizeof Cs[0], nG = linear ? 1 : sizeof gammas / sizeof gammas[0];
    cell cells[16];
    size_t n_cells = 0;
    for (size_t a = 0; a < nC; a++)
        for (size_t b = 0; b < nG; b++)
            cells[n_cells++] = (cell){Cs[a], linear ? 0 : gammas[b], 0, 0};
    fprintf(stderr, "%d-fold cross-validation by page over %zu settings:\n", folds, n_cells);
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
    fprintf(stderr, "best: C %g gamma %g macro-F1 %.4f\n", cells[best].C, cells[best].gamma,
            cells[best].macro_f1);

    struct svm_parameter param = base;
    param.C = cells[best].C;
    param.gamma = cells[best].gamma;
    param.probability = 1;
    struct svm_problem all = {(int)p.n, malloc(p.n * sizeof(double)), p.x};
    for (size_t k = 0; k < p.n; k++)
        all.y[k] = p.label[k];
    struct svm_model *m = svm_train(&all, &param);

    mkdir(out, 0755);
    char path[4096];
    snprintf(path, sizeof path, "%s/model.svm", out);
    if (svm_save_model(path, m))
        die("cannot write %s", path);
    size_t svm_len, sw_len;
    char *svm_text = slurp(path, &svm_len);
    char *sw_text = slurp(stopwords, &sw_len);
    snprintf(path, sizeof path, "%s/stopwords.tsv", out);
    write_file(path, sw_text, sw_len);

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
    fprintf(f, "\nscale_lo =");
    for (size_t k = 0; k < d.nf; k++)
        fprintf(f, " %.9g", p.lo[k]);
    fprintf(f, "\nscale_hi =");
    for (size_t k = 0; k < d.nf; k++)
        fprintf(f, " %.9g", p.hi[k]);
    fprintf(f, "\nlabels =");
    int labels[N_LABELS];
    svm_get_labels(m, labels);
    for (int k = 0; k < svm_get_nr_class(m); k++)
        fprintf(f, " %s", LABEL_NAMES[labels[k]]);
    fprintf(f, "\nsmooth = %g\n", smooth);
    fprintf(f, "kernel = %s\nC = %g\ngamma = %g\nsupport_vectors = %d\n", kernel, param.C,
            param.gamma, m->l);
    fprintf(f, "cv_macro_f1 = %.4f\ncv_accuracy = %.4f\ncv_folds = %d\n", cells[best].macro_f1,
            cells[best].accuracy, folds);
    fprintf(f, "training_segments = %zu\nsample_per_class = %zu\nseed = %llu\n", p.n, per_class,
            (unsigned long long)seed);
    fprintf(f, "libsvm_version = %d\n", LIBSVM_VERSION);
    if (*note)
        fprintf(f, "trained_on = %s\n", note);
    fprintf(f, "model_svm_xxh64 = %016llx\n", (unsigned long long)XXH64(svm_text, svm_len, 0));
    fprintf(f, "stopwords_xxh64 = %016llx\n", (unsigned long long)XXH64(sw_text, sw_len, 0));
    if (fclose(f))
        die("cannot write %s", path);
    fprintf(stderr, "wrote %s (%d support vectors)\n", out, m->l);
    svm_free_and_destroy_model(&m);
    return 0;
}
