/*
 * cmd_eval.c - spill eval: accuracy against labelled pages.
 *
 * Input: JSONL records with gold labels - "labels" (one per line of
 * text.split("\n"), "main"/"boilerplate"/a spill label/null) or "spans"
 * (code points, spill labels).  Each page is annotated and compared
 * character by character (non-space code points):
 *
 *  - lines: a line is predicted content when at least half its characters
 *    are in content spans; its gold label is the majority of its labelled
 *    characters.  Content versus the rest gives precision, recall and F1
 *    pooled over all lines, and per label the same one-versus-rest.
 *  - spans: a gold span (a run of one gold label) is found when at least
 *    half its characters are predicted with its label; a predicted span is
 *    right when at least half its labelled characters have its gold label.
 *    Foreign spans of 1 to 5 words are counted apart.
 *  - false foreign: predicted-foreign characters among gold clean ones (gold
 *    labels other than foreign and garbage).
 *  - score: Spearman rank correlation of the page score with the gold share
 *    of content characters, over pages with every line labelled.
 *
 * Results print as a table (and as JSON with --json), overall and per group:
 * the dataset (the id up to its first '/') or the record's "lang".
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define L_N SPILL_LABEL_COUNT

typedef struct tally {
    char key[64];
    uint64_t pages, lines;
    uint64_t tp, fp, fn, tn;                       /* content vs rest, lines */
    uint64_t ltp[L_N], lfp[L_N], lfn[L_N];          /* per label, lines */
    uint64_t gold_spans[L_N], found[L_N];           /* gold spans, found */
    uint64_t pred_spans[L_N], right[L_N];           /* predicted spans, right */
    uint64_t short_foreign, short_found;            /* gold foreign of 1-5 words */
    uint64_t clean, false_foreign;                  /* characters */
    double *score, *gold_share;                     /* per fully labelled page */
    size_t n_scores, cap_scores;
} tally;

typedef struct eval_run {
    spill_ctx *ctx;
    spill_linestats *batch;
    bool by_lang;
    tally all;
    tally *groups;
    size_t n_groups, cap_groups;
    /* scratch, per page */
    int8_t *gold, *pred;
    uint8_t *counted;
    size_t cap;
} eval_run;

static bool is_space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool grow(eval_run *e, size_t n)
{
    if (n <= e->cap)
        return true;
    size_t cap = e->cap ? e->cap : 1 << 16;
    while (cap < n)
        cap *= 2;
    int8_t *g = realloc(e->gold, cap), *p = realloc(e->pred, cap);
    uint8_t *c = realloc(e->counted, cap);
    if (g)
        e->gold = g;
    if (p)
        e->pred = p;
    if (c)
        e->counted = c;
    if (!g || !p || !c)
        return false;
    e->cap = cap;
    return true;
}

static tally *group(eval_run *e, const char *key)
{
    for (size_t i = 0; i < e->n_groups; i++)
        if (!strcmp(e->groups[i].key, key))
            return &e->groups[i];
    if (e->n_groups == e->cap_groups) {
        size_t cap = e->cap_groups ? e->cap_groups * 2 : 16;
        tally *g = realloc(e->groups, cap * sizeof *g);
        if (!g)
            return NULL;
        e->groups = g;
        e->cap_groups = cap;
    }
    tally *t = &e->groups[e->n_groups++];
    memset(t, 0, sizeof *t);
    snprintf(t->key, sizeof t->key, "%s", key);
    return t;
}

static void add_score(tally *t, double score, double share)
{
    if (t->n_scores == t->cap_scores) {
        size_t cap = t->cap_scores ? t->cap_scores * 2 : 256;
        double *a = realloc(t->score, cap * sizeof *a), *b = realloc(t->gold_share, cap * sizeof *b);
        if (a)
            t->score = a;
        if (b)
            t->gold_share = b;
        if (!a || !b)
            return;
        t->cap_scores = cap;
    }
    t->score[t->n_scores] = score;
    t->gold_share[t->n_scores++] = share;
}

/* Fills e->gold from the record's gold labels; false if it has none. */
static bool gold_bytes(eval_run *e, const spill_page *pg, const spill_gold *g)
{
    const char *t = pg->text;
    size_t n = pg->text_len;
    memset(e->gold, -1, n);
    if (g->line_labels) {
        size_t line = 0;
        for (size_t b = 0; b < n; b++) {
            e->gold[b] = line < g->n_lines ? (int8_t)g->line_labels[line] : -1;
            if (t[b] == '\n')
                line++;
        }
        return true;
    }
    if (!g->spans)
        return false;
    /* Code point -> byte: walk the text once per span would be quadratic;
     * build the byte offset of every code point instead. */
    size_t *at = malloc((pg->text_cp + 1) * sizeof *at);
    if (!at)
        return false;
    size_t cp = 0;
    for (size_t b = 0; b < n; b++)
        if (((unsigned char)t[b] & 0xC0) != 0x80)
            at[cp++] = b;
    at[cp] = n;
    for (size_t i = 0; i < g->n_spans; i++) {
        size_t s = g->spans[i].start_cp, x = g->spans[i].end_cp;
        if (s > cp)
            s = cp;
        if (x > cp)
            x = cp;
        memset(e->gold + at[s], g->spans[i].label, at[x] - at[s]);
    }
    free(at);
    return true;
}

static void count_lines(tally *t, const eval_run *e, const spill_page *pg, bool *fully)
{
    const char *text = pg->text;
    size_t n = pg->text_len;
    *fully = true;
    for (size_t b0 = 0; b0 < n;) {
        size_t b1 = b0;
        while (b1 < n && text[b1] != '\n')
            b1++;
        uint64_t total = 0, known = 0, gold_n[L_N] = {0}, pred_n[L_N] = {0};
        for (size_t b = b0; b < b1; b++) {
            if (!e->counted[b])
                continue;
            total++;
            pred_n[e->pred[b]]++;
            if (e->gold[b] >= 0) {
                known++;
                gold_n[e->gold[b]]++;
            }
        }
        b0 = b1 + 1;
        if (!total)
            continue;
        if (known * 2 < total) {
            *fully = false;
            continue;
        }
        int gl = 0;
        for (int k = 1; k < L_N; k++)
            if (gold_n[k] > gold_n[gl])
                gl = k;
        t->lines++;
        bool pc = pred_n[SPILL_LABEL_CONTENT] * 2 >= total, gc = gl == SPILL_LABEL_CONTENT;
        t->tp += pc && gc;
        t->fp += pc && !gc;
        t->fn += !pc && gc;
        t->tn += !pc && !gc;
        for (int k = 0; k < L_N; k++) {
            bool p = pred_n[k] * 2 >= total, g = gl == k;
            t->ltp[k] += p && g;
            t->lfp[k] += p && !g;
            t->lfn[k] += !p && g;
        }
    }
}

static size_t words_in(const char *t, size_t b0, size_t b1)
{
    size_t w = 0;
    bool in = false;
    for (size_t b = b0; b < b1; b++) {
        bool sp = is_space_byte((unsigned char)t[b]);
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

static void count_spans(tally *t, const eval_run *e, const spill_page *pg)
{
    size_t n = pg->text_len;
    /* Gold spans: runs of one known gold label over counted characters. */
    for (size_t b = 0; b < n;) {
        int8_t g = e->gold[b];
        size_t x = b;
        while (x < n && (e->gold[x] == g || !e->counted[x]))
            x++;
        if (g > 0) {
            uint64_t total = 0, hit = 0;
            for (size_t k = b; k < x; k++) {
                if (!e->counted[k])
                    continue;
                total++;
                hit += e->pred[k] == g;
            }
            if (total) {
                bool found = hit * 2 >= total;
                t->gold_spans[g]++;
                t->found[g] += found;
                if (g == SPILL_LABEL_FOREIGN && words_in(pg->text, b, x) <= 5) {
                    t->short_foreign++;
                    t->short_found += found;
                }
            }
        }
        b = x > b ? x : b + 1;
    }
    /* Predicted spans. */
    for (size_t i = 0; i < pg->n_spans; i++) {
        const spill_span *s = &pg->spans[i];
        if (s->label == SPILL_LABEL_CONTENT)
            continue;
        uint64_t known = 0, hit = 0;
        for (size_t k = s->start; k < s->end; k++) {
            if (!e->counted[k] || e->gold[k] < 0)
                continue;
            known++;
            hit += e->gold[k] == (int8_t)s->label;
        }
        if (known) {
            t->pred_spans[s->label]++;
            t->right[s->label] += hit * 2 >= known;
        }
    }
    for (size_t b = 0; b < n; b++) {
        /* Clean text: neither foreign nor garbage (mojibake taken for
         * foreign is a garbage/foreign mix-up, counted per label above). */
        if (!e->counted[b] || e->gold[b] < 0 || e->gold[b] == SPILL_LABEL_FOREIGN ||
            e->gold[b] == SPILL_LABEL_GARBAGE)
            continue;
        t->clean++;
        t->false_foreign += e->pred[b] == SPILL_LABEL_FOREIGN;
    }
}

static void tally_page(tally *t, const eval_run *e, const spill_page *pg)
{
    bool fully;
    t->pages++;
    count_lines(t, e, pg, &fully);
    count_spans(t, e, pg);
    if (fully) {
        uint64_t total = 0, content = 0;
        for (size_t b = 0; b < pg->text_len; b++) {
            if (!e->counted[b] || e->gold[b] < 0)
                continue;
            total++;
            content += e->gold[b] == SPILL_LABEL_CONTENT;
        }
        if (total)
            add_score(t, pg->score, (double)content / (double)total);
    }
}

static int eval_record_owned(void *user, spill_record *rec)
{
    eval_run *e = user;
    char name[512];
    if (rec->error) {
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), rec->error);
        return EXIT_RECORD_ERRORS;
    }
    if (!rec->gold) {
        cli_error("%s: no \"labels\" or \"spans\"", cli_record_name(rec, name, sizeof name));
        return EXIT_RECORD_ERRORS;
    }
    spill_hints hints = {.url = rec->url, .batch = e->batch};
    const spill_page *pg;
    if (spill_annotate(e->ctx, rec->id, rec->text, rec->text_len, &hints, &pg)) {
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), spill_ctx_message(e->ctx));
        return EXIT_RECORD_ERRORS;
    }
    if (!grow(e, pg->text_len + 1)) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < pg->n_spans; i++)
        memset(e->pred + pg->spans[i].start, pg->spans[i].label,
               pg->spans[i].end - pg->spans[i].start);
    for (size_t b = 0; b < pg->text_len; b++) {
        unsigned char c = (unsigned char)pg->text[b];
        e->counted[b] = (c & 0xC0) != 0x80 && !is_space_byte(c);
    }
    if (!gold_bytes(e, pg, rec->gold))
        return EXIT_RECORD_ERRORS;
    char key[64];
    if (e->by_lang) {
        snprintf(key, sizeof key, "%s", rec->lang ? rec->lang : "und");
    } else {
        const char *id = rec->id ? rec->id : "";
        size_t k = strcspn(id, "/");
        snprintf(key, sizeof key, "%.*s", (int)(id[k] ? k : 0), id);
        if (!key[0])
            snprintf(key, sizeof key, "-");
    }
    tally *g = group(e, key);
    tally_page(&e->all, e, pg);
    if (g)
        tally_page(g, e, pg);
    return EXIT_DONE;
}

/* ---- figures ------------------------------------------------------------ */

static double safe_div(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

static double f1(uint64_t tp, uint64_t fp, uint64_t fn)
{
    double p = safe_div(tp, tp + fp), r = safe_div(tp, tp + fn);
    return p + r > 0 ? 2 * p * r / (p + r) : NAN;
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    return (x > y) - (x < y);
}

/* Ranks with ties averaged. */
static void ranks(const double *v, size_t n, double *out, ranked *tmp)
{
    for (size_t i = 0; i < n; i++) {
        tmp[i].v = v[i];
        tmp[i].i = i;
    }
    qsort(tmp, n, sizeof *tmp, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && tmp[j].v == tmp[i].v)
            j++;
        double r = (i + j - 1) / 2.0 + 1;
        for (size_t k = i; k < j; k++)
            out[tmp[k].i] = r;
        i = j;
    }
}

static double spearman(const double *a, const double *b, size_t n)
{
    if (n < 3)
        return NAN;
    double *ra = malloc(n * sizeof *ra), *rb = malloc(n * sizeof *rb);
    ranked *tmp = malloc(n * sizeof *tmp);
    double rho = NAN;
    if (ra && rb && tmp) {
        ranks(a, n, ra, tmp);
        ranks(b, n, rb, tmp);
        double ma = 0, mb = 0;
        for (size_t i = 0; i < n; i++) {
            ma += ra[i];
            mb += rb[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (size_t i = 0; i < n; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        rho = saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
    }
    free(ra);
    free(rb);
    free(tmp);
    return rho;
}

static void print_num(FILE *f, double x)
{
    if (isnan(x))
        fputs("    -", f);
    else
        fprintf(f, "%5.3f", x);
}

static void print_report(FILE *f, const eval_run *e)
{
    const tally *t = &e->all;
    fprintf(f, "pages %llu, lines %llu\n", (unsigned long long)t->pages,
            (unsigned long long)t->lines);
    fprintf(f, "content vs rest, lines: P ");
    print_num(f, safe_div(t->tp, t->tp + t->fp));
    fputs("  R ", f);
    print_num(f, safe_div(t->tp, t->tp + t->fn));
    fputs("  F1 ", f);
    print_num(f, f1(t->tp, t->fp, t->fn));
    fprintf(f, "\nscore vs gold content share: Spearman ");
    print_num(f, spearman(t->score, t->gold_share, t->n_scores));
    fprintf(f, " (%zu fully labelled pages)\n\n", t->n_scores);
    fprintf(f, "%-12s %8s %7s %8s %9s %7s %7s\n", "label", "gold", "recall", "pred",
            "precision", "line P", "line R");
    for (int k = 1; k < L_N; k++) {
        if (!t->gold_spans[k] && !t->pred_spans[k] && !t->ltp[k] && !t->lfn[k])
            continue;
        fprintf(f, "%-12s %8llu   ", spill_label_name((spill_label)k),
                (unsigned long long)t->gold_spans[k]);
        print_num(f, safe_div(t->found[k], t->gold_spans[k]));
        fprintf(f, " %8llu     ", (unsigned long long)t->pred_spans[k]);
        print_num(f, safe_div(t->right[k], t->pred_spans[k]));
        fputs("   ", f);
        print_num(f, safe_div(t->ltp[k], t->ltp[k] + t->lfp[k]));
        fputs("   ", f);
        print_num(f, safe_div(t->ltp[k], t->ltp[k] + t->lfn[k]));
        fputc('\n', f);
    }
    if (t->short_foreign) {
        fprintf(f, "foreign spans of 1-5 words: recall ");
        print_num(f, safe_div(t->short_found, t->short_foreign));
        fprintf(f, " (%llu)\n", (unsigned long long)t->short_foreign);
    }
    fprintf(f, "false foreign: %.3f%% of %llu clean characters\n",
            100.0 * safe_div(t->false_foreign, t->clean), (unsigned long long)t->clean);
    if (e->n_groups > 1) {
        fprintf(f, "\n%-16s %6s %7s %6s %8s %9s %8s\n", e->by_lang ? "lang" : "dataset", "pages",
                "lines", "F1", "Spearman", "foreign R", "false fg");
        for (size_t i = 0; i < e->n_groups; i++) {
            const tally *g = &e->groups[i];
            fprintf(f, "%-16s %6llu %7llu  ", g->key, (unsigned long long)g->pages,
                    (unsigned long long)g->lines);
            print_num(f, f1(g->tp, g->fp, g->fn));
            fputs("    ", f);
            print_num(f, spearman(g->score, g->gold_share, g->n_scores));
            fputs("     ", f);
            print_num(f, safe_div(g->found[SPILL_LABEL_FOREIGN], g->gold_spans[SPILL_LABEL_FOREIGN]));
            fprintf(f, "   %.3f%%\n", 100.0 * safe_div(g->false_foreign, g->clean));
        }
    }
}

static void json_num(FILE *f, const char *key, double x, bool comma)
{
    if (isnan(x))
        fprintf(f, "\"%s\": null%s", key, comma ? ", " : "");
    else
        fprintf(f, "\"%s\": %.4f%s", key, x, comma ? ", " : "");
}

static void json_tally(FILE *f, const tally *t)
{
    fprintf(f, "{\"pages\": %llu, \"lines\": %llu, ", (unsigned long long)t->pages,
            (unsigned long long)t->lines);
    json_num(f, "precision", safe_div(t->tp, t->tp + t->fp), true);
    json_num(f, "recall", safe_div(t->tp, t->tp + t->fn), true);
    json_num(f, "f1", f1(t->tp, t->fp, t->fn), true);
    json_num(f, "spearman", spearman(t->score, t->gold_share, t->n_scores), true);
    json_num(f, "short_foreign_recall", safe_div(t->short_found, t->short_foreign), true);
    json_num(f, "false_foreign_rate", safe_div(t->false_foreign, t->clean), true);
    fputs("\"labels\": {", f);
    for (int k = 1; k < L_N; k++) {
        fprintf(f, "\"%s\": {\"gold_spans\": %llu, ", spill_label_name((spill_label)k),
                (unsigned long long)t->gold_spans[k]);
        json_num(f, "span_recall", safe_div(t->found[k], t->gold_spans[k]), true);
        json_num(f, "span_precision", safe_div(t->right[k], t->pred_spans[k]), true);
        json_num(f, "line_precision", safe_div(t->ltp[k], t->ltp[k] + t->lfp[k]), true);
        json_num(f, "line_recall", safe_div(t->ltp[k], t->ltp[k] + t->lfn[k]), false);
        fprintf(f, "}%s", k + 1 < L_N ? ", " : "");
    }
    fputs("}}", f);
}

static bool write_json(const char *path, const eval_run *e)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs("{\"all\": ", f);
    json_tally(f, &e->all);
    fputs(", \"groups\": {", f);
    for (size_t i = 0; i < e->n_groups; i++) {
        fprintf(f, "%s\"%s\": ", i ? ", " : "", e->groups[i].key);
        json_tally(f, &e->groups[i]);
    }
    fputs("}}\n", f);
    return fclose(f) == 0;
}

/* Takes ownership of the record. */
static int eval_record(void *user, spill_record *rec)
{
    int st = eval_record_owned(user, rec);
    spill_record_free(rec);
    return st;
}

static const char USAGE[] =
    "usage: spill eval [options] FILE...\n"
    "\n"
    "Annotates labelled pages and prints line-level precision, recall and F1 of\n"
    "content versus the rest, span recall and precision per label, false foreign\n"
    "characters, and the rank correlation of the page score with the gold share\n"
    "of content.  Records carry \"labels\" (one per line of text.split(\"\\n\"):\n"
    "\"main\", \"boilerplate\", a spill label or null) or \"spans\" ([{start, end,\n"
    "label}] in code points).\n"
    "\n"
    "options:\n"
    "  -m, --model DIR   model directory\n"
    "      --by-lang     group by the records' \"lang\" field, not by dataset\n"
    "      --batch       count lines across the input's pages (repeat_batch)\n"
    "      --sketch FILE line counts of a corpus (spill sketch) instead\n"
    "      --json FILE   also write the figures as JSON\n"
    "  -h, --help        this help\n"
    "\n"
    "example:\n"
    "  spill eval ../shared/data/pages/dev.jsonl\n";

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"by-lang", no_argument, NULL, 1},
        {"json", required_argument, NULL, 2},
        {"batch", no_argument, NULL, 3},
        {"sketch", required_argument, NULL, 4},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_dir = NULL, *json = NULL, *sketch = NULL;
    eval_run e = {0};
    bool batch = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model_dir = optarg; break;
        case 1: e.by_lang = true; break;
        case 2: json = optarg; break;
        case 3: batch = true; break;
        case 4: sketch = optarg; break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("eval needs labelled input files");
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    spill_model *model = cli_load_model(model_dir, false);
    if (!model)
        return EXIT_USAGE;
    spill_error err = {0};
    e.ctx = spill_ctx_new(model, NULL, &err);
    if (!e.ctx) {
        cli_error("%s", err.message);
        spill_model_free(model);
        return EXIT_USAGE;
    }
    spill_reader_options ro = spill_reader_options_default();
    ro.want_gold = 1;
    if (!cli_line_stats(sketch, batch, argv + optind, argc - optind, &ro, 1, &e.batch)) {
        spill_ctx_free(e.ctx);
        spill_model_free(model);
        return EXIT_USAGE;
    }
    int status = cli_each_record(argv + optind, argc - optind, &ro, NULL, eval_record, &e);
    if (status != EXIT_USAGE) {
        print_report(stdout, &e);
        if (json && !write_json(json, &e)) {
            cli_error("%s: cannot write", json);
            status = EXIT_USAGE;
        }
    }
    for (size_t i = 0; i < e.n_groups; i++) {
        free(e.groups[i].score);
        free(e.groups[i].gold_share);
    }
    free(e.all.score);
    free(e.all.gold_share);
    free(e.groups);
    free(e.gold);
    free(e.pred);
    free(e.counted);
    spill_linestats_free(e.batch);
    spill_ctx_free(e.ctx);
    spill_model_free(model);
    return status;
}
