/* utf8.c: validation, repair of every kind of ill-formed sequence the way
 * Python's decode(errors="replace") does it, counting, classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "internal.h"

static void repaired(const char *in, size_t len, const char *want, size_t want_invalid)
{
    arena a;
    arena_init(&a, NULL, 0);
    const char *out;
    size_t out_len, invalid;
    assert_int_equal(utf8_repair(&a, in, len, &out, &out_len, &invalid), SPILL_OK);
    assert_int_equal(out_len, strlen(want));
    assert_memory_equal(out, want, out_len);
    assert_int_equal(invalid, want_invalid);
    assert_int_equal(utf8_valid_prefix(out, out_len), out_len);
    arena_destroy(&a);
}

#define R "\xEF\xBF\xBD" /* U+FFFD */

static void valid_text_is_not_copied(void **state)
{
    (void)state;
    const char *s = "héllo wörld – 世界 🙂";
    arena a;
    arena_init(&a, NULL, 0);
    const char *out;
    size_t n, invalid;
    assert_int_equal(utf8_repair(&a, s, strlen(s), &out, &n, &invalid), SPILL_OK);
    assert_ptr_equal(out, s);
    assert_int_equal(invalid, 0);
    arena_destroy(&a);
}

static void lone_continuation_bytes(void **state)
{
    (void)state;
    repaired("a\x80" "b\xBF\xBF" "c", 6, "a" R "b" R R "c", 3);
}

static void overlong_forms(void **state)
{
    (void)state;
    /* C0 80 is an overlong NUL: C0 is never valid, 80 a lone continuation. */
    repaired("x\xC0\x80y", 4, "x" R R "y", 2);
    /* E0 80 80: E0 needs A0..BF next. */
    repaired("\xE0\x80\x80", 3, R R R, 3);
}

static void surrogates(void **state)
{
    (void)state;
    /* ED A0 80 encodes U+D800. */
    repaired("\xED\xA0\x80z", 4, R R R "z", 3);
}

static void five_and_six_byte_forms(void **state)
{
    (void)state;
    repaired("\xF8\x88\x80\x80\x80", 5, R R R R R, 5);
    repaired("\xFC\x84\x80\x80\x80\x80", 6, R R R R R R, 6);
}

static void above_unicode_and_truncated(void **state)
{
    (void)state;
    repaired("\xF4\x90\x80\x80", 4, R R R R, 4);      /* > U+10FFFF */
    repaired("ab\xE2\x82", 4, "ab" R, 2);             /* truncated at the end */
    repaired("\xF0\x9F\x99z", 4, R "z", 3);           /* maximal subpart: one U+FFFD */
}

static void nul_bytes_are_valid(void **state)
{
    (void)state;
    assert_int_equal(utf8_valid_prefix("a\0b", 3), 3);
}

static void counts_code_points(void **state)
{
    (void)state;
    const char *s = "aé世🙂";
    assert_int_equal(utf8_count(s, strlen(s)), 4);
    int32_t cp;
    assert_int_equal(utf8_next(s, 1, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(utf8_next(s, 3, &cp), 3);
    assert_int_equal(cp, 0x4E16);
    assert_int_equal(utf8_next(s, 6, &cp), 4);
    assert_int_equal(cp, 0x1F642);
}

static void classes(void **state)
{
    (void)state;
    assert_true(utf8_class('A') & CC_UPPER);
    assert_true(utf8_class(0x416) & CC_LETTER);  /* Ж */
    assert_true(utf8_class(0x416) & CC_UPPER);
    assert_true(utf8_class('7') & CC_DIGIT);
    assert_true(utf8_class(0xA0) & CC_SPACE);    /* no-break space */
    assert_true(utf8_class(0x01) & CC_CONTROL);
    assert_true(utf8_class(0x97) & CC_CONTROL);  /* C1 */
    assert_true(utf8_class(0xFFFD) & CC_CONTROL);
    assert_true(utf8_class(0x2605) & CC_SYMBOL); /* ★ */
    assert_true(utf8_class('.') & CC_PUNCT);
    assert_int_equal(utf8_lower(0x416), 0x436);
    assert_int_equal(utf8_lower(0xA7AE), 0x26A);  /* farther than an int16_t delta */
    assert_int_equal(utf8_class(0x10400) & (CC_LETTER | CC_UPPER), CC_LETTER | CC_UPPER);
}

/* The tables of the Basic Multilingual Plane give what utf8proc gives, for
 * every code point; letters and marks are classed by their category. */
static void tables_agree_with_utf8proc(void **state)
{
    (void)state;
    for (int32_t cp = 0; cp < 0x110000; cp++) {
        if (utf8_lower(cp) != utf8proc_tolower(cp))
            fail_msg("lower U+%04X", (unsigned)cp);
        bool cased = utf8proc_tolower(cp) != cp || utf8proc_toupper(cp) != cp;
        if (utf8_is_cased(cp) != cased)
            fail_msg("cased U+%04X", (unsigned)cp);
        utf8proc_category_t cat = utf8proc_category(cp);
        bool letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
        bool mark = cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME;
        unsigned cc = utf8_class(cp);
        if (((cc & CC_LETTER) != 0) != letter || ((cc & CC_MARK) != 0) != mark)
            fail_msg("class U+%04X", (unsigned)cp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_text_is_not_copied),
        cmocka_unit_test(lone_continuation_bytes),
        cmocka_unit_test(overlong_forms),
        cmocka_unit_test(surrogates),
        cmocka_unit_test(five_and_six_byte_forms),
        cmocka_unit_test(above_unicode_and_truncated),
        cmocka_unit_test(nul_bytes_are_valid),
        cmocka_unit_test(counts_code_points),
        cmocka_unit_test(classes),
        cmocka_unit_test(tables_agree_with_utf8proc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
