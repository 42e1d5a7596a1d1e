/*
 * linestats.c - how many pages of a batch hold each line.
 *
 * A line that recurs on many pages of one batch is site chrome, whatever its
 * wording.  Counts are kept in a count-min sketch of the normalised line
 * hashes (linestats_line_hash): DEPTH rows of 2^WIDTH_LOG2 saturating 32-bit
 * counters, fixed memory (16 MiB) however large the batch.  A count is never
 * under the truth; by the count-min bound it exceeds it by more than
 * e*N/2^WIDTH_LOG2 (N = distinct lines added over all pages) with
 * probability at most e^-DEPTH.  Each page adds each of its distinct lines
 * once, so a count is a number of pages.  Sketches merge by adding
 * counters, so shards can be sketched apart (spill sketch) and merged.
 *
 * The hash is made for a pass over a whole input before scoring it: bytes,
 * not words - ASCII letters lower-cased, a run of ASCII digits one token,
 * other ASCII (spacing, punctuation) dropped, every other byte kept - so
 * counting costs a few instructions a byte, not a tokeniser.
 *
 * File format: "SPILLSK3" (SPILLSK2 had the rows' old cell hash), then
 * little-endian u32 depth, u32 width_log2, u64 pages, u64 XXH64 of the
 * counters, then depth << width_log2 u32 counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "internal.h"

#define DEPTH 4
#define WIDTH_LOG2 20

struct spill_linestats {
    spill_allocator alloc;
    uint32_t *cells;  /* DEPTH x 2^WIDTH_LOG2 */
    uint64_t pages;
};

static size_t cell(int row, uint64_t h)
{
    /* A row's own hash: the line hash offset by the row, then splitmix64's
     * finaliser, so that lines that share a cell in one row do not share
     * one in the others (one multiply left rows colliding together: 3% of
     * the lines of a batch of 70,000 read as repeated, 14% of 300,000). */
    uint64_t x = h + 0x9E3779B97F4A7C15ull * (uint64_t)(row + 1);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    return (size_t)row << WIDTH_LOG2 | (size_t)(x >> (64 - WIDTH_LOG2));
}

spill_linestats *spill_linestats_new(const spill_options *opts, spill_error *err)
{
    spill_options o = opts ? *opts : spill_options_default();
    spill_linestats *s = mem_alloc(&o.alloc, sizeof *s);
    /* Zeroed by calloc: a small batch touches a few of the 16 MiB. */
    uint32_t *cells = mem_calloc(&o.alloc, (size_t)DEPTH << WIDTH_LOG2, sizeof(uint32_t));
    if (!s || !cells) {
        mem_free(&o.alloc, s);
        mem_free(&o.alloc, cells);
        if (err) {
            err->status = SPILL_E_NOMEM;
            err->offset = -1;
            strcpy(err->message, "out of memory for the line counts");
        }
        return NULL;
    }
    s->alloc = o.alloc;
    s->cells = cells;
    s->pages = 0;
    return s;
}

void spill_linestats_free(spill_linestats *s)
{
    if (!s)
        return;
    spill_allocator al = s->alloc;
    mem_free(&al, s->cells);
    mem_free(&al, s);
}

uint64_t spill_linestats_pages(const spill_linestats *s)
{
    return s ? s->pages : 0;
}

/* What a byte of a line becomes in the batch hash: 0 dropped (ASCII other
 * than letters and digits), '0' a digit (a run of them is one), a letter
 * lower-cased, every byte above ASCII itself. */
#define NB(c)                                                                           \
    ((c) >= 0x80                 ? (c)                                                  \
     : (c) >= 'a' && (c) <= 'z'  ? (c)                                                  \
     : (c) >= 'A' && (c) <= 'Z'  ? (c) + 32                                             \
     : (c) >= '0' && (c) <= '9'  ? '0'                                                  \
                                 : 0)
#define NB1(c) (unsigned char)(NB(c))
#define NB4(c) NB1(c), NB1((c) + 1), NB1((c) + 2), NB1((c) + 3)
#define NB16(c) NB4(c), NB4((c) + 4), NB4((c) + 8), NB4((c) + 12)
#define NB64(c) NB16(c), NB16((c) + 16), NB16((c) + 32), NB16((c) + 48)
static const unsigned char NORM_BYTE[256] = {NB64(0), NB64(64), NB64(128), NB64(192)};

uint64_t linestats_line_hash(const char *text, uint32_t b0, uint32_t b1)
{
    enum { CHUNK = 256 };
    char buf[CHUNK];
    size_t n = 0;
    uint64_t h = 0;
    bool any = false, in_digits = false;
    for (uint32_t i = b0; i < b1; i++) {
        /* Without branches on the byte: each is stored and kept (n moves
         * on) unless dropped or a digit after a digit. */
        unsigned char c = NORM_BYTE[(unsigned char)text[i]];
        bool digit = c == '0';
        buf[n] = (char)c;
        n += (c != 0) & !(digit & in_digits);
        in_digits = digit;
        if (n == CHUNK) {
            h = XXH3_64bits_withSeed(buf, n, h);
            n = 0;
            any = true;
        }
    }
    if (n) {
        h = XXH3_64bits_withSeed(buf, n, h);
        any = true;
    }
    return !any ? 0 : h ? h : 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

spill_status spill_linestats_page_hashes(const spill_linestats *s, const char *text, size_t len,
                                         uint64_t **hashes, size_t *n_hashes)
{
    if (!s || (!text && len) || !hashes || !n_hashes)
        return SPILL_E_INVALID_ARG;
    *hashes = NULL;
    *n_hashes = 0;
    arena a;
    arena_init(&a, &s->alloc, 0);
    const char *t;
    size_t tlen, invalid;
    line *lines;
    size_t n;
    spill_status st = utf8_repair(&a, text ? text : "", len, &t, &tlen, &invalid);
    if (!st)
        st = segment_lines(&a, t, tlen, &lines, &n);
    uint64_t *h = st || !n ? NULL : mem_alloc(&s->alloc, n * sizeof *h);
    if (!st && n && !h)
        st = SPILL_E_NOMEM;
    if (!st && h) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t x = linestats_line_hash(t, lines[i].b0, lines[i].b1);
            if (x)
                h[k++] = x;
        }
        qsort(h, k, sizeof *h, cmp_u64);
        size_t d = 0;
        for (size_t i = 0; i < k; i++)
            if (!i || h[i] != h[i - 1])
                h[d++] = h[i];
        *hashes = h;
        *n_hashes = d;
    }
    arena_destroy(&a);
    return st;
}

void spill_linestats_add_hashes(spill_linestats *s, const uint64_t *h, size_t n)
{
    if (!s || (!h && n))
        return;
    for (size_t i = 0; i < n; i++) {
        for (int r = 0; r < DEPTH; r++) {
            uint32_t *c = &s->cells[cell(r, h[i])];
            if (*c != UINT32_MAX)
                (*c)++;
        }
    }
    s->pages++;
}

void spill_linestats_hashes_free(const spill_linestats *s, uint64_t *hashes)
{
    if (s)
        mem_free(&s->alloc, hashes);
}

spill_status spill_linestats_add(spill_linestats *s, const char *text, size_t len)
{
    uint64_t *h = NULL;
    size_t n = 0;
    spill_status st = spill_linestats_page_hashes(s, text, len, &h, &n);
    if (!st)
        spill_linestats_add_hashes(s, h, n);
    spill_linestats_hashes_free(s, h);
    return st;
}

spill_status spill_linestats_merge(spill_linestats *s, const spill_linestats *o)
{
    if (!s || !o)
        return SPILL_E_INVALID_ARG;
    size_t n = (size_t)DEPTH << WIDTH_LOG2;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)s->cells[i] + o->cells[i];
        s->cells[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    s->pages += o->pages;
    return SPILL_OK;
}

static const char MAGIC[8] = {'S', 'P', 'I', 'L', 'L', 'S', 'K', '3'};

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static spill_status sk_fail(spill_error *err, spill_status st, const char *path, const char *what)
{
    if (err) {
        err->status = st;
        err->offset = -1;
        snprintf(err->message, sizeof err->message, "%s: %s", path, what);
    }
    return st;
}

spill_status spill_linestats_save(const spill_linestats *s, const char *path, spill_error *err)
{
    size_t n = (size_t)DEPTH << WIDTH_LOG2;
    unsigned char head[32];
    memcpy(head, MAGIC, 8);
    put_le(head + 8, DEPTH, 4);
    put_le(head + 12, WIDTH_LOG2, 4);
    put_le(head + 16, s->pages, 8);
    put_le(head + 24, XXH64(s->cells, n * sizeof *s->cells, 0), 8);
    FILE *f = fopen(path, "wb");
    if (!f)
        return sk_fail(err, SPILL_E_IO, path, strerror(errno));
    bool ok = fwrite(head, 1, sizeof head, f) == sizeof head &&
              fwrite(s->cells, sizeof *s->cells, n, f) == n;
    ok = fclose(f) == 0 && ok;
    return ok ? SPILL_OK : sk_fail(err, SPILL_E_IO, path, "write failed");
}

spill_linestats *spill_linestats_load(const char *path, const spill_options *opts,
                                      spill_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sk_fail(err, SPILL_E_IO, path, strerror(errno));
        return NULL;
    }
    unsigned char head[32];
    spill_linestats *s = NULL;
    size_t n = (size_t)DEPTH << WIDTH_LOG2;
    bool whole = fread(head, 1, sizeof head, f) == sizeof head;
    if (whole && !memcmp(head, MAGIC, 7) && head[7] != MAGIC[7]) {
        sk_fail(err, SPILL_E_INPUT, path,
                "a sketch of another spill version (other line hashes): make it again with "
                "spill sketch");
    } else if (!whole || memcmp(head, MAGIC, 8)) {
        sk_fail(err, SPILL_E_INPUT, path, "not a spill sketch");
    } else if (get_le(head + 8, 4) != DEPTH || get_le(head + 12, 4) != WIDTH_LOG2) {
        sk_fail(err, SPILL_E_INPUT, path, "a sketch of other dimensions");
    } else if (!(s = spill_linestats_new(opts, err))) {
        /* err is filled */
    } else if (fread(s->cells, sizeof *s->cells, n, f) != n || fgetc(f) != EOF) {
        sk_fail(err, SPILL_E_INPUT, path, "truncated or too long");
        spill_linestats_free(s);
        s = NULL;
    } else if (XXH64(s->cells, n * sizeof *s->cells, 0) != get_le(head + 24, 8)) {
        sk_fail(err, SPILL_E_INPUT, path, "checksum mismatch: the file is damaged");
        spill_linestats_free(s);
        s = NULL;
    } else {
        s->pages = get_le(head + 16, 8);
    }
    fclose(f);
    return s;
}

uint32_t linestats_count(const spill_linestats *s, uint64_t hash)
{
    uint32_t m = UINT32_MAX;
    for (int r = 0; r < DEPTH; r++) {
        uint32_t c = s->cells[cell(r, hash)];
        if (c < m)
            m = c;
    }
    return m;
}
