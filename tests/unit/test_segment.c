/* segment.c: lines and their terminators. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static size_t cut(const char *text, line **out, arena *a)
{
    size_t n;
    assert_int_equal(segment_lines(a, text, strlen(text), out, &n), SPILL_OK);
    return n;
}

static void lf_crlf_and_cr_end_lines(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    line *l;
    const char *t = "one\ntwo\r\nthree\rfour";
    assert_int_equal(cut(t, &l, &a), 4);
    assert_int_equal(l[0].b0, 0);
    assert_int_equal(l[0].b1, 3);
    assert_int_equal(l[0].next, 4);
    assert_int_equal(l[1].b0, 4);
    assert_int_equal(l[1].b1, 7);
    assert_int_equal(l[1].next, 9);  /* CRLF is one terminator */
    assert_int_equal(l[2].b1 - l[2].b0, 5);
    assert_int_equal(l[3].b0, 15);
    assert_int_equal(l[3].b1, 19);
    arena_destroy(&a);
}

static void empty_and_blank_lines(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    line *l;
    assert_int_equal(cut("", &l, &a), 0);
    assert_int_equal(cut("\n\n", &l, &a), 2);
    assert_int_equal(l[1].b0, 1);
    assert_int_equal(l[1].b1, 1);
    assert_int_equal(cut("a\n", &l, &a), 1);  /* a final terminator adds no line */
    arena_destroy(&a);
}

static void lines_tile_the_text(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    line *l;
    const char *t = "x\r\n\r\ny\rz\n";
    size_t n = cut(t, &l, &a);
    assert_int_equal(l[0].b0, 0);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(l[i].b0, l[i - 1].next);
    assert_int_equal(l[n - 1].next, strlen(t));
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lf_crlf_and_cr_end_lines),
        cmocka_unit_test(empty_and_blank_lines),
        cmocka_unit_test(lines_tile_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
