/*
 * summary.c - what a batch of annotated pages looks like, in bounded memory.
 *
 * Input: annotated pages (score.c's spill_page), one at a time.  Output: a
 * spill_summary - totals, a histogram of scores, characters per label, the
 * language and script mixes, label shares per source, the worst pages with
 * their spans, pages of unknown language - for the report and the gate.
 * The per-source table keeps its max_sources largest entries and folds the
 * others into "(other)"; the worst pages are a bounded list, each page cut to
 * max_text bytes; so the summary does not grow with the number of pages.
 * write.c writes it as JSON; read.c reads one back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_LANGS 64
#define MAX_SCRIPTS 32
#define UND_IDS 20
#define OTHER "(other)"

spill_summary *spill_summary_new(size_t worst, size_t max_sources, size_t max_text)
{
    spill_summary *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max_worst = worst ? worst : 20;
    s->max_sources = max_sources ? max_sources : 50;
    s->max_text = max_text ? max_text : 20000;
    s->langs = calloc(MAX_LANGS + 1, sizeof *s->langs);
    s->scripts = calloc(MAX_SCRIPTS + 1, sizeof *s->scripts);
    /* Sources: room for 4x the kept number before folding the smallest. */
    s->sources = calloc(4 * s->max_sources + 1, sizeof *s->sources);
    s->worst = calloc(s->max_worst + 1, sizeof *s->worst);
    s->und_ids = calloc(UND_IDS, sizeof *s->und_ids);
    if (!s->langs || !s->scripts || !s->sources || !s->worst || !s->und_ids) {
        spill_summary_free(s);
        return NULL;
    }
    return s;
}

static void free_page(spill_summary_page *p)
{
    free(p->id);
    free(p->source);
    free(p->text);
    for (size_t i = 0; i < p->n_spans; i++)
        free((char *)p->spans[i].why);
    free(p->spans);
    memset(p, 0, sizeof *p);
}

void spill_summary_free(spill_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_worst; i++)
        free_page(&s->worst[i]);
    for (size_t i = 0; i < s->n_und_ids; i++)
        free(s->und_ids[i]);
    free(s->langs);
    free(s->scripts);
    free(s->sources);
    free(s->worst);
    free(s->und_ids);
    free(s);
}

static int cmp_pages(const void *a, const void *b)
{
    const spill_summary_count *x = a, *y = b;
    if (x->pages != y->pages)
        return x->pages < y->pages ? 1 : -1;
    if (x->chars != y->chars)
        return x->chars < y->chars ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* The entry called `name` in a table of at most `cap` entries (the last slot
 * reserved for "(other)"); full tables fold into "(other)". */
static spill_summary_count *entry(spill_summary_count *v, size_t *n, size_t cap, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(v[i].name, name))
            return &v[i];
    if (*n + 1 >= cap)
        name = OTHER;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(v[i].name, name))
            return &v[i];
    spill_summary_count *e = &v[(*n)++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

/* Keeps the `keep` sources with most pages and folds the others (and any
 * earlier "(other)") into one "(other)" entry: counts stay exact, only
 * which sources are named is approximate when there are very many. */
static void fold_sources(spill_summary *s, size_t keep)
{
    qsort(s->sources, s->n_sources, sizeof *s->sources, cmp_pages);
    spill_summary_count other = {0};
    snprintf(other.name, sizeof other.name, OTHER);
    size_t kept = 0;
    for (size_t i = 0; i < s->n_sources; i++) {
        spill_summary_count *e = &s->sources[i];
        if (kept < keep && strcmp(e->name, OTHER)) {
            s->sources[kept++] = *e;
            continue;
        }
        other.pages += e->pages;
        other.chars += e->chars;
        other.score_sum += e->score_sum;
        for (int k = 0; k < SPILL_LABEL_COUNT; k++)
            other.label_chars[k] += e->label_chars[k];
    }
    if (other.pages)
        s->sources[kept++] = other;
    s->n_sources = kept;
}

static void count(spill_summary_count *e, const spill_page *p, uint64_t chars)
{
    e->pages++;
    e->chars += chars;
    e->score_sum += p->score;
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        e->label_chars[k] += p->counts[k];
}

/* The host of a URL, or NULL. */
static void url_host(const char *url, char *host, size_t cap)
{
    host[0] = 0;
    const char *h = strstr(url, "://");
    if (!h)
        return;
    h += 3;
    size_t n = strcspn(h, "/:?#");
    if (n && n < cap) {
        memcpy(host, h, n);
        host[n] = 0;
    }
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A copy of the page cut to max_text bytes (at a character boundary). */
static spill_status keep_page(spill_summary *s, spill_summary_page *dst, const spill_page *p,
                              const char *source)
{
    size_t n = p->text_len;
    if (n > s->max_text) {
        n = s->max_text;
        while (n && ((unsigned char)p->text[n] & 0xC0) == 0x80)
            n--;
    }
    memset(dst, 0, sizeof *dst);
    dst->id = dup_or_null(p->id);
    dst->source = dup_or_null(source);
    dst->score = p->score;
    snprintf(dst->lang, sizeof dst->lang, "%s", p->lang);
    dst->text = malloc(n + 1);
    dst->spans = calloc(p->n_spans ? p->n_spans : 1, sizeof *dst->spans);
    if (!dst->text || !dst->spans || (p->id && !dst->id) || (source && !dst->source)) {
        free_page(dst);
        return SPILL_E_NOMEM;
    }
    memcpy(dst->text, p->text, n);
    dst->text[n] = 0;
    dst->text_len = n;
    dst->full_len = p->text_len;
    for (size_t i = 0; i < p->n_spans && p->spans[i].start < n; i++) {
        spill_span sp = p->spans[i];
        if (sp.end > n)
            sp.end = n;
        sp.why = strdup(sp.why ? sp.why : "");
        if (!sp.why) {
            free_page(dst);
            return SPILL_E_NOMEM;
        }
        dst->spans[dst->n_spans++] = sp;
    }
    return SPILL_OK;
}

/* Keeps the max_worst lowest scores, sorted, ties to the earlier page. */
static spill_status add_worst(spill_summary *s, const spill_page *p, const char *source)
{
    if (s->n_worst == s->max_worst && p->score >= s->worst[s->n_worst - 1].score)
        return SPILL_OK;
    spill_summary_page pg;
    spill_status st = keep_page(s, &pg, p, source);
    if (st)
        return st;
    if (s->n_worst == s->max_worst)
        free_page(&s->worst[--s->n_worst]);
    size_t at = s->n_worst;
    while (at > 0 && s->worst[at - 1].score > pg.score) {
        s->worst[at] = s->worst[at - 1];
        at--;
    }
    s->worst[at] = pg;
    s->n_worst++;
    return SPILL_OK;
}

spill_status spill_summary_add(spill_summary *s, const spill_page *page, const char *url,
                               const char *source)
{
    /* Scores as annotation records carry them (four decimals), so a report
     * from annotations equals one from the raw records. */
    spill_page rounded = *page;
    rounded.score = round(page->score * 1e4) / 1e4;
    const spill_page *p = &rounded;
    uint64_t chars = p->text_cp;
    s->pages++;
    s->bytes += p->text_len;
    s->chars += chars;
    s->score_sum += p->score;
    int bin = (int)(p->score * SPILL_SUMMARY_BINS);
    s->hist[bin < 0 ? 0 : bin >= SPILL_SUMMARY_BINS ? SPILL_SUMMARY_BINS - 1 : bin]++;
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        s->label_chars[k] += p->counts[k];

    count(entry(s->langs, &s->n_langs, MAX_LANGS + 1, p->lang), p, chars);
    for (size_t i = 0; i < p->n_scripts; i++) {
        spill_summary_count *e = entry(s->scripts, &s->n_scripts, MAX_SCRIPTS + 1,
                                       p->scripts[i].name);
        e->chars += (uint64_t)(p->scripts[i].share * chars + 0.5);
        e->pages += i == 0;
    }
    char host[64];
    url_host(url ? url : "", host, sizeof host);
    const char *src = host[0] ? host : source ? source : "-";
    if (s->n_sources >= 4 * s->max_sources)
        fold_sources(s, s->max_sources);  /* room for new ones, bounded */
    count(entry(s->sources, &s->n_sources, 4 * s->max_sources + 1, src), p, chars);

    if (!strcmp(p->lang, "und")) {
        s->und_pages++;
        if (s->n_und_ids < UND_IDS && p->id) {
            s->und_ids[s->n_und_ids] = strdup(p->id);
            s->n_und_ids += s->und_ids[s->n_und_ids] != NULL;
        }
    }
    return add_worst(s, p, src);
}

void spill_summary_add_error(spill_summary *s)
{
    s->errors++;
}

double spill_summary_mean(const spill_summary *s)
{
    return s->pages ? s->score_sum / (double)s->pages : 0.0;
}

double spill_summary_median(const spill_summary *s)
{
    if (!s->pages)
        return 0.0;
    uint64_t half = (s->pages + 1) / 2, seen = 0;
    for (int b = 0; b < SPILL_SUMMARY_BINS; b++) {
        seen += s->hist[b];
        if (seen >= half)
            return (b + 0.5) / SPILL_SUMMARY_BINS;
    }
    return 1.0;
}

double spill_summary_below(const spill_summary *s, double x)
{
    if (!s->pages)
        return 0.0;
    uint64_t n = 0;
    for (int b = 0; b < SPILL_SUMMARY_BINS && (b + 1.0) / SPILL_SUMMARY_BINS <= x + 1e-12; b++)
        n += s->hist[b];
    return (double)n / (double)s->pages;
}

void spill_summary_finish(spill_summary *s)
{
    qsort(s->langs, s->n_langs, sizeof *s->langs, cmp_pages);
    if (s->n_sources > s->max_sources + 1)
        fold_sources(s, s->max_sources);
    qsort(s->sources, s->n_sources, sizeof *s->sources, cmp_pages);
    for (size_t i = 1; i < s->n_scripts; i++) {
        spill_summary_count t = s->scripts[i];
        size_t j = i;
        while (j > 0 && s->scripts[j - 1].chars < t.chars) {
            s->scripts[j] = s->scripts[j - 1];
            j--;
        }
        s->scripts[j] = t;
    }
}

/* ---- pages the caller owns ------------------------------------------------ */

spill_page *spill_page_copy(const spill_page *p)
{
    spill_page *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = *p;
    c->id = dup_or_null(p->id);
    char *text = malloc(p->text_len + 1);
    spill_span *spans = calloc(p->n_spans ? p->n_spans : 1, sizeof *spans);
    spill_share *langs = calloc(p->n_langs ? p->n_langs : 1, sizeof *langs);
    spill_share *scripts = calloc(p->n_scripts ? p->n_scripts : 1, sizeof *scripts);
    c->text = text;
    c->spans = spans;
    c->langs = langs;
    c->scripts = scripts;
    c->note = dup_or_null(p->note);
    c->n_spans = 0;
    if (!text || !spans || !langs || !scripts || (p->id && !c->id) || (p->note && !c->note)) {
        spill_page_free(c);
        return NULL;
    }
    memcpy(text, p->text, p->text_len);
    text[p->text_len] = 0;
    memcpy(langs, p->langs, p->n_langs * sizeof *langs);
    memcpy(scripts, p->scripts, p->n_scripts * sizeof *scripts);
    for (size_t i = 0; i < p->n_spans; i++) {
        spans[i] = p->spans[i];
        spans[i].why = strdup(p->spans[i].why ? p->spans[i].why : "");
        if (!spans[i].why) {
            spill_page_free(c);
            return NULL;
        }
        c->n_spans = i + 1;
    }
    return c;
}

void spill_page_free(spill_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_spans; i++)
        free((char *)p->spans[i].why);
    free((char *)p->id);
    free((char *)p->text);
    free((char *)p->note);
    free((void *)p->spans);
    free((void *)p->langs);
    free((void *)p->scripts);
    free(p);
}
