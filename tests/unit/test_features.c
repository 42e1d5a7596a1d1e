/* features.c: the schema, line repetition, cohesion, the line hash, and
 * spill_features' gold labels per segment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define MODEL SPILL_TEST_DATA "/tiny-model"

static const char PAGE[] =
    "Storm floods the harbour town\n"
    "The storm flooded the harbour town on Monday, and the harbour wall gave way.\n"
    "Fishermen said the storm surge lifted boats over the harbour wall into the town.\n"
    "The town council said repairs to the harbour wall would take months after the storm.\n"
    "Storm floods the harbour town\n"
    "Ten best chocolate cake recipes for a birthday party with vanilla frosting\n";

typedef struct rows {
    size_t n;
    int label[32];
    float v[32][128];
    size_t nf;
} rows;

static spill_status take(void *user, size_t seg, int label, const float *v, size_t n)
{
    rows *r = user;
    (void)seg;
    if (r->n < 32) {
        r->label[r->n] = label;
        memcpy(r->v[r->n], v, n * sizeof *v);
        r->nf = n;
        r->n++;
    }
    return SPILL_OK;
}

static float value(const rows *r, size_t row, const char *name)
{
    int i = features_index(name);
    assert_true(i >= 0);
    return r->v[row][i];
}

/* The feature rows of a page whose lines carry `labels` (ending with -1). */
static void page_rows(const char *page, const int *labels, rows *r)
{
    spill_error err = {0};
    spill_model *m = spill_model_load_tables(MODEL, NULL, &err);
    assert_non_null(m);
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    assert_non_null(c);
    size_t n = 0;
    while (labels[n] != -1)
        n++;
    spill_gold gold = {.line_labels = labels, .n_lines = n + 1};
    assert_int_equal(spill_features(c, page, strlen(page), NULL, &gold, take, r), SPILL_OK);
    assert_int_equal(r->n, n);
    assert_int_equal(r->nf, spill_schema_size());
    spill_ctx_free(c);
    spill_model_free(m);
}

/* A line the batch holds on other pages has repeat_batch > 0, however it
 * is spaced or cased there; a line the batch lacks has 0. */
static void batch_counts_reach_the_features(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_linestats *b = spill_linestats_new(NULL, &err);
    assert_non_null(b);
    static const char *other[] = {"SUBSCRIBE  to our NEWSLETTER\nA story of its own.\n",
                                  "Subscribe to our newsletter!\nAnother story.\n",
                                  "subscribe to our newsletter\nA third story.\n"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(spill_linestats_add(b, other[i], strlen(other[i])), SPILL_OK);
    spill_model *m = spill_model_load_tables(MODEL, NULL, &err);
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    assert_non_null(c);
    const char *page = "Subscribe to our newsletter\nThe harbour wall gave way on Monday.\n";
    int labels[] = {1, 0, -1};
    spill_gold gold = {.line_labels = labels, .n_lines = 3};
    spill_hints hints = {.batch = b};
    rows r = {0};
    assert_int_equal(spill_features(c, page, strlen(page), &hints, &gold, take, &r), SPILL_OK);
    assert_int_equal(r.n, 2);
    /* On 3 pages, none of them this one: log1p(3 - 1). */
    assert_float_equal(value(&r, 0, "repeat_batch"), log1pf(2.0f), 1e-5);
    assert_float_equal(value(&r, 1, "repeat_batch"), 0.0f, 1e-9);
    spill_ctx_free(c);
    spill_model_free(m);
    spill_linestats_free(b);
}

static void schema_is_consistent(void **state)
{
    (void)state;
    assert_int_equal(spill_schema_size(), features_count());
    assert_true(features_count() < 128);
    for (size_t i = 0; i < features_count(); i++) {
        assert_non_null(features_name(i));
        assert_int_equal(features_index(features_name(i)), (int)i);
    }
    assert_null(spill_schema_feature(features_count()));
    assert_int_equal(features_index("no such feature"), -1);
}

/* Every segment's row comes once, in order, across the blocks the vectors
 * are computed in; the features score.c keeps (page_work.kept) are copies
 * of the features of their names. */
typedef struct order {
    size_t n, cap;
    bool in_order;
    float *rows;  /* n x features_count(), room for cap */
} order;

static spill_status take_all(void *user, size_t seg, int label, const float *v, size_t n)
{
    order *o = user;
    (void)label;
    o->in_order &= seg == o->n;
    if (o->n == o->cap)
        return SPILL_E_NOMEM;
    memcpy(o->rows + o->n * n, v, n * sizeof *v);
    o->n++;
    return SPILL_OK;
}

static void rows_across_blocks_and_kept_features(void **state)
{
    (void)state;
    static const struct {
        int k;
        const char *name;
    } kept[] = {
        {KEPT_COHESION, "cohesion"},       {KEPT_WORDS, "words"},
        {KEPT_SEPARATORS, "separators"},   {KEPT_URLS, "urls"},
        {KEPT_REPEAT_BATCH, "repeat_batch"}, {KEPT_MOJIBAKE, "mojibake"},
        {KEPT_CONTROLS, "controls"},       {KEPT_OTHER_CHARS, "other_chars"},
        {KEPT_SYMBOL_RUN, "symbol_run"},   {KEPT_SYMBOLS, "symbols"},
        {KEPT_END_PUNCT, "end_punct"},     {KEPT_WINDOW_LEN, "window_len"},
        {KEPT_STOPWORDS, "stopwords"},     {KEPT_SEG_WORDS, "seg_words"},
        {KEPT_SEG_ENDS_COLON, "seg_ends_colon"},
    };
    assert_int_equal(sizeof kept / sizeof kept[0], KEPT_COUNT);
    /* 700 lines, most of them varied: several blocks of segments. */
    char *page = malloc(700 * 96);
    assert_non_null(page);
    size_t len = 0;
    for (int i = 0; i < 700; i++)
        len += (size_t)sprintf(page + len, i % 7 ? "Line %d of the harbour story: wall %d.\n"
                                                 : "Menu | Home | %d | %d\n",
                               i, i * 31 % 97);
    spill_error err = {0};
    spill_model *m = spill_model_load_tables(MODEL, NULL, &err);
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    assert_non_null(c);
    order o = {.cap = 4096, .in_order = true};
    o.rows = malloc(o.cap * features_count() * sizeof *o.rows);
    assert_non_null(o.rows);
    assert_int_equal(spill_features(c, page, len, NULL, NULL, take_all, &o), SPILL_OK);
    const page_work *w = annotate_work(c);
    assert_int_equal(o.n, w->scripts.n_segs);
    assert_true(o.n > 2 * 256);
    assert_true(o.in_order);
    for (size_t s = 0; s < o.n; s++)
        for (size_t i = 0; i < KEPT_COUNT; i++)
            assert_float_equal(w->kept[s * KEPT_COUNT + (size_t)kept[i].k - 1],
                               o.rows[s * features_count() + (size_t)features_index(kept[i].name)],
                               0);
    free(o.rows);
    free(page);
    spill_ctx_free(c);
    spill_model_free(m);
}

static void repetition_cohesion_and_gold(void **state)
{
    (void)state;
    int labels[] = {SPILL_LABEL_CONTENT, SPILL_LABEL_CONTENT, SPILL_LABEL_CONTENT,
                    SPILL_LABEL_CONTENT, SPILL_LABEL_DUPLICATE, SPILL_LABEL_SPILLOVER, -1};
    rows r = {0};
    page_rows(PAGE, labels, &r);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(r.label[i], labels[i]);
    /* The headline occurs twice; the first copy is the first. */
    assert_true(value(&r, 0, "repeat_page") > 0.6f);
    assert_true(value(&r, 0, "repeat_first") == 1.0f);
    assert_true(value(&r, 4, "repeat_first") == 0.0f);
    assert_true(value(&r, 1, "repeat_page") == 0.0f);
    /* The article's lines share words; the recipe teaser shares none. */
    float teaser = value(&r, 5, "cohesion");
    for (size_t i = 1; i <= 3; i++)
        assert_true(value(&r, i, "cohesion") > teaser + 0.1f);
    assert_true(teaser < 0.05f);
    /* Sentences end with a full stop; headlines do not. */
    assert_true(value(&r, 1, "end_punct") == 1.0f);
    assert_true(value(&r, 0, "end_punct") == 0.0f);
    assert_true(value(&r, 1, "stopwords") > 0.1f);
}

/* A credit line between the article and a "Related posts" header closes the
 * article; the teaser after the header does not. */
static void headers_around_the_article_end(void **state)
{
    (void)state;
    static const char page[] =
        "The storm flooded the harbour town on Monday, and the harbour wall gave way.\n"
        "Fishermen said the storm surge lifted boats over the harbour wall into the town.\n"
        "The town council said repairs to the harbour wall would take months after the storm.\n"
        "Reporting by AFP contributed.\n"
        "Related posts\n"
        "Ten best chocolate cake recipes for a birthday party with vanilla frosting\n";
    int labels[] = {SPILL_LABEL_CONTENT,   SPILL_LABEL_CONTENT,   SPILL_LABEL_CONTENT,
                    SPILL_LABEL_CONTENT,   SPILL_LABEL_SPILLOVER, SPILL_LABEL_SPILLOVER, -1};
    rows r = {0};
    page_rows(page, labels, &r);
    assert_true(value(&r, 3, "next_header") == 1.0f);
    assert_true(value(&r, 3, "prev_core") == 1.0f);
    assert_true(value(&r, 3, "closes_core") == 1.0f);
    assert_true(value(&r, 2, "closes_core") == 0.0f);
    assert_true(value(&r, 5, "prev_header") == 1.0f);
    assert_true(value(&r, 5, "next_header") == 0.0f);
    assert_true(value(&r, 5, "closes_core") == 0.0f);
}

static void gold_spans_in_code_points(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_model *m = spill_model_load_tables(MODEL, NULL, &err);
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    const char *text = "Der Bericht Текст: über die Stadt";
    /* "Текст: " is code points 11..18. */
    spill_gold_span spans[] = {{0, 11, SPILL_LABEL_CONTENT},
                               {11, 18, SPILL_LABEL_FOREIGN},
                               {18, 33, SPILL_LABEL_CONTENT}};
    spill_gold gold = {.spans = spans, .n_spans = 3};
    rows r = {0};
    assert_int_equal(spill_features(c, text, strlen(text), NULL, &gold, take, &r), SPILL_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.label[0], SPILL_LABEL_CONTENT);
    assert_int_equal(r.label[1], SPILL_LABEL_FOREIGN);
    assert_int_equal(r.label[2], SPILL_LABEL_CONTENT);
    assert_true(value(&r, 1, "seg_script_other") == 1.0f);
    assert_true(value(&r, 1, "seg_ends_colon") == 1.0f);
    assert_true(value(&r, 1, "seg_at_line_start") == 0.0f);
    assert_true(value(&r, 0, "seg_at_line_start") == 1.0f);
    spill_ctx_free(c);
    spill_model_free(m);
}

static uint64_t hash_of(arena *a, const char *text, uint32_t *norm)
{
    line *lines;
    size_t n;
    word_table words;
    assert_int_equal(segment_lines(a, text, strlen(text), &lines, &n), SPILL_OK);
    assert_int_equal(script_words(a, text, lines, n, &words), SPILL_OK);
    return n ? features_line_hash(&words, 0, norm) : 0;
}

static void line_hash_folds_case_numbers_and_punctuation(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, NULL, 0);
    uint32_t n1, n2;
    uint64_t h1 = hash_of(&a, "Read more: Top 10 Stories!", &n1);
    uint64_t h2 = hash_of(&a, "read  more -- top 99 STORIES", &n2);
    assert_true(h1 == h2);
    assert_int_equal(n1, n2);
    assert_int_equal(n1, 20);
    assert_true(hash_of(&a, "read more top stories", NULL) != h1);
    assert_true(hash_of(&a, "---", NULL) == 0);
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_counts_reach_the_features),
        cmocka_unit_test(schema_is_consistent),
        cmocka_unit_test(rows_across_blocks_and_kept_features),
        cmocka_unit_test(repetition_cohesion_and_gold),
        cmocka_unit_test(headers_around_the_article_end),
        cmocka_unit_test(gold_spans_in_code_points),
        cmocka_unit_test(line_hash_folds_case_numbers_and_punctuation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
