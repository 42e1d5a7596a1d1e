/*
 * read.c - record sources.
 *
 * Input: a file or standard input, compressed with gzip or zstd (recognised
 * by their magic bytes, concatenated members/frames included) or not.
 * Output: records - id, text, url and source position - one at a time.
 *
 * Formats: JSONL (one JSON object per line, parsed with jansson; the text
 * and id fields are configurable, dotted paths reach into nested objects)
 * and plain text (the whole input is one page, its id the file name).  A
 * line that cannot be made a record becomes a record with `error` set, so
 * the caller can write an error record in its place and go on.  This stage
 * knows nothing about languages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>
#include <zstd.h>

#include "internal.h"

#define IN_BUF (1u << 17)

typedef enum codec { CODEC_NONE, CODEC_GZIP, CODEC_ZSTD } codec;

struct spill_reader {
    spill_reader_options o;
    char *text_field, *id_field, *name;
    FILE *f;
    bool own_file;
    spill_format fmt;
    codec codec;
    z_stream z;
    bool z_ready, z_ended;
    ZSTD_DStream *zs;
    size_t zs_last;           /* last ZSTD_decompressStream hint; 0 at a frame end */
    unsigned char *in;        /* compressed bytes */
    size_t in_len, in_pos;
    bool in_eof;
    unsigned char *buf;       /* decoded bytes */
    size_t buf_len, buf_pos;
    bool eof;                 /* no more decoded bytes */
    char *line;               /* the line being assembled */
    size_t line_len, line_cap;
    uint64_t lineno;
    bool text_done;
    char msg[512];
    bool failed;              /* an I/O or decoding error is pending */
    bool failed_reported;
};

spill_reader_options spill_reader_options_default(void)
{
    spill_reader_options o;
    memset(&o, 0, sizeof o);
    o.format = SPILL_FORMAT_AUTO;
    o.text_field = "text";
    o.id_field = "id";
    o.max_record_bytes = SPILL_DEFAULT_MAX_TEXT;
    return o;
}

/* ---- decoded byte stream ---------------------------------------------- */

static void set_failed(spill_reader *r, const char *fmt, const char *detail)
{
    if (!r->failed) {
        snprintf(r->msg, sizeof r->msg, fmt, r->name, detail);
        r->failed = true;
    }
}

static bool fill_in(spill_reader *r)
{
    if (r->in_pos < r->in_len)
        return true;
    if (r->in_eof)
        return false;
    r->in_len = fread(r->in, 1, IN_BUF, r->f);
    r->in_pos = 0;
    if (r->in_len < IN_BUF) {
        if (ferror(r->f))
            set_failed(r, "%s: read error: %s", strerror(errno));
        r->in_eof = true;
    }
    return r->in_len > 0;
}

/* Refills r->buf with decoded bytes; false at the end of input. */
static bool fill_buf(spill_reader *r)
{
    r->buf_pos = r->buf_len = 0;
    while (!r->eof && r->buf_len == 0) {
        if (!fill_in(r)) {
            r->eof = true;
            if (r->codec == CODEC_GZIP && r->z_ready && !r->z_ended)
                set_failed(r, "%s: truncated gzip stream%s", "");
            if (r->codec == CODEC_ZSTD && r->zs_last != 0)
                set_failed(r, "%s: truncated zstd stream%s", "");
            break;
        }
        switch (r->codec) {
        case CODEC_NONE: {
            size_t n = r->in_len - r->in_pos;
            memcpy(r->buf, r->in + r->in_pos, n);
            r->in_pos += n;
            r->buf_len = n;
            break;
        }
        case CODEC_GZIP: {
            if (r->z_ended) {
                /* Another member follows: gzip files may be concatenated. */
                if (inflateReset(&r->z) != Z_OK) {
                    set_failed(r, "%s: gzip error%s", "");
                    r->eof = true;
                    break;
                }
                r->z_ended = false;
            }
            r->z.next_in = r->in + r->in_pos;
            r->z.avail_in = (uInt)(r->in_len - r->in_pos);
            r->z.next_out = r->buf;
            r->z.avail_out = IN_BUF;
            int rc = inflate(&r->z, Z_NO_FLUSH);
            r->in_pos = r->in_len - r->z.avail_in;
            r->buf_len = IN_BUF - r->z.avail_out;
            if (rc == Z_STREAM_END) {
                r->z_ended = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                set_failed(r, "%s: corrupt gzip data (%s)", r->z.msg ? r->z.msg : "inflate");
                r->eof = true;
            }
            break;
        }
        case CODEC_ZSTD: {
            ZSTD_inBuffer zin = {r->in, r->in_len, r->in_pos};
            ZSTD_outBuffer zout = {r->buf, IN_BUF, 0};
            size_t rc = ZSTD_decompressStream(r->zs, &zout, &zin);
            r->in_pos = zin.pos;
            r->buf_len = zout.pos;
            if (ZSTD_isError(rc)) {
                set_failed(r, "%s: corrupt zstd data (%s)", ZSTD_getErrorName(rc));
                r->eof = true;
            } else {
                r->zs_last = rc;
            }
            break;
        }
        }
    }
    return r->buf_len > 0;
}

/* Appends up to the next LF to r->line; false at the end of input with
 * nothing read.  A line longer than the limit is consumed but not kept:
 * *too_long is set. */
static bool read_line(spill_reader *r, bool *too_long)
{
    r->line_len = 0;
    *too_long = false;
    bool any = false;
    for (;;) {
        if (r->buf_pos == r->buf_len && !fill_buf(r))
            return any;
        any = true;
        unsigned char *start = r->buf + r->buf_pos;
        size_t avail = r->buf_len - r->buf_pos;
        unsigned char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        r->buf_pos += take + (nl != NULL);
        if (!*too_long) {
            if (r->line_len + take > r->o.max_record_bytes) {
                *too_long = true;
            } else {
                if (r->line_len + take + 1 > r->line_cap) {
                    size_t cap = r->line_cap ? r->line_cap : 1 << 16;
                    while (cap < r->line_len + take + 1)
                        cap *= 2;
                    char *l = realloc(r->line, cap);
                    if (!l) {
                        set_failed(r, "%s: %s", "out of memory for a line");
                        return false;
                    }
                    r->line = l;
                    r->line_cap = cap;
                }
                memcpy(r->line + r->line_len, start, take);
                r->line_len += take;
            }
        }
        if (nl)
            return true;
    }
}

/* ---- opening ---------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static spill_format format_from_name(const char *name)
{
    char base[1024];
    snprintf(base, sizeof base, "%s", name);
    const char *strip[] = {".gz", ".zst", ".zstd"};
    for (size_t i = 0; i < 3; i++) {
        if (ends_with(base, strip[i])) {
            base[strlen(base) - strlen(strip[i])] = 0;
            break;
        }
    }
    if (ends_with(base, ".jsonl") || ends_with(base, ".json") || ends_with(base, ".ndjson"))
        return SPILL_FORMAT_JSONL;
    if (ends_with(base, ".txt") || ends_with(base, ".text"))
        return SPILL_FORMAT_TEXT;
    return SPILL_FORMAT_AUTO;
}

static void *open_fail(spill_reader *r, spill_error *err, spill_status st, const char *fmt,
                       const char *name, const char *detail)
{
    if (err) {
        err->status = st;
        err->offset = -1;
        snprintf(err->message, sizeof err->message, fmt, name, detail);
    }
    spill_reader_free(r);
    return NULL;
}

spill_reader *spill_reader_open(const char *path, const spill_reader_options *opts,
                                spill_error *err)
{
    spill_reader_options o = opts ? *opts : spill_reader_options_default();
    bool is_stdin = !path || !strcmp(path, "-");
    spill_reader *r = calloc(1, sizeof *r);
    if (!r)
        return open_fail(NULL, err, SPILL_E_NOMEM, "%s: %s", path ? path : "-", "out of memory");
    r->o = o;
    if (!r->o.max_record_bytes)
        r->o.max_record_bytes = SPILL_DEFAULT_MAX_TEXT;
    if (r->o.max_record_bytes > SPILL_HARD_MAX_TEXT)
        r->o.max_record_bytes = SPILL_HARD_MAX_TEXT;
    r->name = strdup(is_stdin ? "-" : path);
    r->text_field = strdup(o.text_field ? o.text_field : "text");
    r->id_field = strdup(o.id_field ? o.id_field : "id");
    r->in = malloc(IN_BUF);
    r->buf = malloc(IN_BUF);
    if (!r->name || !r->text_field || !r->id_field || !r->in || !r->buf)
        return open_fail(r, err, SPILL_E_NOMEM, "%s: %s", path ? path : "-", "out of memory");
    if (is_stdin) {
        r->f = stdin;
    } else {
        r->f = fopen(path, "rb");
        if (!r->f)
            return open_fail(r, err, SPILL_E_IO, "%s: %s", path, strerror(errno));
        r->own_file = true;
    }
    /* Magic bytes decide the codec. */
    fill_in(r);
    const unsigned char *m = r->in;
    size_t n = r->in_len;
    if (n >= 2 && m[0] == 0x1F && m[1] == 0x8B) {
        r->codec = CODEC_GZIP;
        if (inflateInit2(&r->z, 15 + 32) != Z_OK)
            return open_fail(r, err, SPILL_E_NOMEM, "%s: %s", r->name, "cannot start zlib");
        r->z_ready = true;
    } else if (n >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD) {
        r->codec = CODEC_ZSTD;
        r->zs = ZSTD_createDStream();
        if (!r->zs || ZSTD_isError(ZSTD_initDStream(r->zs)))
            return open_fail(r, err, SPILL_E_NOMEM, "%s: %s", r->name, "cannot start zstd");
        r->zs_last = 1;
    }
    if (r->failed)
        return open_fail(r, err, SPILL_E_IO, "%s%s", r->msg, "");
    /* The format: as asked, else from the name, else from the first byte. */
    r->fmt = o.format;
    if (r->fmt == SPILL_FORMAT_AUTO && !is_stdin)
        r->fmt = format_from_name(path);
    if (r->fmt == SPILL_FORMAT_AUTO) {
        fill_buf(r);
        size_t i = 0;
        while (i < r->buf_len && strchr(" \t\r\n", r->buf[i]))
            i++;
        bool bom = r->buf_len >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3);
        r->fmt = (i < r->buf_len && r->buf[i] == '{') || (bom && r->buf_len > 3 && r->buf[3] == '{')
                     ? SPILL_FORMAT_JSONL
                     : SPILL_FORMAT_TEXT;
    }
    return r;
}

void spill_reader_free(spill_reader *r)
{
    if (!r)
        return;
    if (r->own_file && r->f)
        fclose(r->f);
    if (r->z_ready)
        inflateEnd(&r->z);
    ZSTD_freeDStream(r->zs);
    free(r->in);
    free(r->buf);
    free(r->line);
    free(r->name);
    free(r->text_field);
    free(r->id_field);
    free(r);
}

const char *spill_reader_message(const spill_reader *r)
{
    return r ? r->msg : "";
}

void spill_record_free(spill_record *rec)
{
    if (!rec)
        return;
    free(rec->id);
    free(rec->text);
    free(rec->url);
    free(rec->lang);
    free(rec->error);
    if (rec->gold) {
        free((void *)rec->gold->line_labels);
        free((void *)rec->gold->spans);
        free(rec->gold);
    }
    free(rec);
}

/* ---- records ---------------------------------------------------------- */

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static char *printf_dup(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printf_dup(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = malloc((size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

/* The value at a dotted path ("meta.url") of an object, or NULL. */
static json_t *get_path(json_t *obj, const char *path)
{
    const char *p = path;
    json_t *v = obj;
    while (v && *p) {
        size_t n = strcspn(p, ".");
        char key[256];
        if (n >= sizeof key || !json_is_object(v))
            return NULL;
        memcpy(key, p, n);
        key[n] = 0;
        /* A key may itself hold dots: the whole rest first. */
        json_t *whole = json_object_get(v, p);
        if (whole)
            return whole;
        v = json_object_get(v, key);
        p += n;
        if (*p == '.')
            p++;
    }
    return v;
}

/* A string or number as a string, for ids. */
static char *scalar_string(json_t *v)
{
    if (json_is_string(v))
        return dupn(json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return printf_dup("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_real(v))
        return printf_dup("%.17g", json_real_value(v));
    return NULL;
}

static int gold_label(const char *name)
{
    if (!strcmp(name, "main"))
        return SPILL_LABEL_CONTENT;
    return spill_label_from_name(name);
}

/* "labels": [..] per line, or "spans": [{start, end, label}] in code points. */
static const char *parse_gold(json_t *obj, spill_record *rec)
{
    json_t *labels = json_object_get(obj, "labels");
    json_t *spans = json_object_get(obj, "spans");
    if (!json_is_array(labels) && !json_is_array(spans))
        return NULL;
    spill_gold *g = calloc(1, sizeof *g);
    if (!g)
        return "out of memory";
    rec->gold = g;
    if (json_is_array(labels)) {
        size_t n = json_array_size(labels);
        int *v = malloc((n ? n : 1) * sizeof *v);
        if (!v)
            return "out of memory";
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(labels, i);
            v[i] = json_is_string(x) ? gold_label(json_string_value(x)) : -1;
            if (json_is_string(x) && v[i] < 0)
                return "\"labels\" holds an unknown label";
        }
        g->line_labels = v;
        g->n_lines = n;
        return NULL;
    }
    size_t n = json_array_size(spans);
    spill_gold_span *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return "out of memory";
    g->spans = v;
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(spans, i);
        json_t *s = json_object_get(x, "start"), *e = json_object_get(x, "end");
        json_t *l = json_object_get(x, "label");
        if (!json_is_integer(s) || !json_is_integer(e) || !json_is_string(l) ||
            json_integer_value(s) < 0 || json_integer_value(e) < json_integer_value(s))
            return "\"spans\" needs objects with integer start <= end and a label";
        v[i].start_cp = (size_t)json_integer_value(s);
        v[i].end_cp = (size_t)json_integer_value(e);
        v[i].label = gold_label(json_string_value(l));
        if (v[i].label < 0)
            return "\"spans\" holds an unknown label";
    }
    g->n_spans = n;
    return NULL;
}

static spill_record *new_record(spill_reader *r)
{
    spill_record *rec = calloc(1, sizeof *rec);
    if (rec) {
        rec->source = r->name;
        rec->position = r->lineno;
    }
    return rec;
}

/* Fills rec from one JSONL line; on a problem sets rec->error. */
static void parse_jsonl(spill_reader *r, spill_record *rec)
{
    const char *line = r->line;
    size_t len = r->line_len;
    if (len && line[len - 1] == '\r')
        len--;
    if (r->lineno == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
        line += 3;  /* a byte order mark */
        len -= 3;
    }
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
    if (!obj) {
        rec->error = printf_dup("invalid JSON at column %d: %s", jerr.column, jerr.text);
        return;
    }
    if (!json_is_object(obj)) {
        rec->error = printf_dup("a record must be a JSON object");
        json_decref(obj);
        return;
    }
    json_t *id = get_path(obj, r->id_field);
    rec->id = id ? scalar_string(id) : NULL;
    if (!rec->id)
        rec->id = printf_dup("%s:%llu", r->name, (unsigned long long)r->lineno);
    json_t *url = get_path(obj, "url");
    if (json_is_string(url))
        rec->url = dupn(json_string_value(url), json_string_length(url));
    json_t *lang = json_object_get(obj, "lang");
    if (json_is_string(lang))
        rec->lang = dupn(json_string_value(lang), json_string_length(lang));
    json_t *text = get_path(obj, r->text_field);
    if (!text) {
        rec->error = printf_dup("field \"%s\" is missing", r->text_field);
    } else if (!json_is_string(text)) {
        rec->error = printf_dup("field \"%s\" is not a string", r->text_field);
    } else {
        rec->text_len = json_string_length(text);
        rec->text = dupn(json_string_value(text), rec->text_len);
        if (!rec->text)
            rec->error = printf_dup("out of memory for a text of %zu bytes", rec->text_len);
        else if (r->o.want_gold) {
            const char *e = parse_gold(obj, rec);
            if (e)
                rec->error = printf_dup("%s", e);
        }
    }
    json_decref(obj);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The whole input as one page. */
static spill_status read_text(spill_reader *r, spill_record **out)
{
    spill_record *rec = new_record(r);
    if (!rec)
        return SPILL_E_NOMEM;
    rec->position = 1;
    rec->id = strdup(strcmp(r->name, "-") ? base_name(r->name) : "stdin");
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    bool too_long = false;
    while (text && (r->buf_pos < r->buf_len || fill_buf(r))) {
        size_t n = r->buf_len - r->buf_pos;
        if (len + n > r->o.max_record_bytes) {
            too_long = true;
            r->buf_pos = r->buf_len;
            continue;
        }
        if (len + n + 1 > cap) {
            while (cap < len + n + 1)
                cap *= 2;
            char *t = realloc(text, cap);
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t;
        }
        memcpy(text + len, r->buf + r->buf_pos, n);
        len += n;
        r->buf_pos = r->buf_len;
    }
    if (!text || !rec->id) {
        free(text);
        spill_record_free(rec);
        return SPILL_E_NOMEM;
    }
    text[len] = 0;
    if (too_long) {
        free(text);
        rec->error = printf_dup("text exceeds the limit of %zu bytes", r->o.max_record_bytes);
    } else {
        rec->text = text;
        rec->text_len = len;
    }
    *out = rec;
    return SPILL_OK;
}

spill_status spill_reader_next(spill_reader *r, spill_record **out)
{
    *out = NULL;
    if (r->fmt == SPILL_FORMAT_TEXT) {
        if (!r->text_done) {
            r->text_done = true;
            spill_status st = read_text(r, out);
            if (st)
                return st;
            return SPILL_OK;
        }
    } else {
        for (;;) {
            bool too_long;
            if (!read_line(r, &too_long))
                break;
            r->lineno++;
            if (!too_long) {
                /* Blank lines separate nothing in JSONL: skip them. */
                size_t i = 0;
                while (i < r->line_len && strchr(" \t\r", r->line[i]))
                    i++;
                if (i == r->line_len)
                    continue;
            }
            spill_record *rec = new_record(r);
            if (!rec)
                return SPILL_E_NOMEM;
            if (too_long)
                rec->error = printf_dup("line exceeds the limit of %zu bytes",
                                        r->o.max_record_bytes);
            else
                parse_jsonl(r, rec);
            *out = rec;
            return SPILL_OK;
        }
    }
    if (r->failed && !r->failed_reported) {
        r->failed_reported = true;
        return SPILL_E_IO;
    }
    return SPILL_OK;
}
