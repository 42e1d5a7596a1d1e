/* arena.c: the per-page bump allocator and what it holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* An allocator that fails from the Nth call on (malloc and realloc alike). */
typedef struct failing {
    int calls, fail_at;
} failing;

static void *f_malloc(void *user, size_t n)
{
    failing *f = user;
    return ++f->calls >= f->fail_at ? NULL : malloc(n);
}
static void *f_realloc(void *user, void *p, size_t n)
{
    failing *f = user;
    return ++f->calls >= f->fail_at ? NULL : realloc(p, n);
}
static void f_free(void *user, void *p)
{
    (void)user;
    free(p);
}

typedef struct item {
    uint32_t a, b;
    uint64_t c;
    uint8_t d;
} item;  /* 24 bytes, as a word of script.c */

/* Grows an array one element at a time as the page's stages do. */
static item *grow_to(arena *a, size_t n, size_t *cap)
{
    item *v = NULL;
    *cap = 0;
    for (size_t i = 0; i < n; i++) {
        item *w = arena_reserve(a, v, i, cap, 256, sizeof *w);
        if (!w)
            return NULL;
        v = w;
        v[i] = (item){.a = (uint32_t)i, .c = i * 7u};
    }
    return v;
}

static void a_grown_array_costs_about_its_capacity(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    size_t cap, n = 1000000;
    item *v = grow_to(&a, n, &cap);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].a, i);
        assert_int_equal(v[i].c, i * 7u);
    }
    /* Doubling copies that stay behind in a bump allocator would hold twice
     * the array; the array's own blocks are extended instead. */
    size_t held = arena_held(&a);
    assert_true(held >= cap * sizeof *v);
    assert_true(held <= cap * sizeof *v + ((size_t)2 << 20));
    arena_destroy(&a);
}

static void small_allocations_are_aligned_and_apart(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    enum { N = 5000 };
    unsigned char *p[N];
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 97) + 1;
        p[i] = arena_alloc(&a, n);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
        memset(p[i], i & 0xFF, n);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < (size_t)(i % 97) + 1; k++)
            assert_int_equal(p[i][k], i & 0xFF);
    /* Small allocations share blocks: little beyond what they asked. */
    assert_true(arena_held(&a) < (size_t)N * 112 + ((size_t)1 << 20));
    arena_destroy(&a);
}

/* Sizes between the first block and a block of its own: each gets all
 * the bytes it asked for (ASan checks the bounds). */
static void mid_sized_allocations_get_their_bytes(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    size_t sizes[] = {100000, 16, 150000, 70000, 250000, 65536, 200000};
    enum { N = sizeof sizes / sizeof *sizes };
    unsigned char *p[N];
    for (size_t i = 0; i < N; i++) {
        p[i] = arena_alloc(&a, sizes[i]);
        assert_non_null(p[i]);
        memset(p[i], (int)i + 1, sizes[i]);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            assert_int_equal(p[i][k], i + 1);
    arena_destroy(&a);
}

static void reset_after_a_giant_page_keeps_at_most_keep(void **state)
{
    (void)state;
    size_t keep = (size_t)8 << 20;
    arena a;
    arena_init(&a, NULL, keep);
    for (int i = 0; i < 3000; i++)
        assert_non_null(arena_alloc(&a, (size_t)(i % 50) * 1000 + 16));
    size_t cap;
    assert_non_null(grow_to(&a, 2000000, &cap));
    assert_true(arena_held(&a) > (size_t)100 << 20);
    arena_reset(&a);
    assert_true(arena_held(&a) <= keep);
    /* The next page gets zeroed memory as before. */
    unsigned char *z = arena_zalloc(&a, 1000, 16);
    assert_non_null(z);
    for (int i = 0; i < 16000; i++)
        assert_int_equal(z[i], 0);
    arena_destroy(&a);
    assert_int_equal(arena_held(&a), 0);
}

/* Grows an array of n through an allocator failing at its fail_at-th call;
 * returns how many elements were stored, and checks they are intact. */
static size_t grow_failing(failing *f, size_t n)
{
    spill_allocator al = {f_malloc, f_realloc, f_free, f};
    arena a;
    arena_init(&a, &al, 0);
    item *v = NULL;
    size_t cap = 0, i;
    for (i = 0; i < n; i++) {
        item *w = arena_reserve(&a, v, i, &cap, 256, sizeof *w);
        if (!w)
            break;
        v = w;
        v[i] = (item){.a = (uint32_t)i};
    }
    for (size_t k = 0; k < i; k++)
        assert_int_equal(v[k].a, k);
    arena_destroy(&a);
    return i;
}

static void a_failed_growth_leaves_the_array_intact(void **state)
{
    (void)state;
    size_t n = 300000;
    failing all = {0, 1 << 30};
    assert_int_equal(grow_failing(&all, n), n);
    assert_true(all.calls > 3);
    /* Fail each of those allocations in turn. */
    for (int at = 1; at <= all.calls; at++) {
        failing f = {0, at};
        assert_true(grow_failing(&f, n) < n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_grown_array_costs_about_its_capacity),
        cmocka_unit_test(small_allocations_are_aligned_and_apart),
        cmocka_unit_test(mid_sized_allocations_get_their_bytes),
        cmocka_unit_test(reset_after_a_giant_page_keeps_at_most_keep),
        cmocka_unit_test(a_failed_growth_leaves_the_array_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
