/*
 * annotate.c - runs the stages for one page, and the small public functions
 * (versions, statuses, labels, options, contexts, the schema).
 *
 *   utf8_repair -> segment_lines -> script_runs -> lang_identify
 *     -> features_compute (-> classify_segments) -> classify_finish -> score_page
 *
 * A context owns the arena every stage allocates from; it is reset at the
 * start of each page, so a page's result lives until the next call.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <svm.h>  /* LIBSVM_VERSION */
#include <unicode/uversion.h>
#include <utf8proc.h>
#include <zlib.h>
#include <zstd.h>

#include "cld2_shim.h"
#include "internal.h"
#include "json_shim.h"

/* Blocks kept for the next page: a typical page needs less; a larger one
 * takes from malloc (more kept held 7 MB more at -j 2, bench run.sh). */
#define ARENA_KEEP ((size_t)1 << 20)

struct spill_ctx {
    spill_options opts;
    const spill_model *model;
    arena a;
    page_work w;
    char message[512];
};

const char *spill_version(void)
{
    return SPILL_VERSION_STRING;
}

int spill_version_number(void)
{
    return SPILL_VERSION_NUMBER;
}

const char *spill_deps_version(char *buf, size_t cap)
{
    snprintf(buf, cap,
             "CLD2 %s; ICU %s; utf8proc %s; libsvm %d; jansson %s; simdjson %s; zlib %s; zstd %s",
             cld2_version(), U_ICU_VERSION, utf8proc_version(), LIBSVM_VERSION, JANSSON_VERSION,
             json_fast_version(), zlibVersion(), ZSTD_versionString());
    return buf;
}

const char *spill_status_str(spill_status st)
{
    switch (st) {
    case SPILL_OK: return "ok";
    case SPILL_E_NOMEM: return "out of memory";
    case SPILL_E_IO: return "input/output error";
    case SPILL_E_INPUT: return "bad input";
    case SPILL_E_MODEL_FORMAT: return "bad model file";
    case SPILL_E_MODEL_SCHEMA: return "model feature schema mismatch";
    case SPILL_E_INVALID_ARG: return "invalid argument";
    case SPILL_E_TOO_LARGE: return "input too large";
    case SPILL_E_INTERNAL: return "internal error";
    }
    return "unknown status";
}

static const char *const LABELS[SPILL_LABEL_COUNT] = {
    "content", "boilerplate", "spillover", "foreign", "duplicate", "garbage",
};

const char *spill_label_name(spill_label label)
{
    return (unsigned)label < SPILL_LABEL_COUNT ? LABELS[label] : NULL;
}

int spill_label_from_name(const char *name)
{
    for (int i = 0; i < SPILL_LABEL_COUNT; i++)
        if (!strcmp(LABELS[i], name))
            return i;
    return -1;
}

spill_options spill_options_default(void)
{
    spill_options o;
    memset(&o, 0, sizeof o);
    o.max_text_bytes = SPILL_DEFAULT_MAX_TEXT;
    return o;
}

const char *spill_schema_name(void)
{
    return FEATURE_SCHEMA_NAME;
}

int spill_schema_version(void)
{
    return FEATURE_SCHEMA_VERSION;
}

size_t spill_schema_size(void)
{
    return features_count();
}

const char *spill_schema_feature(size_t i)
{
    return features_name(i);
}

spill_ctx *spill_ctx_new(const spill_model *model, const spill_options *opts, spill_error *err)
{
    spill_options o = opts ? *opts : spill_options_default();
    if (!model) {
        if (err) {
            err->status = SPILL_E_INVALID_ARG;
            err->offset = -1;
            snprintf(err->message, sizeof err->message, "no model");
        }
        return NULL;
    }
    spill_ctx *c = mem_alloc(&o.alloc, sizeof *c);
    if (!c) {
        if (err) {
            err->status = SPILL_E_NOMEM;
            err->offset = -1;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->opts = o;
    if (!c->opts.max_text_bytes || c->opts.max_text_bytes > SPILL_HARD_MAX_TEXT)
        c->opts.max_text_bytes = SPILL_HARD_MAX_TEXT;
    c->model = model;
    arena_init(&c->a, &o.alloc, ARENA_KEEP);
    return c;
}

void spill_ctx_free(spill_ctx *c)
{
    if (!c)
        return;
    spill_allocator al = c->opts.alloc;
    arena_destroy(&c->a);
    mem_free(&al, c);
}

const page_work *annotate_work(const spill_ctx *c)
{
    return &c->w;
}

const char *spill_ctx_message(const spill_ctx *c)
{
    return c ? c->message : "";
}

static spill_status ctx_fail(spill_ctx *c, spill_status st, const char *what)
{
    if (st == SPILL_E_NOMEM)
        snprintf(c->message, sizeof c->message, "out of memory while %s", what);
    else if (!c->message[0])
        snprintf(c->message, sizeof c->message, "%s while %s", spill_status_str(st), what);
    return st;
}

/* Resets the ctx and runs the stages through features.c, whose vectors go
 * to sink. */
static spill_status prepare(spill_ctx *c, const char *id, const char *text, size_t len,
                            const spill_hints *hints, features_sink sink, void *user)
{
    c->message[0] = 0;
    arena_reset(&c->a);
    page_work *w = &c->w;
    memset(w, 0, sizeof *w);
    w->a = &c->a;
    w->model = c->model;
    w->hints = hints;
    if (!text && len)
        return ctx_fail(c, SPILL_E_INVALID_ARG, "reading the text (NULL)");
    if (len > c->opts.max_text_bytes) {
        snprintf(c->message, sizeof c->message,
                 "text of %zu bytes exceeds the limit of %zu bytes", len, c->opts.max_text_bytes);
        return SPILL_E_TOO_LARGE;
    }
    w->page.id = id ? arena_strndup(&c->a, id, strlen(id)) : NULL;
    if (id && !w->page.id)
        return ctx_fail(c, SPILL_E_NOMEM, "copying the id");
    spill_status st = utf8_repair(&c->a, text ? text : "", len, &w->text, &w->len,
                                  &w->page.invalid_bytes);
    if (st)
        return ctx_fail(c, st, "validating UTF-8");
    if (w->len > c->opts.max_text_bytes) {
        snprintf(c->message, sizeof c->message,
                 "text of %zu bytes after UTF-8 repair exceeds the limit of %zu bytes", w->len,
                 c->opts.max_text_bytes);
        return SPILL_E_TOO_LARGE;
    }
    w->page.text = w->text;
    w->page.text_len = w->len;
    if ((st = segment_lines(&c->a, w->text, w->len, &w->lines, &w->n_lines)))
        return ctx_fail(c, st, "cutting lines");
    if ((st = script_runs(&c->a, w->text, w->lines, w->n_lines, &w->scripts)) ||
        (st = script_words(&c->a, w->text, w->lines, w->n_lines, &w->words)))
        return ctx_fail(c, st, "finding scripts and words");
    if ((st = lang_identify(&c->a, w->text, w->len, hints, c->model, &w->words,
                            &w->scripts, &w->langs)))
        return ctx_fail(c, st, "identifying languages");
#ifndef NDEBUG
    /* Segments are in text order, within their lines, never overlapping. */
    for (size_t i = 0; i < w->scripts.n_segs; i++) {
        const seg *g = &w->scripts.segs[i];
        assert(g->b0 < g->b1 && g->b1 <= w->lines[g->line].b1 && g->b0 >= w->lines[g->line].b0);
        assert(i == 0 || g->b0 >= w->scripts.segs[i - 1].b1);
    }
#endif
    if ((st = features_compute(w, sink, user)))
        return ctx_fail(c, st, "computing features");
    return SPILL_OK;
}

spill_status spill_annotate(spill_ctx *c, const char *id, const char *text, size_t len,
                            const spill_hints *hints, const spill_page **page)
{
    if (!c || !page)
        return SPILL_E_INVALID_ARG;
    *page = NULL;
    if (!c->model->has_classifier) {
        snprintf(c->message, sizeof c->message,
                 "model %s was loaded for its tables only and cannot annotate", c->model->name);
        return SPILL_E_INVALID_ARG;
    }
    spill_status st = prepare(c, id, text, len, hints, classify_segments, NULL);
    if (st)
        return st;
    if ((st = classify_finish(&c->w)))
        return ctx_fail(c, st, "classifying");
    if ((st = score_page(&c->w)))
        return ctx_fail(c, st, "scoring");
    *page = &c->w.page;
    return SPILL_OK;
}

/* ---- gold labels per segment, for spill_features --------------------- */

/* The gold label of [b0, b1) from per-line labels of text.split("\n"). */
static int gold_from_lines(const spill_gold *g, const uint32_t *nl, size_t n_nl, uint32_t b0)
{
    /* Lines of split("\n") before b0 = newlines before b0. */
    size_t lo = 0, hi = n_nl;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (nl[mid] < b0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n_lines ? g->line_labels[lo] : -1;
}

/* The gold label of [cp0, cp1) from spans: the label covering most of it. */
static int gold_from_spans(const spill_gold *g, size_t cp0, size_t cp1)
{
    size_t cover[SPILL_LABEL_COUNT] = {0};
    for (size_t i = 0; i < g->n_spans; i++) {
        const spill_gold_span *s = &g->spans[i];
        size_t lo = s->start_cp > cp0 ? s->start_cp : cp0;
        size_t hi = s->end_cp < cp1 ? s->end_cp : cp1;
        if (hi > lo && s->label >= 0 && s->label < SPILL_LABEL_COUNT)
            cover[s->label] += hi - lo;
    }
    int best = -1;
    size_t most = 0;
    for (int k = 0; k < SPILL_LABEL_COUNT; k++) {
        if (cover[k] > most) {
            most = cover[k];
            best = k;
        }
    }
    return best;
}

/* spill_features's sink: each segment's vector with its gold label. */
typedef struct gold_rows {
    const spill_gold *gold;
    spill_feature_row_fn row;
    void *user;
    uint32_t *nl;  /* offsets of the text's newlines (line labels) */
    size_t n_nl;
    size_t cp, at;  /* code points before byte `at` (spans) */
} gold_rows;

static spill_status emit_rows(page_work *w, size_t first, size_t n, const float *rows,
                              void *user)
{
    gold_rows *g = user;
    const spill_gold *gold = g->gold;
    if (first == 0 && gold && gold->line_labels) {
        for (size_t i = 0; i < w->len; i++)
            g->n_nl += w->text[i] == '\n';
        g->nl = arena_alloc(w->a, (g->n_nl + 1) * sizeof *g->nl);
        if (!g->nl)
            return SPILL_E_NOMEM;
        for (size_t i = 0, k = 0; i < w->len; i++)
            if (w->text[i] == '\n')
                g->nl[k++] = (uint32_t)i;
    }
    size_t nf = features_count();
    for (size_t s = first; s < first + n; s++) {
        const seg *sg = &w->scripts.segs[s];
        int label = -1;
        if (gold && gold->line_labels) {
            label = gold_from_lines(gold, g->nl, g->n_nl, sg->b0);
        } else if (gold && gold->spans) {
            g->cp += utf8_count(w->text + g->at, sg->b0 - g->at);
            size_t seg_cp = utf8_count(w->text + sg->b0, sg->b1 - sg->b0);
            label = gold_from_spans(gold, g->cp, g->cp + seg_cp);
            g->cp += seg_cp;
            g->at = sg->b1;
        }
        spill_status st = g->row(g->user, s, label, rows + (s - first) * nf, nf);
        if (st)
            return st;
    }
    return SPILL_OK;
}

spill_status spill_features(spill_ctx *c, const char *text, size_t len, const spill_hints *hints,
                            const spill_gold *gold, spill_feature_row_fn row, void *user)
{
    if (!c || !row)
        return SPILL_E_INVALID_ARG;
    gold_rows g = {.gold = gold, .row = row, .user = user};
    return prepare(c, NULL, text, len, hints, emit_rows, &g);
}
