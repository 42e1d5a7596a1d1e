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

#define REAL_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(4))

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

static spill_status dump_line(spill_buf *out, json_t *obj)
{
    size_t n = json_dumpb(obj, NULL, 0, REAL_FLAGS);
    if (!n || !buf_reserve(out, n + 1))
        return SPILL_E_NOMEM;
    json_dumpb(obj, out->data + out->len, n, REAL_FLAGS);
    out->len += n;
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

spill_status spill_write_page(spill_buf *out, const spill_page *pg, unsigned flags)
{
    bool bytes = flags & SPILL_WRITE_OFFSETS_BYTES;
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
