/*
 * write.c - output records, as JSON lines built with jansson.
 *
 * Input: an annotated page (or an error).  Output: one line of JSON appended
 * to a spill_buf - the annotation record of SPEC.md ("id", "lang",
 * "lang_conf", "score", "langs", "scripts", "counts", "spans", then
 * "invalid_bytes" and "note" when they apply) or an error record {"id",
 * "error"}.  Offsets and counts are code points unless the caller asks for
 * bytes.  Numbers carry four significant digits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

#define REAL_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(6))

void spill_buf_free(spill_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static bool buf_reserve(spill_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d)
        return false;
    b->data = d;
    b->cap = cap;
    return true;
}

/* A JSON string of bytes that may not be valid UTF-8 (a file name). */
static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    if (utf8_valid_prefix(s, n) == n)
        return json_stringn(s, n);
    arena a;
    arena_init(&a, NULL, 0);
    const char *fixed;
    size_t flen, bad;
    json_t *v = utf8_repair(&a, s, n, &fixed, &flen, &bad) ? NULL : json_stringn(fixed, flen);
    arena_destroy(&a);
    return v;
}

static json_t *jreal(double x)
{
    if (!isfinite(x))
        x = 0;
    return json_real(round(x * 10000.0) / 10000.0);
}

/* Sets obj[key] = v, stealing v; false if v is NULL or setting failed. */
static bool put(json_t *obj, const char *key, json_t *v)
{
    return v && json_object_set_new(obj, key, v) == 0;
}

static int append(const char *data, size_t n, void *user)
{
    spill_buf *out = user;
    if (!buf_reserve(out, n))
        return -1;
    memcpy(out->data + out->len, data, n);
    out->len += n;
    return 0;
}

/* One pass of the encoder, straight into the buffer (json_dumpb would need
 * two: one for the size, one to write). */
static spill_status dump_line(spill_buf *out, json_t *obj)
{
    size_t start = out->len;
    if (json_dump_callback(obj, append, out, REAL_FLAGS) || !buf_reserve(out, 1)) {
        out->len = start;
        return SPILL_E_NOMEM;
    }
    out->data[out->len++] = '\n';
    return SPILL_OK;
}

static json_t *shares(const spill_share *v, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        if (!put(o, v[i].name, jreal(v[i].share))) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* Dolma attributes: span lists [start, end, value] per attribute name. */
static spill_status write_dolma(spill_buf *out, const spill_page *pg, bool bytes)
{
    json_t *o = json_object(), *attrs = json_object();
    size_t n = bytes ? pg->text_len : pg->text_cp;
    bool ok = o && attrs && put(o, "id", jstr(pg->id)) && put(o, "attributes", json_incref(attrs));
    json_t *whole = json_pack("[[iif]]", (json_int_t)0, (json_int_t)n, round(pg->score * 1e4) / 1e4);
    ok = ok && put(attrs, "spill__score", whole);
    char name[64];
    snprintf(name, sizeof name, "spill__lang_%s", pg->lang);
    ok = ok && put(attrs, name,
                   json_pack("[[iif]]", (json_int_t)0, (json_int_t)n,
                             round(pg->lang_conf * 1e4) / 1e4));
    for (int k = 0; ok && k < SPILL_LABEL_COUNT; k++) {
        json_t *list = json_array();
        snprintf(name, sizeof name, "spill__%s", spill_label_name((spill_label)k));
        ok = list && put(attrs, name, json_incref(list));
        for (size_t i = 0; ok && i < pg->n_spans; i++) {
            const spill_span *s = &pg->spans[i];
            if ((int)s->label != k)
                continue;
            ok = json_array_append_new(
                     list, json_pack("[iif]", (json_int_t)(bytes ? s->start : s->start_cp),
                                     (json_int_t)(bytes ? s->end : s->end_cp),
                                     round(s->p * 1e4) / 1e4)) == 0;
        }
        json_decref(list);
    }
    spill_status st = ok ? dump_line(out, o) : SPILL_E_NOMEM;
    json_decref(attrs);
    json_decref(o);
    return st;
}

spill_status spill_write_page(spill_buf *out, const spill_page *pg, const char *url,
                              unsigned flags)
{
    bool bytes = flags & SPILL_WRITE_OFFSETS_BYTES;
    if (flags & SPILL_WRITE_DOLMA)
        return write_dolma(out, pg, bytes);
    json_t *o = json_object();
    /* Containers go into `o` first and are filled through borrowed
     * pointers, so `o` alone owns everything on every path. */
    json_t *counts = json_object(), *spans = json_array();
    bool ok = o && put(o, "id", jstr(pg->id)) && put(o, "lang", json_string(pg->lang)) &&
              put(o, "lang_conf", jreal(pg->lang_conf)) && put(o, "score", jreal(pg->score)) &&
              put(o, "langs", shares(pg->langs, pg->n_langs)) &&
              put(o, "scripts", shares(pg->scripts, pg->n_scripts));
    ok = ok && put(o, "counts", json_incref(counts)) && put(o, "spans", json_incref(spans));
    for (int k = 0; ok && k < SPILL_LABEL_COUNT; k++)
        ok = put(counts, spill_label_name((spill_label)k),
                 json_integer((json_int_t)(bytes ? pg->counts_bytes[k] : pg->counts[k])));
    for (size_t i = 0; ok && i < pg->n_spans; i++) {
        const spill_span *s = &pg->spans[i];
        json_t *j = json_object();
        ok = j && json_array_append_new(spans, j) == 0 &&
             put(j, "start", json_integer((json_int_t)(bytes ? s->start : s->start_cp))) &&
             put(j, "end", json_integer((json_int_t)(bytes ? s->end : s->end_cp))) &&
             put(j, "label", json_string(spill_label_name(s->label))) &&
             put(j, "p", jreal(s->p)) && put(j, "lang", json_string(s->lang)) &&
             put(j, "why", json_string(s->why ? s->why : ""));
    }
    if (ok && pg->invalid_bytes)
        ok = put(o, "invalid_bytes", json_integer((json_int_t)pg->invalid_bytes));
    if (ok && url)
        ok = put(o, "url", jstr(url));
    if (ok && (flags & SPILL_WRITE_TEXT))
        ok = put(o, "text", json_stringn(pg->text, pg->text_len));
    if (ok && pg->note)
        ok = put(o, "note", json_string(pg->note));
    spill_status st = ok ? dump_line(out, o) : SPILL_E_NOMEM;
    json_decref(counts);
    json_decref(spans);
    json_decref(o);
    return st;
}

spill_status spill_write_error(spill_buf *out, const char *id, const char *message)
{
    json_t *o = json_object();
    bool ok = o && put(o, "id", jstr(id)) && put(o, "error", jstr(message ? message : "error"));
    spill_status st = ok ? dump_line(out, o) : SPILL_E_NOMEM;
    json_decref(o);
    return st;
}

/* Sets obj[path] (dotted) = v, creating objects on the way; steals v. */
static bool put_path(json_t *obj, const char *path, json_t *v)
{
    if (json_object_get(obj, path))
        return put(obj, path, v);  /* a key that holds dots itself */
    const char *dot = strchr(path, '.');
    if (!dot)
        return put(obj, path, v);
    char key[256];
    size_t n = (size_t)(dot - path);
    if (n >= sizeof key) {
        json_decref(v);
        return false;
    }
    memcpy(key, path, n);
    key[n] = 0;
    json_t *child = json_object_get(obj, key);
    if (!json_is_object(child)) {
        child = json_object();
        if (!put(obj, key, child))
            return false;
    }
    return put_path(child, dot + 1, v);
}

spill_status spill_write_clean(spill_buf *out, const spill_record *rec, const spill_page *pg,
                               unsigned keep, const char *text_field)
{
    /* The kept spans, in order: what is dropped takes its trailing white
     * space with it, so lines stay lines. */
    size_t len = 0;
    for (size_t i = 0; i < pg->n_spans; i++)
        if (keep & (1u << pg->spans[i].label))
            len += pg->spans[i].end - pg->spans[i].start;
    char *text = malloc(len + 1);
    if (!text)
        return SPILL_E_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < pg->n_spans; i++) {
        const spill_span *s = &pg->spans[i];
        if (keep & (1u << s->label)) {
            memcpy(text + o, pg->text + s->start, s->end - s->start);
            o += s->end - s->start;
        }
    }
    while (o && (text[o - 1] == '\n' || text[o - 1] == '\r' || text[o - 1] == ' '))
        o--;
    json_t *obj = rec->json ? json_deep_copy(rec->json) : json_object();
    bool ok = obj != NULL;
    if (ok && !rec->json) {
        ok = put(obj, "id", jstr(rec->id));
        if (ok && rec->url)
            ok = put(obj, "url", jstr(rec->url));
    }
    ok = ok && put_path(obj, text_field ? text_field : "text", json_stringn(text, o)) &&
         put(obj, "spill_score", jreal(pg->score));
    free(text);
    spill_status st = ok ? dump_line(out, obj) : SPILL_E_NOMEM;
    json_decref(obj);
    return st;
}

/* ---- batch summary -------------------------------------------------------- */

static json_t *label_object(const uint64_t *chars, uint64_t total, bool shares)
{
    json_t *o = json_object();
    for (int k = 0; o && k < SPILL_LABEL_COUNT; k++) {
        json_t *v = shares ? jreal(total ? (double)chars[k] / (double)total : 0.0)
                           : json_integer((json_int_t)chars[k]);
        if (!put(o, spill_label_name((spill_label)k), v)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *count_list(const spill_summary_count *v, size_t n, uint64_t total_chars,
                          bool labels)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const spill_summary_count *e = &v[i];
        json_t *o = json_object();
        bool ok = o && json_array_append_new(a, o) == 0 && put(o, "name", jstr(e->name)) &&
                  put(o, "pages", json_integer((json_int_t)e->pages)) &&
                  put(o, "chars", json_integer((json_int_t)e->chars)) &&
                  put(o, "share", jreal(total_chars ? (double)e->chars / (double)total_chars : 0));
        if (ok && e->pages)
            ok = put(o, "mean_score", jreal(e->score_sum / (double)e->pages));
        if (ok && labels)
            ok = put(o, "labels", label_object(e->label_chars, e->chars, true));
        if (!ok) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *worst_list(const spill_summary *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->n_worst; i++) {
        const spill_summary_page *p = &s->worst[i];
        json_t *o = json_object(), *spans = json_array();
        bool ok = o && spans && json_array_append_new(a, o) == 0 && put(o, "id", jstr(p->id)) &&
                  put(o, "source", jstr(p->source)) && put(o, "score", jreal(p->score)) &&
                  put(o, "lang", json_string(p->lang)) &&
                  put(o, "text", json_stringn(p->text, p->text_len)) &&
                  put(o, "truncated", json_boolean(p->text_len < p->full_len)) &&
                  put(o, "spans", json_incref(spans));
        for (size_t k = 0; ok && k < p->n_spans; k++) {
            const spill_span *sp = &p->spans[k];
            /* Code points within the kept text. */
            size_t cp0 = utf8_count(p->text, sp->start);
            size_t cp1 = cp0 + utf8_count(p->text + sp->start, sp->end - sp->start);
            ok = json_array_append_new(spans, json_pack("{s:i,s:i,s:s,s:f,s:s}", "start",
                                                        (json_int_t)cp0, "end", (json_int_t)cp1,
                                                        "label", spill_label_name(sp->label),
                                                        "p", round(sp->p * 1e4) / 1e4, "why",
                                                        sp->why)) == 0;
        }
        json_decref(spans);
        if (!ok) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

spill_status spill_write_summary(spill_buf *out, const spill_summary *s)
{
    json_t *o = json_object(), *hist = json_array(), *und = json_array();
    bool ok = o && hist && und;
    for (int b = 0; ok && b < SPILL_SUMMARY_BINS; b++)
        ok = json_array_append_new(hist, json_integer((json_int_t)s->hist[b])) == 0;
    for (size_t i = 0; ok && i < s->n_und_ids; i++)
        ok = json_array_append_new(und, jstr(s->und_ids[i])) == 0;
    ok = ok && put(o, "pages", json_integer((json_int_t)s->pages)) &&
         put(o, "errors", json_integer((json_int_t)s->errors)) &&
         put(o, "bytes", json_integer((json_int_t)s->bytes)) &&
         put(o, "chars", json_integer((json_int_t)s->chars)) &&
         put(o, "mean_score", jreal(spill_summary_mean(s))) &&
         put(o, "median_score", jreal(spill_summary_median(s))) &&
         put(o, "score_histogram", json_incref(hist)) &&
         put(o, "label_shares", label_object(s->label_chars, s->chars, true)) &&
         put(o, "label_chars", label_object(s->label_chars, s->chars, false)) &&
         put(o, "langs", count_list(s->langs, s->n_langs, s->chars, false)) &&
         put(o, "scripts", count_list(s->scripts, s->n_scripts, s->chars, false)) &&
         put(o, "sources", count_list(s->sources, s->n_sources, s->chars, true)) &&
         put(o, "und_pages", json_integer((json_int_t)s->und_pages)) &&
         put(o, "und_ids", json_incref(und)) && put(o, "worst", worst_list(s));
    spill_status st = ok ? dump_line(out, o) : SPILL_E_NOMEM;
    json_decref(hist);
    json_decref(und);
    json_decref(o);
    return st;
}
