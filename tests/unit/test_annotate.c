/* The public annotation API end to end: spans tile the text, counts add up,
 * odd texts (empty, blank, invalid UTF-8, too large), allocation failures
 * anywhere return SPILL_E_NOMEM and leak nothing, contexts on threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spill.h"

#define MODEL SPILL_TEST_DATA "/tiny-model"

static const char *TEXTS[] = {
    "Headline of the day\n\nThe first paragraph tells the story in full sentences.\r\n"
    "Second paragraph, with more words. Текст: and a label.\nHome | About | Contact\n",
    "混合文本 with English and 日本語のテキスト。\n\nشكرا\n",
    "no newline at the end",
    "\n\n\n   \n",
    "a\x80\xC0 broken \xED\xA0\x80 bytes\xF0",
    "\x01\x02\x03 control \x7F\n★★★★★★★★\n",
    /* A run of German function words ending on a word that changes script
     * inside (segments once overlapped here). */
    "The report says that the council will vote.\nThe report says die Regierung hat das "
    "und ist GesetzТекст beschlossen, the vote.\n",
};

static void check_tiling(const spill_page *p)
{
    size_t at = 0, at_cp = 0, sum = 0, sum_b = 0;
    for (size_t i = 0; i < p->n_spans; i++) {
        const spill_span *s = &p->spans[i];
        assert_int_equal(s->start, at);
        assert_int_equal(s->start_cp, at_cp);
        assert_true(s->end > s->start);
        assert_true(s->end_cp > s->start_cp);
        assert_true((unsigned)s->label < SPILL_LABEL_COUNT);
        assert_true(s->p >= 0.0f && s->p <= 1.0f);
        assert_non_null(s->why);
        if (s->label != SPILL_LABEL_CONTENT)
            assert_true(strlen(s->why) > 0);
        at = s->end;
        at_cp = s->end_cp;
    }
    assert_int_equal(at, p->text_len);
    assert_int_equal(at_cp, p->text_cp);
    for (int k = 0; k < SPILL_LABEL_COUNT; k++) {
        sum += p->counts[k];
        sum_b += p->counts_bytes[k];
    }
    assert_int_equal(sum, p->text_cp);
    assert_int_equal(sum_b, p->text_len);
    assert_true(p->score >= 0.0 && p->score <= 1.0);
}

static void spans_tile_every_text(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_model *m = spill_model_load(MODEL, NULL, &err);
    assert_non_null(m);
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++) {
        const spill_page *p;
        assert_int_equal(spill_annotate(c, "t", TEXTS[i], strlen(TEXTS[i]), NULL, &p), SPILL_OK);
        check_tiling(p);
    }
    spill_ctx_free(c);
    spill_model_free(m);
}

static void odd_texts(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_model *m = spill_model_load(MODEL, NULL, &err);
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    const spill_page *p;

    assert_int_equal(spill_annotate(c, NULL, "", 0, NULL, &p), SPILL_OK);
    assert_int_equal(p->n_spans, 0);
    assert_true(p->score == 0.0);
    assert_string_equal(p->note, "empty text");
    assert_string_equal(p->lang, "und");

    assert_int_equal(spill_annotate(c, "blank", " \n\t\n", 4, NULL, &p), SPILL_OK);
    assert_int_equal(p->n_spans, 1);
    assert_int_equal(p->spans[0].label, SPILL_LABEL_GARBAGE);
    assert_true(p->score == 0.0);
    assert_non_null(p->note);

    const char *bad = TEXTS[4];
    assert_int_equal(spill_annotate(c, "bad", bad, strlen(bad), NULL, &p), SPILL_OK);
    assert_int_equal(p->invalid_bytes, 6);
    assert_non_null(strstr(p->text, "\xEF\xBF\xBD"));

    assert_int_equal(spill_annotate(c, "nul", "a\0b", 3, NULL, &p), SPILL_OK);
    assert_int_equal(p->text_len, 3);
    check_tiling(p);
    spill_ctx_free(c);

    spill_options o = spill_options_default();
    o.max_text_bytes = 10;
    c = spill_ctx_new(m, &o, &err);
    assert_int_equal(spill_annotate(c, "big", "0123456789a", 11, NULL, &p), SPILL_E_TOO_LARGE);
    assert_null(p);
    assert_non_null(strstr(spill_ctx_message(c), "limit of 10 bytes"));
    assert_int_equal(spill_annotate(c, "ok", "0123456789", 10, NULL, &p), SPILL_OK);
    spill_ctx_free(c);
    spill_model_free(m);
}

/* The tiny model and a context on it, for the tests that need no options. */
typedef struct fixture {
    spill_model *m;
    spill_ctx *c;
} fixture;

static int load_ctx(void **state)
{
    static fixture f;
    spill_error err = {0};
    f.m = spill_model_load(MODEL, NULL, &err);
    f.c = f.m ? spill_ctx_new(f.m, NULL, &err) : NULL;
    *state = &f;
    return f.c ? 0 : -1;
}

static int free_ctx(void **state)
{
    fixture *f = *state;
    spill_ctx_free(f->c);
    spill_model_free(f->m);
    return 0;
}

/* The label of the span holding byte `at` of the page's text. */
static const spill_span *span_at(const spill_page *p, size_t at)
{
    for (size_t i = 0; i < p->n_spans; i++)
        if (p->spans[i].start <= at && at < p->spans[i].end)
            return &p->spans[i];
    fail_msg("no span holds byte %zu", at);
    return NULL;
}

/* Lines that are no text in any language are garbage whatever the model:
 * mojibake (each code page named), control characters, U+FFFD. */
static void unreadable_lines_are_garbage(void **state)
{
    spill_ctx *c = ((fixture *)*state)->c;
    const char *lines[] = {
        "The council met on Monday and voted on the new budget for the schools.\n",
        "РџСЂРёРІРµС‚, РјРёСЂ! Р­С‚Рѕ РѕР±С‹С‡РЅС‹Р№ С‚РµРєСЃС‚.\n",  /* Russian as cp1251 */
        "the right to\x0f for\x0fm \x08" "a\x1d" "nd to\x19 work\n",
        "Ã¼ber die Ã¤nderungen der GebÃ¼hren fÃ¼r Ã¶ffentliche RÃ¤ume\n",
        "word \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD word\n",
    };
    const char *why[] = {NULL, "mojibake: UTF-8 read as cp1251", "control characters: 5 of 28 characters",
                         "mojibake: UTF-8 read as cp1252",
                         "bytes that were not UTF-8 (U+FFFD): 4 of 12 characters"};
    char text[1024] = "";
    size_t at[5];
    for (int i = 0; i < 5; i++) {
        at[i] = strlen(text);
        strcat(text, lines[i]);
    }
    const spill_page *p;
    assert_int_equal(spill_annotate(c, "t", text, strlen(text), NULL, &p), SPILL_OK);
    assert_int_equal(p->invalid_bytes, 0);
    for (int i = 1; i < 5; i++) {
        const spill_span *s = span_at(p, at[i]);
        assert_int_equal(s->label, SPILL_LABEL_GARBAGE);
        assert_string_equal(s->why, why[i]);
    }
}

/* A near copy repeats the first copy, whatever the model said of either;
 * a far one is the model's to judge. */
static void near_copies_repeat_the_first(void **state)
{
    spill_ctx *c = ((fixture *)*state)->c;
    const char *text =
        "Council votes on the school budget\n"
        "\n"
        "Council votes on the school budget\n"
        "The council met on Monday and voted on the new budget for the schools of the city.\n"
        "Council Votes On The School Budget!\n"
        "It was the third vote this year, and the closest: seven to six, after a long night.\n"
        "Parents had filled the hall since the afternoon, and many spoke before the vote.\n"
        "The mayor said she would sign the budget on Friday, as the law asks of her.\n"
        "Council votes on the school budget\n";
    const spill_page *p;
    assert_int_equal(spill_annotate(c, "t", text, strlen(text), NULL, &p), SPILL_OK);
    size_t line_at[9], n = 0;
    for (size_t i = 0, start = 0; text[i]; i++)
        if (text[i] == '\n') {
            line_at[n++] = start;
            start = i + 1;
        }
    assert_int_not_equal(span_at(p, line_at[0])->label, SPILL_LABEL_DUPLICATE);
    assert_int_equal(span_at(p, line_at[2])->label, SPILL_LABEL_DUPLICATE);
    assert_string_equal(span_at(p, line_at[2])->why, "same as line 1");
    /* Case and punctuation aside, the same words: two lines after the last. */
    assert_int_equal(span_at(p, line_at[4])->label, SPILL_LABEL_DUPLICATE);
    assert_string_equal(span_at(p, line_at[4])->why, "same as line 1");
    assert_int_not_equal(span_at(p, line_at[8])->label, SPILL_LABEL_DUPLICATE);
}

/* An allocator that fails the Nth allocation and counts live blocks. */
typedef struct faulty {
    long until_fail;  /* fail when it reaches 0; < 0 never */
    long live;
} faulty;

static void *f_malloc(void *user, size_t n)
{
    faulty *f = user;
    if (f->until_fail >= 0 && f->until_fail-- == 0)
        return NULL;
    void *p = malloc(n);
    f->live += p != NULL;
    return p;
}

static void *f_realloc(void *user, void *p, size_t n)
{
    faulty *f = user;
    if (f->until_fail >= 0 && f->until_fail-- == 0)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        f->live++;
    return q;
}

static void f_free(void *user, void *p)
{
    faulty *f = user;
    if (p)
        f->live--;
    free(p);
}

static void allocation_failures_anywhere(void **state)
{
    (void)state;
    const char *text = TEXTS[0];
    bool succeeded = false;
    for (long n = 0; n < 200 && !succeeded; n++) {
        faulty f = {.until_fail = n};
        spill_options o = spill_options_default();
        o.alloc = (spill_allocator){f_malloc, f_realloc, f_free, &f};
        spill_error err = {0};
        spill_model *m = spill_model_load(MODEL, &o, &err);
        spill_ctx *c = m ? spill_ctx_new(m, &o, &err) : NULL;
        if (!m || !c) {
            assert_int_equal(err.status, SPILL_E_NOMEM);
        } else {
            const spill_page *p;
            spill_status st = spill_annotate(c, "t", text, strlen(text), NULL, &p);
            if (st == SPILL_OK) {
                succeeded = true;
                check_tiling(p);
            } else {
                assert_int_equal(st, SPILL_E_NOMEM);
                assert_non_null(strstr(spill_ctx_message(c), "out of memory"));
                /* The context stays usable once memory is back. */
                f.until_fail = -1;
                assert_int_equal(spill_annotate(c, "t", text, strlen(text), NULL, &p), SPILL_OK);
            }
        }
        spill_ctx_free(c);
        spill_model_free(m);
        assert_int_equal(f.live, 0);
    }
    assert_true(succeeded);
}

typedef struct job {
    const spill_model *m;
    double scores[7];
} job;

static void *annotate_all(void *arg)
{
    job *j = arg;
    spill_ctx *c = spill_ctx_new(j->m, NULL, NULL);
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < 7; i++) {
            const spill_page *p;
            if (spill_annotate(c, "t", TEXTS[i], strlen(TEXTS[i]), NULL, &p) == SPILL_OK)
                j->scores[i] = p->score;
        }
    }
    spill_ctx_free(c);
    return NULL;
}

static void one_model_many_threads(void **state)
{
    (void)state;
    spill_model *m = spill_model_load(MODEL, NULL, NULL);
    job a = {m, {0}}, b = {m, {0}}, ref = {m, {0}};
    annotate_all(&ref);
    pthread_t ta, tb;
    pthread_create(&ta, NULL, annotate_all, &a);
    pthread_create(&tb, NULL, annotate_all, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_memory_equal(a.scores, ref.scores, sizeof ref.scores);
    assert_memory_equal(b.scores, ref.scores, sizeof ref.scores);
    spill_model_free(m);
}

static void versions_and_names(void **state)
{
    (void)state;
    assert_string_equal(spill_version(), SPILL_VERSION_STRING);
    assert_int_equal(spill_version_number(), SPILL_VERSION_NUMBER);
    char buf[512];
    assert_non_null(strstr(spill_deps_version(buf, sizeof buf), "CLD2"));
    assert_string_equal(spill_label_name(SPILL_LABEL_SPILLOVER), "spillover");
    assert_null(spill_label_name((spill_label)99));
    assert_int_equal(spill_label_from_name("garbage"), SPILL_LABEL_GARBAGE);
    assert_int_equal(spill_label_from_name("nope"), -1);
    assert_string_equal(spill_status_str(SPILL_E_NOMEM), "out of memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spans_tile_every_text),
        cmocka_unit_test(odd_texts),
        cmocka_unit_test_setup_teardown(unreadable_lines_are_garbage, load_ctx, free_ctx),
        cmocka_unit_test_setup_teardown(near_copies_repeat_the_first, load_ctx, free_ctx),
        cmocka_unit_test(allocation_failures_anywhere),
        cmocka_unit_test(one_model_many_threads),
        cmocka_unit_test(versions_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
