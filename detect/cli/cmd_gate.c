/*
 * cmd_gate.c - spill gate: a CI quality gate on a data dump.  Thresholds
 * from flags or a config file; each is checked against the batch summary
 * and printed with its measured value; exit 0 when all pass, 1 when one
 * fails, 2 on a usage or input error; --junit writes one test case per
 * threshold for the CI system.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill gate [options] [FILE...]\n"
    "\n"
    "Checks a batch - raw records or spill score's annotations - against\n"
    "thresholds; prints each threshold, the measured value, PASS or FAIL.\n"
    "Exit status: 0 every threshold passed, 1 one failed, 2 usage or input error.\n"
    "\n"
    "thresholds:\n"
    "      --min-mean-score X      mean page score at least X\n"
    "      --max-below S:X         at most the share X of pages score below S\n"
    "      --max-share LABEL=X     at most the share X of characters are LABEL\n"
    "                              (repeatable: --max-share foreign=0.01)\n"
    "      --langs L1,L2,...       the expected main languages ...\n"
    "      --min-lang-share X      ... hold at least the share X of pages (default 0.9)\n"
    "      --max-errors N          at most N error records\n"
    "      --baseline FILE         a previous run's JSON summary (spill report --json,\n"
    "                              spill gate --json) ...\n"
    "      --max-mean-drop X       ... the mean score drops by at most X against it\n"
    "      --config FILE           thresholds as \"name = value\" lines, the names of\n"
    "                              the options above without dashes; flags win\n"
    "output:\n"
    "      --junit FILE            JUnit XML, one test case per threshold\n"
    "      --json FILE             the batch summary as JSON (a later baseline)\n"
    "\n"
    "options:\n" CLI_RUN_HELP
    "\n"
    "examples:\n"
    "  spill gate --min-mean-score 0.6 --max-share garbage=0.01 --junit gate.xml dump.jsonl\n"
    "  spill gate --config gate.conf --baseline last.json --json this.json dump.jsonl.zst\n";

#define MAX_CHECKS 32

typedef struct check {
    char name[320];
    double value, limit;
    bool pass;
    char message[400];
} check;

typedef struct thresholds {
    bool has_mean, has_below, has_langs, has_errors, has_drop;
    double min_mean, below_score, below_share, min_lang_share, max_drop;
    long max_errors;
    double max_share[SPILL_LABEL_COUNT];  /* < 0: none */
    char langs[256];
    const char *baseline;
} thresholds;

static bool parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    while (*end == ' ')
        end++;
    return end != s && !*end && !errno && isfinite(*out);
}

/* One threshold "name value"; false (with a message) if malformed. */
static bool set_threshold(thresholds *t, const char *name, const char *value)
{
    double x;
    if (!strcmp(name, "min-mean-score")) {
        t->has_mean = parse_num(value, &t->min_mean);
        return t->has_mean || (cli_error("min-mean-score: \"%s\" is no number", value), false);
    }
    if (!strcmp(name, "max-below")) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", value);
        char *colon = strchr(buf, ':');
        if (!colon)
            return cli_error("max-below takes SCORE:SHARE, not \"%s\"", value), false;
        *colon = 0;
        t->has_below = parse_num(buf, &t->below_score) && parse_num(colon + 1, &t->below_share);
        return t->has_below || (cli_error("max-below: \"%s\" is not SCORE:SHARE", value), false);
    }
    if (!strcmp(name, "max-share")) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", value);
        char *eq = strchr(buf, '=');
        int label = eq ? (*eq = 0, spill_label_from_name(buf)) : -1;
        if (label < 0 || !parse_num(eq + 1, &x))
            return cli_error("max-share takes LABEL=SHARE, not \"%s\"", value), false;
        t->max_share[label] = x;
        return true;
    }
    if (!strcmp(name, "langs")) {
        snprintf(t->langs, sizeof t->langs, "%s", value);
        t->has_langs = true;
        return true;
    }
    if (!strcmp(name, "min-lang-share"))
        return parse_num(value, &t->min_lang_share) ||
               (cli_error("min-lang-share: \"%s\" is no number", value), false);
    if (!strcmp(name, "max-errors")) {
        t->has_errors = parse_num(value, &x) && x >= 0;
        t->max_errors = (long)x;
        return t->has_errors || (cli_error("max-errors: \"%s\" is no count", value), false);
    }
    if (!strcmp(name, "max-mean-drop")) {
        t->has_drop = parse_num(value, &t->max_drop);
        return t->has_drop || (cli_error("max-mean-drop: \"%s\" is no number", value), false);
    }
    if (!strcmp(name, "baseline")) {
        t->baseline = strdup(value);
        return true;
    }
    cli_error("unknown threshold \"%s\"", name);
    return false;
}

/* "name = value" lines; '#' comments.  Values already set by flags win:
 * the config is read first. */
static bool read_config(thresholds *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("%s: %s", path, strerror(errno));
        return false;
    }
    char line[512];
    int n = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        n++;
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || !*p)
            continue;
        p[strcspn(p, "\r\n")] = 0;
        char *eq = strchr(p, '=');
        if (!eq) {
            cli_error("%s:%d: expected \"name = value\"", path, n);
            ok = false;
            break;
        }
        char *name = p, *value = eq + 1;
        *eq = 0;
        for (char *e = eq - 1; e >= name && (*e == ' ' || *e == '\t'); e--)
            *e = 0;
        value += strspn(value, " \t");
        for (char *e = value + strlen(value); e > value && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = 0;
        if (!set_threshold(t, name, value)) {
            cli_error("%s:%d: in this line", path, n);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}

static void add_check(check *c, size_t *n, bool pass, double value, double limit,
                      const char *fmt_name, const char *fmt_msg, ...)
    __attribute__((format(printf, 7, 8)));

static void add_check(check *c, size_t *n, bool pass, double value, double limit,
                      const char *name, const char *fmt_msg, ...)
{
    if (*n == MAX_CHECKS)
        return;
    check *k = &c[(*n)++];
    snprintf(k->name, sizeof k->name, "%s", name);
    k->value = value;
    k->limit = limit;
    k->pass = pass;
    va_list ap;
    va_start(ap, fmt_msg);
    vsnprintf(k->message, sizeof k->message, fmt_msg, ap);
    va_end(ap);
}

static size_t run_checks(const thresholds *t, const spill_summary *s,
                         const spill_summary *base, check *c)
{
    size_t n = 0;
    char name[320];
    if (t->has_mean) {
        double m = spill_summary_mean(s);
        snprintf(name, sizeof name, "mean score >= %g", t->min_mean);
        add_check(c, &n, m >= t->min_mean, m, t->min_mean, name,
                  "mean score %.4f, the minimum is %g", m, t->min_mean);
    }
    if (t->has_below) {
        double b = spill_summary_below(s, t->below_score);
        snprintf(name, sizeof name, "share of pages scoring below %g <= %g", t->below_score,
                 t->below_share);
        add_check(c, &n, b <= t->below_share, b, t->below_share, name,
                  "%.4f of pages score below %g, the maximum is %g", b, t->below_score,
                  t->below_share);
    }
    for (int k = 0; k < SPILL_LABEL_COUNT; k++) {
        if (t->max_share[k] < 0)
            continue;
        double sh = s->chars ? (double)s->label_chars[k] / (double)s->chars : 0;
        snprintf(name, sizeof name, "share of %s characters <= %g", spill_label_name(k),
                 t->max_share[k]);
        add_check(c, &n, sh <= t->max_share[k], sh, t->max_share[k], name,
                  "%.4f of characters are %s, the maximum is %g", sh, spill_label_name(k),
                  t->max_share[k]);
    }
    if (t->has_langs) {
        uint64_t in = 0;
        for (size_t i = 0; i < s->n_langs; i++) {
            char list[260];
            snprintf(list, sizeof list, ",%s,", t->langs);
            char key[80];
            snprintf(key, sizeof key, ",%s,", s->langs[i].name);
            if (strstr(list, key))
                in += s->langs[i].pages;
        }
        double sh = s->pages ? (double)in / (double)s->pages : 0;
        snprintf(name, sizeof name, "share of pages in %s >= %g", t->langs, t->min_lang_share);
        add_check(c, &n, sh >= t->min_lang_share, sh, t->min_lang_share, name,
                  "%.4f of pages are in %s, the minimum is %g", sh, t->langs, t->min_lang_share);
    }
    if (t->has_errors) {
        snprintf(name, sizeof name, "error records <= %ld", t->max_errors);
        add_check(c, &n, (long)s->errors <= t->max_errors, (double)s->errors,
                  (double)t->max_errors, name, "%llu error records, the maximum is %ld",
                  (unsigned long long)s->errors, t->max_errors);
    }
    if (t->has_drop && base) {
        /* At the precision summaries are written with (4 decimals): a
         * baseline read back cannot tell more, and the same run must not
         * fail against its own summary by a rounding. */
        double drop = round(spill_summary_mean(base) * 1e4) / 1e4 -
                      round(spill_summary_mean(s) * 1e4) / 1e4;
        snprintf(name, sizeof name, "mean score drop against the baseline <= %g", t->max_drop);
        add_check(c, &n, drop <= t->max_drop, drop, t->max_drop, name,
                  "mean score %.4f against the baseline's %.4f: a drop of %.4f, the maximum is %g",
                  spill_summary_mean(s), spill_summary_mean(base), drop, t->max_drop);
    }
    return n;
}

static void xml_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static bool write_junit(const char *path, const check *c, size_t n, const spill_summary *s)
{
    cli_output o;
    if (!cli_output_open(&o, path))
        return false;
    size_t failures = 0;
    for (size_t i = 0; i < n; i++)
        failures += !c[i].pass;
    FILE *f = o.f;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"spill gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            n, failures);
    fprintf(f, "  <testsuite name=\"spill gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
               "skipped=\"0\" time=\"0\">\n",
            n, failures);
    fprintf(f, "    <properties><property name=\"pages\" value=\"%llu\"/><property name=\"errors\" "
               "value=\"%llu\"/><property name=\"mean_score\" value=\"%.4f\"/></properties>\n",
            (unsigned long long)s->pages, (unsigned long long)s->errors, spill_summary_mean(s));
    for (size_t i = 0; i < n; i++) {
        fputs("    <testcase classname=\"spill.gate\" name=\"", f);
        xml_esc(f, c[i].name);
        if (c[i].pass) {
            fputs("\" time=\"0\"/>\n", f);
            continue;
        }
        fputs("\" time=\"0\">\n      <failure type=\"threshold\" message=\"", f);
        xml_esc(f, c[i].message);
        fputs("\">", f);
        xml_esc(f, c[i].message);
        fputs("</failure>\n    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return cli_output_close(&o, true);
}

int cmd_gate(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RUN_OPTIONS,
        {"min-mean-score", required_argument, NULL, 1},
        {"max-below", required_argument, NULL, 2},
        {"max-share", required_argument, NULL, 3},
        {"langs", required_argument, NULL, 4},
        {"min-lang-share", required_argument, NULL, 5},
        {"max-errors", required_argument, NULL, 6},
        {"baseline", required_argument, NULL, 7},
        {"max-mean-drop", required_argument, NULL, 8},
        {"config", required_argument, NULL, 9},
        {"junit", required_argument, NULL, 10},
        {"json", required_argument, NULL, 11},
        {NULL, 0, NULL, 0},
    };
    static const char *const NAMES[] = {NULL, "min-mean-score", "max-below", "max-share",
                                        "langs", "min-lang-share", "max-errors", "baseline",
                                        "max-mean-drop"};
    cli_run run;
    cli_run_init(&run);
    thresholds t = {.min_lang_share = 0.9};
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        t.max_share[k] = -1;
    const char *config = NULL, *junit = NULL, *json = NULL;
    /* Two passes over the flags: the config file first, then flags on top. */
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, CLI_RUN_SHORT, longopts, NULL)) != -1)
        if (c == 9)
            config = optarg;
    opterr = 1;
    if (config && !read_config(&t, config))
        return EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_RUN_SHORT, longopts, NULL)) != -1) {
        int r = cli_run_option(&run, c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        if (c >= 1 && c <= 8) {
            if (!set_threshold(&t, NAMES[c], optarg))
                return EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 9: break;
        case 10: junit = optarg; break;
        case 11: json = optarg; break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    bool any = t.has_mean || t.has_below || t.has_langs || t.has_errors || t.has_drop;
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        any |= t.max_share[k] >= 0;
    if (!any) {
        cli_error("gate needs at least one threshold");
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    if (t.has_drop && !t.baseline) {
        cli_error("--max-mean-drop needs --baseline");
        return EXIT_USAGE;
    }
    spill_summary *base = NULL;
    if (t.baseline) {
        spill_error err = {0};
        base = spill_summary_read(t.baseline, &err);
        if (!base) {
            cli_error("%s", err.message);
            return EXIT_USAGE;
        }
    }
    spill_summary *s = spill_summary_new(1, 1, 1000);
    if (!s) {
        spill_summary_free(base);
        return EXIT_USAGE;
    }
    int status = cli_summarize(&run, argv + optind, argc - optind, s);
    if (status == EXIT_USAGE) {
        spill_summary_free(s);
        spill_summary_free(base);
        return status;
    }
    check checks[MAX_CHECKS];
    size_t n = run_checks(&t, s, base, checks), failed = 0;
    printf("spill gate: %llu pages, %llu error records, mean score %.4f\n",
           (unsigned long long)s->pages, (unsigned long long)s->errors, spill_summary_mean(s));
    for (size_t i = 0; i < n; i++) {
        failed += !checks[i].pass;
        printf("  %s  %-50s %.4f\n", checks[i].pass ? "PASS" : "FAIL", checks[i].name,
               checks[i].value);
    }
    printf("%s: %zu of %zu thresholds failed\n", failed ? "FAIL" : "PASS", failed, n);
    status = failed ? 1 : 0;
    if (junit && !write_junit(junit, checks, n, s))
        status = EXIT_USAGE;
    if (json && !cli_write_summary_json(json, s))
        status = EXIT_USAGE;
    if (fflush(stdout) || ferror(stdout))
        status = EXIT_USAGE;
    spill_summary_free(s);
    spill_summary_free(base);
    free((char *)t.baseline);
    return status;
}
