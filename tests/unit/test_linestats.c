/* linestats.c: counts of the pages holding each line, the two halves of
 * adding a page, and merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

static const char *PAGES[] = {
    "Home | About | Contact\nStorm floods the harbour town on Monday.\nHome | About | Contact\n",
    "Home | About | Contact\nThe council meets on Friday to vote on the budget.\n",
    "HOME | ABOUT | CONTACT\nA new bakery opens in the old station building.\n",
};

/* The hash of a page of one line. */
static uint64_t line_hash(const spill_linestats *s, const char *line)
{
    uint64_t *h = NULL;
    size_t n = 0;
    assert_int_equal(spill_linestats_page_hashes(s, line, strlen(line), &h, &n), SPILL_OK);
    assert_int_equal(n, 1);
    uint64_t x = h[0];
    spill_linestats_hashes_free(s, h);
    return x;
}

static void counts_pages_not_lines(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_linestats *s = spill_linestats_new(NULL, &err);
    assert_non_null(s);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(spill_linestats_add(s, PAGES[i], strlen(PAGES[i])), SPILL_OK);
    assert_int_equal(spill_linestats_pages(s), 3);
    /* Twice on the first page, once on each other, case folded: 3 pages. */
    assert_int_equal(linestats_count(s, line_hash(s, "Home | About | Contact")), 3);
    assert_int_equal(
        linestats_count(s, line_hash(s, "The council meets on Friday to vote on the budget.")), 1);
    assert_int_equal(linestats_count(s, line_hash(s, "A line on no page at all, anywhere.")), 0);
    spill_linestats_free(s);
}

/* The sketch's rows are independent: lines on one page each, 200,000 of
 * them (a batch of some 2,000 pages), nearly all read as on one page.  With
 * rows that collide together the share was above 10%. */
static void distinct_lines_count_once(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_linestats *s = spill_linestats_new(NULL, &err);
    assert_non_null(s);
    enum { N = 200000, PER_PAGE = 100 };
    uint64_t *h = malloc(N * sizeof *h);
    assert_non_null(h);
    uint64_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;  /* well-spread 64-bit values */
        h[i] = x ^ (x >> 29);
    }
    for (size_t i = 0; i < N; i += PER_PAGE)
        spill_linestats_add_hashes(s, h + i, PER_PAGE);
    size_t over = 0;
    for (size_t i = 0; i < N; i++) {
        uint32_t c = linestats_count(s, h[i]);
        assert_true(c >= 1);
        over += c > 1;
    }
    assert_true(over < N / 500);  /* under 0.2% */
    free(h);
    spill_linestats_free(s);
}

static char *saved(const spill_linestats *s, const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/spill-test-%d-%s.sk",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), name);
    spill_error err = {0};
    assert_int_equal(spill_linestats_save(s, path, &err), SPILL_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *d = malloc(*len);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, *len, f), *len);
    fclose(f);
    remove(path);
    return d;
}

static void assert_same(const spill_linestats *a, const spill_linestats *b)
{
    size_t na, nb;
    char *x = saved(a, "a", &na), *y = saved(b, "b", &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
}

/* Hashing on one side and adding on the other gives what _add gives; a
 * sketch of two pages merged with one of the third is the sketch of all. */
static void halves_and_merge_equal_the_whole(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_linestats *whole = spill_linestats_new(NULL, &err),
                    *halves = spill_linestats_new(NULL, &err),
                    *first = spill_linestats_new(NULL, &err),
                    *last = spill_linestats_new(NULL, &err);
    assert_true(whole && halves && first && last);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(spill_linestats_add(whole, PAGES[i], strlen(PAGES[i])), SPILL_OK);
        uint64_t *h = NULL;
        size_t n = 0;
        assert_int_equal(spill_linestats_page_hashes(halves, PAGES[i], strlen(PAGES[i]), &h, &n),
                         SPILL_OK);
        assert_true(n >= 2);
        spill_linestats_add_hashes(halves, h, n);
        spill_linestats_hashes_free(halves, h);
        assert_int_equal(spill_linestats_add(i < 2 ? first : last, PAGES[i], strlen(PAGES[i])),
                         SPILL_OK);
    }
    assert_same(whole, halves);
    assert_int_equal(spill_linestats_merge(first, last), SPILL_OK);
    assert_same(whole, first);
    spill_linestats_free(whole);
    spill_linestats_free(halves);
    spill_linestats_free(first);
    spill_linestats_free(last);
}

/* The batch hash of a line: case, spacing and punctuation do not count, a
 * number is one token; letters outside ASCII are kept as they are. */
static void batch_hash_folds_case_spacing_and_numbers(void **state)
{
    (void)state;
#define H(s) linestats_line_hash(s, 0, (uint32_t)strlen(s))
    assert_int_equal(H("Home | About | Contact"), H("HOME  ABOUT  CONTACT"));
    assert_int_equal(H("Home | About | Contact"), H("home/about/contact."));
    assert_int_equal(H("Page 12 of 30"), H("Page 7 of 310"));
    assert_true(H("Page 12 of 30") != H("Page 12 of 30 more"));
    assert_true(H("Home About") != H("Home Abut"));
    assert_true(H("Über uns") != H("Uber uns"));
    assert_int_equal(H("Über uns"), H("Über  uns!"));
    assert_int_equal(H(" | -- ! "), 0);
    assert_int_equal(H(""), 0);
    /* Only [b0, b1) counts. */
    const char *t = "xx Home About yy";
    assert_int_equal(linestats_line_hash(t, 3, 13), H("Home About"));
#undef H
}

static void bad_arguments_and_empty_pages(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_linestats *s = spill_linestats_new(NULL, &err);
    uint64_t *h = (uint64_t *)1;
    size_t n = 7;
    assert_int_equal(spill_linestats_page_hashes(s, NULL, 5, &h, &n), SPILL_E_INVALID_ARG);
    assert_int_equal(spill_linestats_add(s, NULL, 5), SPILL_E_INVALID_ARG);
    assert_int_equal(spill_linestats_page_hashes(s, "", 0, &h, &n), SPILL_OK);
    assert_null(h);
    assert_int_equal(n, 0);
    assert_int_equal(spill_linestats_add(s, "\n\n", 2), SPILL_OK);
    assert_int_equal(spill_linestats_pages(s), 1);
    spill_linestats_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_pages_not_lines),
        cmocka_unit_test(distinct_lines_count_once),
        cmocka_unit_test(halves_and_merge_equal_the_whole),
        cmocka_unit_test(batch_hash_folds_case_spacing_and_numbers),
        cmocka_unit_test(bad_arguments_and_empty_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
