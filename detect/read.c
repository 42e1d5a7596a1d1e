/*
 * read.c - record sources.
 *
 * Input: a file or standard input, compressed with gzip or zstd (recognised
 * by their magic bytes, concatenated members/frames included) or not.
 * Output: records - id, text, url and source position - one at a time.
 *
 * Formats: JSONL (one JSON object per line; the text and id fields are
 * configurable, dotted paths reach into nested objects; parsed with
 * simdjson through json_shim.h where a record's few fields are all that is
 * wanted, else - and for every line simdjson refuses, so the message is
 * jansson's - with jansson),
 * WARC/WET as Common Crawl publishes them (ISO 28500, WARC/1.0 and 1.1:
 * a version line, "Name: value" headers, an empty line, Content-Length bytes
 * of block; conversion records are text, response records HTTP responses
 * whose HTML body is reduced to text; other types are skipped and counted),
 * and plain text (the whole input is one page, its id the file name).  A
 * record that cannot be read becomes a record with `error` set, so the
 * caller can write an error record in its place and go on; bytes between
 * WARC records that are no record (a Content-Length that lied) are reported
 * the same way.  This stage knows nothing about languages.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <zlib.h>
#include <zstd.h>

#include "internal.h"
#include "json_shim.h"

#define IN_BUF (1u << 17)

/* A line buffer grown above this by a giant record is freed once the record
 * is parsed, so it is not held for the rest of the input. */
#define LINE_KEEP ((size_t)1 << 20)

/* The largest line for the fast JSONL parser: simdjson's DOM takes about 30
 * bytes for each byte of its largest text and keeps them; above this, the
 * line goes to jansson, whose memory is about the text's and whose parse
 * costs some 5% of the annotation of such a text (perf, a 12 MB page). */
#define FAST_MAX ((size_t)1 << 20)

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
    uint64_t in_total;        /* bytes read from the file */
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
    json_fast *fast;          /* the JSONL fast path (json_shim.h); NULL: jansson */
    bool fast_tried;
    bool failed_reported;
    uint64_t warc_records;    /* WARC records seen */
    uint64_t junk_bytes;      /* bytes before a WARC header that are no record */
    bool pending_header;      /* a version line was read but its record not yet */
    struct { char type[24]; uint64_t n; } skipped[8];
    char skipped_msg[256];
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
    r->in_total += r->in_len;
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
    if (ends_with(base, ".warc") || ends_with(base, ".wet") || ends_with(base, ".arc"))
        return SPILL_FORMAT_WARC;
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

static spill_reader *open_stream(const char *path, FILE *mem, const spill_reader_options *opts,
                                 spill_error *err);

spill_reader *spill_reader_open(const char *path, const spill_reader_options *opts,
                                spill_error *err)
{
    return open_stream(path, NULL, opts, err);
}

spill_reader *spill_reader_open_memory(const void *data, size_t len, const char *name,
                                       const spill_reader_options *opts, spill_error *err)
{
    /* fmemopen refuses an empty buffer: read /dev/null's nothing instead. */
    FILE *f = len ? fmemopen((void *)data, len, "rb") : fopen("/dev/null", "rb");
    if (!f)
        return open_fail(NULL, err, SPILL_E_NOMEM, "%s: %s", name ? name : "memory",
                         strerror(errno));
    return open_stream(name ? name : "memory", f, opts, err);
}

static spill_reader *open_stream(const char *path, FILE *mem, const spill_reader_options *opts,
                                 spill_error *err)
{
    spill_reader_options o = opts ? *opts : spill_reader_options_default();
    bool is_stdin = !mem && (!path || !strcmp(path, "-"));
    spill_reader *r = calloc(1, sizeof *r);
    if (!r) {
        if (mem)
            fclose(mem);
        return open_fail(NULL, err, SPILL_E_NOMEM, "%s: %s", path ? path : "-", "out of memory");
    }
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
    if (mem) {
        r->f = mem;
        r->own_file = true;
    } else if (is_stdin) {
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
        if (r->buf_len - i >= 5 && !memcmp(r->buf + i, "WARC/", 5))
            r->fmt = SPILL_FORMAT_WARC;
        else if ((i < r->buf_len && r->buf[i] == '{') ||
                 (bom && r->buf_len > 3 && r->buf[3] == '{'))
            r->fmt = SPILL_FORMAT_JSONL;
        else
            r->fmt = SPILL_FORMAT_TEXT;
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
    json_fast_free(r->fast);
    free(r);
}

const char *spill_reader_message(const spill_reader *r)
{
    return r ? r->msg : "";
}

uint64_t spill_reader_bytes(const spill_reader *r)
{
    return r->in_total - (r->in_len - r->in_pos);
}

spill_format spill_reader_format(const spill_reader *r)
{
    return r->fmt;
}

uint64_t spill_reader_skipped(const spill_reader *r, const char **summary)
{
    spill_reader *w = (spill_reader *)r;  /* the summary is a cache */
    uint64_t total = 0;
    size_t n = 0;
    w->skipped_msg[0] = 0;
    for (size_t i = 0; i < sizeof r->skipped / sizeof r->skipped[0] && r->skipped[i].n; i++) {
        total += r->skipped[i].n;
        n += (size_t)snprintf(w->skipped_msg + n, n < sizeof w->skipped_msg ? sizeof w->skipped_msg - n : 0,
                              "%s%llu %s", i ? ", " : "", (unsigned long long)r->skipped[i].n,
                              r->skipped[i].type);
        if (n >= sizeof w->skipped_msg)
            break;
    }
    if (summary)
        *summary = w->skipped_msg;
    return total;
}

void spill_record_free(spill_record *rec)
{
    if (!rec)
        return;
    free(rec->id);
    free(rec->source);
    free(rec->text);
    free(rec->url);
    free(rec->lang);
    free(rec->error);
    json_decref(rec->json);
    spill_page_free(rec->annotation);
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
        g->line_labels = v;  /* the record owns it from here, whatever follows */
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(labels, i);
            v[i] = json_is_string(x) ? gold_label(json_string_value(x)) : -1;
            if (json_is_string(x) && v[i] < 0)
                return "\"labels\" holds an unknown label";
        }
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

static double num(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static bool shares_from(json_t *obj, spill_share **out, size_t *n)
{
    size_t k = json_object_size(obj), i = 0;
    spill_share *v = calloc(k ? k : 1, sizeof *v);
    if (!v)
        return false;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        snprintf(v[i].name, sizeof v[i].name, "%s", key);
        v[i++].share = num(val);
    }
    *out = v;
    *n = i;
    return true;
}

/* An annotation record (spill score's output) as a page the record owns;
 * spans in code points, converted to bytes of "text" when it is there. */
static const char *parse_annotation(json_t *obj, spill_record *rec)
{
    spill_page *p = calloc(1, sizeof *p);
    if (!p)
        return "out of memory";
    rec->annotation = p;
    json_t *id = json_object_get(obj, "id"), *url = json_object_get(obj, "url");
    json_t *text = json_object_get(obj, "text"), *lang = json_object_get(obj, "lang");
    if (json_is_string(id)) {  /* "id" here, whatever --id-field says */
        free(rec->id);
        rec->id = dupn(json_string_value(id), json_string_length(id));
    }
    if (json_is_string(url) && !rec->url)
        rec->url = dupn(json_string_value(url), json_string_length(url));
    p->id = rec->id ? strdup(rec->id) : NULL;
    snprintf(p->lang, sizeof p->lang, "%s", json_is_string(lang) ? json_string_value(lang) : "und");
    p->lang_conf = num(json_object_get(obj, "lang_conf"));
    p->score = num(json_object_get(obj, "score"));
    size_t total = 0;
    json_t *counts = json_object_get(obj, "counts");
    for (int k = 0; k < SPILL_LABEL_COUNT; k++) {
        json_t *c = json_object_get(counts, spill_label_name((spill_label)k));
        p->counts[k] = json_is_integer(c) && json_integer_value(c) > 0 ? (size_t)json_integer_value(c) : 0;
        total += p->counts[k];
    }
    p->text_cp = total;
    spill_share *langs = NULL, *scripts = NULL;
    if (!shares_from(json_object_get(obj, "langs"), &langs, &p->n_langs) ||
        !shares_from(json_object_get(obj, "scripts"), &scripts, &p->n_scripts))
        return "out of memory";
    p->langs = langs;
    p->scripts = scripts;
    if (json_is_string(text)) {
        p->text_len = json_string_length(text);
        char *t = dupn(json_string_value(text), p->text_len);
        if (!t)
            return "out of memory";
        p->text = t;
        p->text_cp = utf8_count(t, p->text_len);
    }
    json_t *spans = json_object_get(obj, "spans");
    size_t n = json_array_size(spans);
    spill_span *v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return "out of memory";
    p->spans = v;
    size_t cp = 0, byte = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(spans, i);
        json_t *st = json_object_get(s, "start"), *en = json_object_get(s, "end");
        json_t *lab = json_object_get(s, "label"), *why = json_object_get(s, "why");
        int label = json_is_string(lab) ? spill_label_from_name(json_string_value(lab)) : -1;
        if (!json_is_integer(st) || !json_is_integer(en) || label < 0 ||
            json_integer_value(st) < 0 || json_integer_value(en) < json_integer_value(st))
            return "annotation record with a malformed span";
        v[i].start_cp = (size_t)json_integer_value(st);
        v[i].end_cp = (size_t)json_integer_value(en);
        v[i].label = (spill_label)label;
        v[i].p = (float)num(json_object_get(s, "p"));
        v[i].why = strdup(json_is_string(why) ? json_string_value(why) : "");
        json_t *sl = json_object_get(s, "lang");
        snprintf(v[i].lang, sizeof v[i].lang, "%s", json_is_string(sl) ? json_string_value(sl) : "und");
        p->n_spans = i + 1;
        if (!v[i].why)
            return "out of memory";
        /* Bytes of the text, walking it once (spans come in order). */
        if (p->text) {
            size_t want[2] = {v[i].start_cp, v[i].end_cp}, got[2];
            for (int e = 0; e < 2; e++) {
                if (want[e] < cp) {
                    cp = 0;
                    byte = 0;
                }
                while (cp < want[e] && byte < p->text_len) {
                    byte++;
                    while (byte < p->text_len && ((unsigned char)p->text[byte] & 0xC0) == 0x80)
                        byte++;
                    cp++;
                }
                got[e] = byte;
            }
            v[i].start = got[0];
            v[i].end = got[1];
        }
    }
    return NULL;
}

static spill_record *new_record(spill_reader *r)
{
    spill_record *rec = calloc(1, sizeof *rec);
    if (rec) {
        /* The record may outlive the reader (worker threads): its own copy. */
        rec->source = strdup(r->name);
        rec->position = r->lineno;
        if (!rec->source) {
            free(rec);
            return NULL;
        }
    }
    return rec;
}

/* A string or number of the fast path as a string, for ids. */
static char *fast_scalar(json_fast_value v)
{
    if (v.kind == JSON_FAST_STRING)
        return dupn(v.s, v.len);
    if (v.kind == JSON_FAST_INT)
        return printf_dup("%" PRId64, v.i);
    if (v.kind == JSON_FAST_REAL)
        return printf_dup("%.17g", v.d);
    return NULL;
}

/* The fields of a record to annotate from the parsed line (copies); false
 * for an annotation record of spill score, which jansson reads whole. */
static bool fast_fields(spill_reader *r, spill_record *rec, json_fast *j)
{
    if (json_fast_get(j, "spans").kind == JSON_FAST_ARRAY &&
        json_fast_get(j, "counts").kind == JSON_FAST_OBJECT &&
        (json_fast_get(j, "score").kind == JSON_FAST_INT ||
         json_fast_get(j, "score").kind == JSON_FAST_REAL))
        return false;
    rec->id = fast_scalar(json_fast_get(j, r->id_field));
    if (!rec->id)
        rec->id = printf_dup("%s:%llu", r->name, (unsigned long long)r->lineno);
    json_fast_value url = json_fast_get(j, "url");
    if (url.kind == JSON_FAST_STRING)
        rec->url = dupn(url.s, url.len);
    json_fast_value text = json_fast_get(j, r->text_field);
    json_fast_value error = json_fast_get(j, "error");
    if (error.kind == JSON_FAST_STRING && text.kind == JSON_FAST_MISSING) {
        rec->error = dupn(error.s, error.len);  /* an error record */
        return true;
    }
    json_fast_value lang = json_fast_get(j, "lang");
    if (lang.kind == JSON_FAST_STRING)
        rec->lang = dupn(lang.s, lang.len);
    if (text.kind == JSON_FAST_MISSING) {
        rec->error = printf_dup("field \"%s\" is missing", r->text_field);
    } else if (text.kind != JSON_FAST_STRING) {
        rec->error = printf_dup("field \"%s\" is not a string", r->text_field);
    } else {
        rec->text_len = text.len;
        rec->text = dupn(text.s, text.len);
        if (!rec->text)
            rec->error = printf_dup("out of memory for a text of %zu bytes", rec->text_len);
    }
    return true;
}

/* Fills rec from a JSONL line with the fast parser: the fields of a record
 * to annotate, the same as parse_jsonl's jansson path finds.  false when
 * the line is for jansson: one the fast parser refuses (jansson says why),
 * an annotation record of spill score (read whole), a line above FAST_MAX,
 * or when the whole object or the gold labels are wanted. */
static bool parse_jsonl_fast(spill_reader *r, spill_record *rec, const char *line, size_t len)
{
    if (r->o.keep_json || r->o.want_gold || len > FAST_MAX)
        return false;
    if (!r->fast_tried) {
        r->fast = json_fast_new();
        r->fast_tried = true;
    }
    json_fast *j = r->fast;
    return j && json_fast_parse(j, line, len) && fast_fields(r, rec, j);
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
    if (parse_jsonl_fast(r, rec, line, len))
        return;
    json_error_t jerr;
    json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
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
    if (r->o.keep_json)
        rec->json = json_incref(obj);
    if (json_is_array(json_object_get(obj, "spans")) && json_is_object(json_object_get(obj, "counts")) &&
        json_is_number(json_object_get(obj, "score"))) {
        /* An annotation record of spill score: a page already annotated. */
        const char *e = parse_annotation(obj, rec);
        if (e)
            rec->error = printf_dup("%s", e);
        json_decref(obj);
        return;
    }
    json_t *error = json_object_get(obj, "error");
    if (json_is_string(error) && !get_path(obj, r->text_field)) {
        rec->error = printf_dup("%s", json_string_value(error));  /* an error record */
        json_decref(obj);
        return;
    }
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

/* ---- WARC --------------------------------------------------------------- */

/* Copies up to n decoded bytes into dst (NULL: skips them); returns how many. */
static size_t take_bytes(spill_reader *r, char *dst, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (r->buf_pos == r->buf_len && !fill_buf(r))
            break;
        size_t k = r->buf_len - r->buf_pos;
        if (k > n - got)
            k = n - got;
        if (dst)
            memcpy(dst + got, r->buf + r->buf_pos, k);
        r->buf_pos += k;
        got += k;
    }
    return got;
}

static void count_skipped(spill_reader *r, const char *type)
{
    size_t n = sizeof r->skipped / sizeof r->skipped[0];
    for (size_t i = 0; i < n; i++) {
        if (!r->skipped[i].n || !strcmp(r->skipped[i].type, type) || i == n - 1) {
            if (!r->skipped[i].n)
                snprintf(r->skipped[i].type, sizeof r->skipped[i].type, "%s",
                         i == n - 1 && r->skipped[i].n ? "other" : type);
            r->skipped[i].n++;
            return;
        }
    }
}

static bool header_is(const char *line, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) || line[n] != ':')
        return false;
    const char *v = line + n + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    *value = v;
    return true;
}

/* The body of an HTTP response block, and whether it is HTML. */
static const char *http_body(const char *block, size_t len, size_t *body_len, bool *html)
{
    *html = false;
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len; i++) {
        if (block[i] == '\r' && !memcmp(block + i, "\r\n\r\n", 4)) {
            end = block + i + 4;
            break;
        }
        if (block[i] == '\n' && block[i + 1] == '\n') {
            end = block + i + 2;
            break;
        }
    }
    if (!end || strncmp(block, "HTTP/", 5)) {
        *body_len = len;
        return block;
    }
    for (const char *p = block; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            break;
        if (!strncasecmp(p, "content-type:", 13)) {
            for (const char *q = p + 13; q + 4 <= eol; q++)
                if (!strncasecmp(q, "html", 4))
                    *html = true;
        }
        p = eol + 1;
    }
    *body_len = len - (size_t)(end - block);
    return end;
}

/* A tag name's length at p (after '<' or '</'), lower-cased into name. */
static size_t tag_name(const char *p, const char *end, char *name, size_t cap)
{
    size_t n = 0;
    while (p + n < end && (((p[n] | 0x20) >= 'a' && (p[n] | 0x20) <= 'z') ||
                           (p[n] >= '0' && p[n] <= '9'))) {
        if (n + 1 < cap)
            name[n] = (char)(p[n] | 0x20);
        n++;
    }
    name[n < cap ? n : cap - 1] = 0;
    return n;
}

static bool is_block_tag(const char *t)
{
    static const char *const BLOCK[] = {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
        "table", "section", "article", "header", "footer", "nav", "aside", "form", "option",
        "title", "blockquote", "pre", "dd", "dt", "dl", "hr", "main", "figure", "figcaption",
        "body", "html", "address", "fieldset", "legend", "caption", "tbody", "thead", NULL};
    for (const char *const *b = BLOCK; *b; b++)
        if (!strcmp(t, *b))
            return true;
    return false;
}

/* The text of an HTML document, as a naive crawler dump makes it: script,
 * style and comments dropped, a line break at every block element, other
 * tags removed, the common entities decoded, spaces collapsed, empty lines
 * dropped.  Pages that need a real HTML parser want a WET file. */
static char *html_to_text(const char *h, size_t len, size_t *out_len)
{
    char *out = malloc(len + 2);
    if (!out)
        return NULL;
    size_t o = 0;
    bool space = false;
    const char *p = h, *end = h + len;
    while (p < end) {
        if (*p == '<') {
            if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
                const char *c = p + 4;
                while (c + 3 <= end && memcmp(c, "-->", 3))
                    c++;
                p = c + 3 <= end ? c + 3 : end;
                continue;
            }
            bool closing = p + 1 < end && p[1] == '/';
            char name[16];
            tag_name(p + 1 + closing, end, name, sizeof name);
            const char *gt = memchr(p, '>', (size_t)(end - p));
            p = gt ? gt + 1 : end;
            if (!closing && (!strcmp(name, "script") || !strcmp(name, "style") ||
                             !strcmp(name, "noscript") || !strcmp(name, "template"))) {
                /* Skip to the matching closing tag. */
                size_t nl = strlen(name);
                while (p < end) {
                    const char *lt = memchr(p, '<', (size_t)(end - p));
                    if (!lt) {
                        p = end;
                        break;
                    }
                    p = lt + 1;
                    if (p < end && *p == '/' && (size_t)(end - p - 1) >= nl &&
                        !strncasecmp(p + 1, name, nl)) {
                        const char *g2 = memchr(p, '>', (size_t)(end - p));
                        p = g2 ? g2 + 1 : end;
                        break;
                    }
                }
                continue;
            }
            if (is_block_tag(name)) {
                while (o && out[o - 1] == ' ')
                    o--;
                if (o && out[o - 1] != '\n')
                    out[o++] = '\n';
                space = false;
            } else {
                space = space || o;
            }
            continue;
        }
        if (*p == '&') {
            static const struct { const char *name; const char *text; } ENT[] = {
                {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
                {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}, {NULL, NULL}};
            bool done = false;
            for (int e = 0; ENT[e].name && !done; e++) {
                size_t n = strlen(ENT[e].name);
                if ((size_t)(end - p) >= n && !strncmp(p, ENT[e].name, n)) {
                    if (ENT[e].text[0] == ' ') {
                        space = o && out[o - 1] != '\n';
                    } else {
                        if (space)
                            out[o++] = ' ';
                        space = false;
                        out[o++] = ENT[e].text[0];
                    }
                    p += n;
                    done = true;
                }
            }
            if (!done && p + 2 < end && p[1] == '#') {
                char *stop;
                bool hex = p[2] == 'x' || p[2] == 'X';
                long cp = strtol(p + 2 + hex, &stop, hex ? 16 : 10);
                char enc[4];
                size_t k = 0;
                if (stop < end && *stop == ';' && cp > 0 && cp < 0x110000 &&
                    !(cp >= 0xD800 && cp < 0xE000) && (size_t)(stop + 1 - p) >= 4u + hex) {
                    k = utf8_encode((int32_t)cp, enc);
                }
                if (k && k <= (size_t)(stop + 1 - p)) {
                    if (space)
                        out[o++] = ' ';
                    space = false;
                    memcpy(out + o, enc, k);
                    o += k;
                    p = stop + 1;
                    done = true;
                }
            }
            if (done)
                continue;
        }
        unsigned char c = (unsigned char)*p++;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            space = o && out[o - 1] != '\n';
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = (char)c;
    }
    while (o && (out[o - 1] == '\n' || out[o - 1] == ' '))
        o--;
    out[o] = 0;
    *out_len = o;
    return out;
}

/* Reads up to a WARC version line; false at the end of input.  Bytes that
 * are neither a version line nor a blank separator count as junk. */
static bool find_version_line(spill_reader *r)
{
    for (;;) {
        bool too_long;
        if (!read_line(r, &too_long))
            return false;
        size_t n = r->line_len;
        if (n && r->line[n - 1] == '\r')
            n--;
        if (!too_long && n >= 5 && !strncmp(r->line, "WARC/", 5))
            return true;
        if (too_long || n)
            r->junk_bytes += too_long ? r->o.max_record_bytes : r->line_len + 1;
    }
}

/* The next WARC page record into *out; NULL at the end. */
static spill_status read_warc(spill_reader *r, spill_record **out)
{
    for (;;) {
        bool too_long;
        if (!r->pending_header) {
            bool found = find_version_line(r);
            if (r->junk_bytes) {
                /* A Content-Length that lied, or junk between records: an
                 * error record in its place; the record found comes next. */
                spill_record *rec = new_record(r);
                if (!rec)
                    return SPILL_E_NOMEM;
                rec->position = r->warc_records + 1;
                rec->error = printf_dup("%llu bytes %s WARC record %llu are no record "
                                        "(a wrong Content-Length?)",
                                        (unsigned long long)r->junk_bytes,
                                        found ? "before" : "after",
                                        (unsigned long long)(r->warc_records + found));
                r->junk_bytes = 0;
                r->pending_header = found;
                *out = rec;
                return SPILL_OK;
            }
            if (!found)
                return SPILL_OK;
        }
        r->pending_header = false;
        r->warc_records++;
        spill_record *rec = new_record(r);
        if (!rec)
            return SPILL_E_NOMEM;
        rec->position = r->warc_records;
        char type[24] = "", *id = NULL, *uri = NULL;
        long long length = -1;
        bool bad_header = false;
        for (;;) {
            if (!read_line(r, &too_long)) {
                bad_header = true;
                break;
            }
            size_t k = r->line_len;
            if (k && r->line[k - 1] == '\r')
                k--;
            r->line[k] = 0;
            if (!k)
                break;
            const char *v;
            if (header_is(r->line, "WARC-Type", &v))
                snprintf(type, sizeof type, "%s", v);
            else if (header_is(r->line, "WARC-Record-ID", &v) && !id)
                id = strdup(v);
            else if (header_is(r->line, "WARC-Target-URI", &v) && !uri)
                uri = strdup(v);
            else if (header_is(r->line, "Content-Length", &v)) {
                char *e;
                errno = 0;
                length = strtoll(v, &e, 10);
                if (e == v || *e || errno || length < 0)
                    length = -2;
            }
        }
        rec->id = id;
        rec->url = uri;
        if (bad_header || length < 0) {
            rec->error = printf_dup(bad_header ? "WARC record %llu: headers end without a block"
                                    : length == -1 ? "WARC record %llu: no Content-Length"
                                                   : "WARC record %llu: bad Content-Length",
                                    (unsigned long long)r->warc_records);
            *out = rec;
            return SPILL_OK;
        }
        bool page = !strcmp(type, "conversion") || !strcmp(type, "response");
        if (!page || (unsigned long long)length > r->o.max_record_bytes) {
            size_t got = take_bytes(r, NULL, (size_t)length);
            if (!page && got == (size_t)length) {
                count_skipped(r, type[0] ? type : "untyped");
                spill_record_free(rec);
                continue;
            }
            rec->error = got < (size_t)length
                             ? printf_dup("WARC record %llu is truncated: Content-Length %lld, "
                                          "%zu bytes present",
                                          (unsigned long long)r->warc_records, length, got)
                             : printf_dup("WARC record of %lld bytes exceeds the limit of %zu bytes",
                                          length, r->o.max_record_bytes);
            *out = rec;
            return SPILL_OK;
        }
        char *block = malloc((size_t)length + 1);
        if (!block) {
            spill_record_free(rec);
            return SPILL_E_NOMEM;
        }
        size_t got = take_bytes(r, block, (size_t)length);
        block[got] = 0;
        if (got < (size_t)length) {
            rec->error = printf_dup("WARC record %llu is truncated: Content-Length %lld, %zu "
                                    "bytes present",
                                    (unsigned long long)r->warc_records, length, got);
            free(block);
            *out = rec;
            return SPILL_OK;
        }
        if (!strcmp(type, "response")) {
            bool html;
            size_t body_len;
            const char *body = http_body(block, got, &body_len, &html);
            if (html) {
                rec->text = html_to_text(body, body_len, &rec->text_len);
            } else {
                rec->text = dupn(body, body_len);
                rec->text_len = body_len;
            }
            free(block);
            if (!rec->text) {
                spill_record_free(rec);
                return SPILL_E_NOMEM;
            }
        } else {
            rec->text = block;
            rec->text_len = got;
        }
        if (!rec->id)
            rec->id = printf_dup("%s#%llu", r->name, (unsigned long long)r->warc_records);
        *out = rec;
        return SPILL_OK;
    }
}

spill_status spill_reader_next(spill_reader *r, spill_record **out)
{
    *out = NULL;
    if (r->fmt == SPILL_FORMAT_WARC) {
        spill_status st = read_warc(r, out);
        if (st || *out)
            return st;
    } else if (r->fmt == SPILL_FORMAT_TEXT) {
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
            if (r->line_cap > LINE_KEEP) {  /* a giant line's buffer goes back */
                free(r->line);
                r->line = NULL;
                r->line_cap = 0;
            }
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

/* ---- a batch summary written by spill_write_summary ---------------------- */

static void counts_from(json_t *list, spill_summary_count *v, size_t *n, size_t cap)
{
    size_t i;
    json_t *e;
    *n = 0;
    json_array_foreach(list, i, e) {
        if (*n == cap)
            break;
        spill_summary_count *c = &v[(*n)++];
        memset(c, 0, sizeof *c);
        json_t *name = json_object_get(e, "name");
        snprintf(c->name, sizeof c->name, "%s", json_is_string(name) ? json_string_value(name) : "");
        c->pages = (uint64_t)num(json_object_get(e, "pages"));
        c->chars = (uint64_t)num(json_object_get(e, "chars"));
        c->score_sum = num(json_object_get(e, "mean_score")) * (double)c->pages;
    }
}

spill_summary *spill_summary_read(const char *path, spill_error *err)
{
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    if (!json_is_object(o)) {
        if (err) {
            err->status = SPILL_E_INPUT;
            err->offset = -1;
            snprintf(err->message, sizeof err->message, "%s:%d: not a summary: %s", path, je.line,
                     o ? "not an object" : je.text);
        }
        json_decref(o);
        return NULL;
    }
    spill_summary *s = spill_summary_new(0, 0, 0);
    if (!s) {
        json_decref(o);
        return NULL;
    }
    s->pages = (uint64_t)num(json_object_get(o, "pages"));
    s->errors = (uint64_t)num(json_object_get(o, "errors"));
    s->bytes = (uint64_t)num(json_object_get(o, "bytes"));
    s->chars = (uint64_t)num(json_object_get(o, "chars"));
    s->score_sum = num(json_object_get(o, "mean_score")) * (double)s->pages;
    s->und_pages = (uint64_t)num(json_object_get(o, "und_pages"));
    json_t *hist = json_object_get(o, "score_histogram");
    for (int b = 0; b < SPILL_SUMMARY_BINS; b++)
        s->hist[b] = (uint64_t)num(json_array_get(hist, (size_t)b));
    json_t *lc = json_object_get(o, "label_chars");
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        s->label_chars[k] = (uint64_t)num(json_object_get(lc, spill_label_name((spill_label)k)));
    counts_from(json_object_get(o, "langs"), s->langs, &s->n_langs, 64);
    counts_from(json_object_get(o, "scripts"), s->scripts, &s->n_scripts, 32);
    json_decref(o);
    return s;
}
