/* script.c: script runs with word-snapped boundaries, script mix, words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/uscript.h>

#include "internal.h"

typedef struct runs {
    arena a;
    script_result r;
    const char *text;
} runs;

static void run_script(runs *x, const char *text)
{
    arena_init(&x->a, NULL, 0);
    x->text = text;
    line *lines;
    size_t n;
    assert_int_equal(segment_lines(&x->a, text, strlen(text), &lines, &n), SPILL_OK);
    assert_int_equal(script_runs(&x->a, text, lines, n, &x->r), SPILL_OK);
}

static void seg_is(const runs *x, size_t i, const char *want, int32_t script)
{
    const seg *s = &x->r.segs[i];
    assert_int_equal(s->b1 - s->b0, strlen(want));
    assert_memory_equal(x->text + s->b0, want, strlen(want));
    assert_int_equal(s->script, script);
}

static void cyrillic_label_in_latin_line(void **state)
{
    (void)state;
    runs x;
    run_script(&x, "Migrant Crackdown Текст: Uzbekistans Foreign Ministry");
    assert_int_equal(x.r.n_segs, 3);
    seg_is(&x, 0, "Migrant Crackdown ", USCRIPT_LATIN);
    seg_is(&x, 1, "Текст: ", USCRIPT_CYRILLIC);
    seg_is(&x, 2, "Uzbekistans Foreign Ministry", USCRIPT_LATIN);
    assert_int_equal(x.r.segs[0].flags, SEG_LINE_START);
    assert_int_equal(x.r.segs[2].flags, SEG_LINE_END);
    assert_int_equal(x.r.main_script, USCRIPT_LATIN);
    arena_destroy(&x.a);
}

static void boundary_snaps_to_word_start(void **state)
{
    (void)state;
    runs x;
    /* Punctuation before the new script's letters goes with them. */
    run_script(&x, "said «Привет» today");
    assert_int_equal(x.r.n_segs, 3);
    seg_is(&x, 0, "said ", USCRIPT_LATIN);
    seg_is(&x, 1, "«Привет» ", USCRIPT_CYRILLIC);
    arena_destroy(&x.a);
}

static void japanese_scripts_are_one_group(void **state)
{
    (void)state;
    runs x;
    run_script(&x, "東京都は、カタカナとひらがなを使います。");
    assert_int_equal(x.r.n_segs, 1);
    assert_true(x.r.n_counts >= 3);  /* Han, Katakana, Hiragana all counted */
    arena_destroy(&x.a);
}

static void korean_in_chinese_is_cut(void **state)
{
    (void)state;
    runs x;
    /* Hangul is no part of Chinese text: a Korean phrase is a run of its
     * own (Japanese kana stay with Han: japanese_scripts_are_one_group). */
    run_script(&x, "中华人民共和国 모든 사람은 公布的名单");
    assert_int_equal(x.r.n_segs, 3);
    seg_is(&x, 0, "中华人民共和国 ", USCRIPT_HAN);
    seg_is(&x, 1, "모든 사람은 ", USCRIPT_HANGUL);
    seg_is(&x, 2, "公布的名单", USCRIPT_HAN);
    arena_destroy(&x.a);
}

static void latin_name_in_chinese_and_arabic(void **state)
{
    (void)state;
    runs x;
    run_script(&x, "苹果公司的iPhone销量\nقال Obama اليوم");
    assert_int_equal(x.r.n_segs, 6);
    seg_is(&x, 0, "苹果公司的", USCRIPT_HAN);
    seg_is(&x, 1, "iPhone", USCRIPT_LATIN);
    seg_is(&x, 3, "قال ", USCRIPT_ARABIC);
    seg_is(&x, 4, "Obama ", USCRIPT_LATIN);
    assert_int_equal(x.r.segs[3].line, 1);
    arena_destroy(&x.a);
}

static void blank_lines_have_no_segment(void **state)
{
    (void)state;
    runs x;
    run_script(&x, "a\n   \n\nb");
    assert_int_equal(x.r.n_segs, 2);
    assert_int_equal(x.r.segs[1].line, 3);
    arena_destroy(&x.a);
}

static void script_names(void **state)
{
    (void)state;
    assert_string_equal(script_name(USCRIPT_CYRILLIC), "Cyrillic");
    assert_string_equal(script_name(USCRIPT_LATIN), "Latin");
    assert_string_equal(script_name(-1), "Unknown");
    assert_int_equal(script_group(USCRIPT_HIRAGANA), USCRIPT_HAN);
    assert_int_equal(script_group(USCRIPT_HANGUL), USCRIPT_HANGUL);
}

typedef struct words_seen {
    char w[16][32];
    size_t n;
} words_seen;

static void collect(void *user, const char *w, size_t n, int32_t script, size_t b0, size_t b1)
{
    (void)script;
    (void)b0;
    (void)b1;
    words_seen *s = user;
    if (s->n < 16)
        snprintf(s->w[s->n++], 32, "%.*s", (int)n, w);
}

static void words_are_lower_cased_and_cjk_split(void **state)
{
    (void)state;
    words_seen s = {0};
    const char *t = "Don't STOP-me 2024 中文字";
    assert_int_equal(text_words(t, strlen(t), collect, &s), 8);
    assert_string_equal(s.w[0], "don");
    assert_string_equal(s.w[1], "t");
    assert_string_equal(s.w[2], "stop");
    assert_string_equal(s.w[4], "2024");
    assert_string_equal(s.w[5], "中");
    assert_string_equal(s.w[7], "字");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cyrillic_label_in_latin_line),
        cmocka_unit_test(boundary_snaps_to_word_start),
        cmocka_unit_test(japanese_scripts_are_one_group),
        cmocka_unit_test(korean_in_chinese_is_cut),
        cmocka_unit_test(latin_name_in_chinese_and_arabic),
        cmocka_unit_test(blank_lines_have_no_segment),
        cmocka_unit_test(script_names),
        cmocka_unit_test(words_are_lower_cased_and_cjk_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
