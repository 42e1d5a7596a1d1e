/* ngram.c: the trigram table - parsing, refusing malformed lines, and word
 * scores under the page's language and the best other one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

/* A table of two languages: "haus" is made of German trigrams, "house" of
 * English ones. */
static const char TABLE[] =
    "# test\n"
    "<unseen>\ten:-12 de:-12\n"
    "_ha\ten:-5 de:-5\n"
    "hau\tde:-4\n"
    "aus\tde:-4\n"
    "us_\tde:-5 en:-6\n"
    "hou\ten:-4\n"
    "ous\ten:-4\n"
    "use\ten:-4\n"
    "se_\ten:-5 de:-8\n"
    "_äh\tde:-7\n";

static ngramtab *parse(const char *src, spill_error *err)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s", src);
    return ngramtab_parse(NULL, "t.tsv", buf, err);
}

/* The word's lower-cased code points. */
static size_t cps(const char *w, int32_t *out)
{
    size_t n = 0;
    for (size_t i = 0; w[i];) {
        int32_t cp;
        i += utf8_next(w, i, &cp);
        out[n++] = utf8_lower(cp);
    }
    return n;
}

static void german_word_scores_better_under_german(void **state)
{
    (void)state;
    spill_error err = {0};
    ngramtab *t = parse(TABLE, &err);
    assert_non_null(t);
    assert_int_equal(ngramtab_n_langs(t), 2);
    int en = ngramtab_lang_index(t, "en"), de = ngramtab_lang_index(t, "de");
    assert_true(en >= 0 && de >= 0);
    float acc[NGRAM_MAX_LANGS] = {0};
    int32_t w[16];
    ngram_score s;
    assert_true(ngramtab_score(t, w, cps("Haus", w), en, &s, acc));
    /* en: _ha -5, hau -12, aus -12, us_ -6 = -35 / 4; de: -5 -4 -4 -5 = -18 / 4 */
    assert_float_equal(s.own, -35.0f / 4, 1e-4);
    assert_int_equal(s.best_lang, de);
    assert_float_equal(s.best, -18.0f / 4, 1e-4);
    for (size_t i = 0; i < NGRAM_MAX_LANGS; i++)
        assert_true(acc[i] == 0.0f);  /* scratch left zero */
    assert_true(ngramtab_score(t, w, cps("house", w), en, &s, acc));
    assert_int_equal(s.best_lang, de);
    assert_true(s.own > s.best);  /* en -29/5 against de -56/5 */
    ngramtab_free(NULL, t);
}

static void unknown_language_or_no_table_scores_nothing(void **state)
{
    (void)state;
    spill_error err = {0};
    ngramtab *t = parse(TABLE, &err);
    float acc[NGRAM_MAX_LANGS] = {0};
    int32_t w[16];
    ngram_score s;
    assert_int_equal(ngramtab_lang_index(t, "fr"), -1);
    assert_false(ngramtab_score(t, w, cps("maison", w), -1, &s, acc));
    assert_false(ngramtab_score(NULL, w, cps("maison", w), 0, &s, acc));
    /* A word of letters no language has: the best is the page's own. */
    assert_true(ngramtab_score(t, w, cps("xyz", w), 0, &s, acc));
    assert_int_equal(s.best_lang, -1);
    assert_float_equal(s.best, s.own, 1e-6);
    assert_string_equal(ngramtab_lang(t, 1), "de");
    assert_string_equal(ngramtab_lang(t, 7), "und");
    ngramtab_free(NULL, t);
}

static void close_languages_are_not_each_others_foreign(void **state)
{
    (void)state;
    /* "nl" is as German as "de" here, but close to it: never the best
     * other language of a German page, nor German of a Dutch one. */
    static const char CLOSE[] =
        "<unseen>\ten:-12 de:-12 nl:-12\n"
        "<close>\tde:nl\n"
        "_ha\ten:-9 de:-5 nl:-4\n"
        "hau\tde:-4 nl:-4\n"
        "aus\tde:-4 nl:-4\n"
        "us_\tde:-5 nl:-5 en:-6\n";
    spill_error err = {0};
    ngramtab *t = parse(CLOSE, &err);
    assert_non_null(t);
    int en = ngramtab_lang_index(t, "en"), de = ngramtab_lang_index(t, "de"),
        nl = ngramtab_lang_index(t, "nl");
    float acc[NGRAM_MAX_LANGS] = {0};
    int32_t w[16];
    ngram_score s;
    size_t n = cps("haus", w);
    assert_true(ngramtab_score(t, w, n, en, &s, acc));
    assert_int_equal(s.best_lang, nl);  /* for English, Dutch is the likeliest */
    assert_true(ngramtab_score(t, w, n, de, &s, acc));
    assert_int_equal(s.best_lang, en);  /* for German, Dutch does not count */
    assert_true(s.best < s.own);
    assert_true(ngramtab_score(t, w, n, nl, &s, acc));
    assert_int_equal(s.best_lang, en);
    for (size_t i = 0; i < NGRAM_MAX_LANGS; i++)
        assert_true(acc[i] == 0.0f);
    ngramtab_free(NULL, t);
}

static void malformed_lines_are_refused_with_their_line(void **state)
{
    (void)state;
    static const char *bad[] = {
        "_ha\ten:-5\n",                             /* no <unseen> first */
        "<unseen>\ten:-12\n_h\ten:-5\n",            /* two code points */
        "<unseen>\ten:-12\n_hau\ten:-5\n",          /* four */
        "<unseen>\ten:-12\n_ha\ten:x\n",            /* not a number */
        "<unseen>\ten:-12\n_ha\tfr:-5\n",           /* a language not named */
        "<unseen>\ten:-12\n_ha en:-5\n",            /* no tab */
        "<unseen>\ten:-12\n_ha\ten:-5\n_ha\ten:-4\n", /* a trigram twice */
        "<unseen>\ten:-12\n\xff\xfe\x41\ten:-5\n",  /* not UTF-8 */
        "# nothing\n",                              /* no <unseen> at all */
        "<unseen>\ten:-12\n<close>\ten:fr\n",      /* a close language not named */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spill_error err = {0};
        assert_null(parse(bad[i], &err));
        assert_int_equal(err.status, SPILL_E_MODEL_FORMAT);
        assert_non_null(strstr(err.message, "t.tsv"));
    }
    spill_error err = {0};
    assert_null(parse("<unseen>\ten:-12\n_ha\ten:x\n", &err));
    assert_non_null(strstr(err.message, "t.tsv:2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(german_word_scores_better_under_german),
        cmocka_unit_test(unknown_language_or_no_table_scores_nothing),
        cmocka_unit_test(close_languages_are_not_each_others_foreign),
        cmocka_unit_test(malformed_lines_are_refused_with_their_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
