/*
 * arena.c - memory.  Every allocation of the library goes through the
 * caller's spill_allocator (the C library's by default), so tests can fail
 * the Nth one.  Pages are built in an arena: a list of blocks handed out by
 * bumping a pointer and released together by arena_reset(), which keeps at
 * most `keep` bytes of blocks for the next page so a giant page does not pin
 * its memory.  Blocks double up to 1 MiB; a large array has a block of its
 * own, which grows by realloc, so growing an array leaves no old copies
 * behind and a page holds about what it uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *mem_alloc(const spill_allocator *a, size_t size)
{
    if (a && a->malloc_fn)
        return a->malloc_fn(a->user, size);
    return malloc(size);
}

void *mem_calloc(const spill_allocator *a, size_t n, size_t size)
{
    if (a && a->malloc_fn) {
        if (size && n > SIZE_MAX / size)
            return NULL;
        void *p = a->malloc_fn(a->user, n * size);
        if (p)
            memset(p, 0, n * size);
        return p;
    }
    return calloc(n, size);  /* fresh pages from the system stay untouched */
}

void *mem_realloc(const spill_allocator *a, void *p, size_t size)
{
    if (a && a->realloc_fn)
        return a->realloc_fn(a->user, p, size);
    return realloc(p, size);
}

void mem_free(const spill_allocator *a, void *p)
{
    if (!p)
        return;
    if (a && a->free_fn)
        a->free_fn(a->user, p);
    else
        free(p);
}

char *mem_strdup(const spill_allocator *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mem_alloc(a, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

struct arena_block {
    arena_block *next;
    size_t size;  /* usable bytes after the header */
    size_t used;
    /* data follows, 16-byte aligned */
};

#define BLOCK_HEADER ((sizeof(arena_block) + 15) & ~(size_t)15)
#define MIN_BLOCK ((size_t)64 << 10)
/* Blocks double up to MAX_BLOCK, so a page wastes at most about one block;
 * an allocation above BIG gets a block of its own. */
#define MAX_BLOCK ((size_t)1 << 20)
#define BIG (MAX_BLOCK / 4)

static unsigned char *block_data(arena_block *b)
{
    return (unsigned char *)b + BLOCK_HEADER;
}

void arena_init(arena *a, const spill_allocator *alloc, size_t keep)
{
    memset(a, 0, sizeof *a);
    if (alloc)
        a->alloc = *alloc;
    a->keep = keep;
}

static size_t round16(size_t n)
{
    return n > SIZE_MAX - 15 ? 0 : (n + 15) & ~(size_t)15;
}

static arena_block *new_block(arena *a, size_t size, size_t used)
{
    if (size > SIZE_MAX - BLOCK_HEADER)
        return NULL;
    arena_block *b = mem_alloc(&a->alloc, BLOCK_HEADER + size);
    if (b) {
        b->size = size;
        b->used = used;
    }
    return b;
}

void *arena_alloc(arena *a, size_t size)
{
    size = size ? round16(size) : 16;
    if (!size)
        return NULL;
    arena_block *b = a->head;
    if (b && b->size - b->used >= size) {
        void *p = block_data(b) + b->used;
        b->used += size;
        return p;
    }
    /* Look for room in an older block kept from a previous page. */
    for (arena_block *o = b ? b->next : NULL; o; o = o->next) {
        if (o->size - o->used >= size) {
            void *p = block_data(o) + o->used;
            o->used += size;
            return p;
        }
    }
    if (size > BIG) {
        /* A block of its own, behind the head so that the head's room
         * stays in use; arena_grow can extend it in place. */
        arena_block *nb = new_block(a, size, size);
        if (!nb)
            return NULL;
        nb->next = b ? b->next : NULL;
        if (b)
            b->next = nb;
        else
            a->head = nb;
        return block_data(nb);
    }
    size_t want = !b ? MIN_BLOCK : b->size >= MAX_BLOCK / 2 ? MAX_BLOCK : b->size * 2;
    if (want < size)
        want = size;
    arena_block *nb = new_block(a, want, size);
    if (!nb)
        return NULL;
    nb->next = b;
    a->head = nb;
    return block_data(nb);
}

void *arena_zalloc(arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *arena_grow(arena *a, void *p, size_t old_n, size_t new_n, size_t size)
{
    if (size && new_n > SIZE_MAX / size)
        return NULL;
    size_t old_b = round16(old_n * size), new_b = round16(new_n * size);
    if (p && old_n && new_b) {
        /* The newest allocation of the head block grows where it is. */
        arena_block *h = a->head;
        if (h && (unsigned char *)p + old_b == block_data(h) + h->used &&
            h->size - h->used >= new_b - old_b) {
            h->used += new_b - old_b;
            return p;
        }
        /* An array alone in its block moves with the block: realloc can
         * extend it without a copy, and no old copy is left behind. */
        bool can_realloc = !a->alloc.malloc_fn || a->alloc.realloc_fn;
        for (arena_block **link = &a->head; can_realloc && old_b > BIG && *link;
             link = &(*link)->next) {
            arena_block *o = *link;
            if (block_data(o) != p || o->used != old_b || o->size != old_b)
                continue;
            if (new_b > SIZE_MAX - BLOCK_HEADER)
                return NULL;
            arena_block *nb = mem_realloc(&a->alloc, o, BLOCK_HEADER + new_b);
            if (!nb)
                return NULL;
            nb->size = nb->used = new_b;
            *link = nb;
            return block_data(nb);
        }
    }
    void *q = arena_alloc(a, new_n * size);
    if (q && p && old_n)
        memcpy(q, p, old_n * size);
    return q;
}

void *arena_reserve_grow(arena *a, void *p, size_t n, size_t *cap, size_t first, size_t size)
{
    size_t c = *cap ? *cap * 2 : first;
    void *q = arena_grow(a, p, n, c, size);
    if (q)
        *cap = c;
    return q;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = arena_alloc(a, (size_t)n + 1);
    if (!d)
        return NULL;
    if ((size_t)n < sizeof small) {
        memcpy(d, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(d, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return d;
}

void arena_reset(arena *a)
{
    /* Keep the newest blocks up to `keep` bytes; free the rest. */
    size_t kept = 0;
    arena_block **link = &a->head;
    while (*link) {
        arena_block *b = *link;
        if (kept + BLOCK_HEADER + b->size <= a->keep) {
            kept += BLOCK_HEADER + b->size;
            b->used = 0;
            link = &b->next;
        } else {
            *link = b->next;
            mem_free(&a->alloc, b);
        }
    }
}

void arena_destroy(arena *a)
{
    while (a->head) {
        arena_block *b = a->head;
        a->head = b->next;
        mem_free(&a->alloc, b);
    }
}

size_t arena_held(const arena *a)
{
    size_t n = 0;
    for (const arena_block *b = a->head; b; b = b->next)
        n += BLOCK_HEADER + b->size;
    return n;
}
