/* write.c: the annotation record's fields and order, offsets in code points
 * or bytes, error records, escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "spill.h"

#define MODEL SPILL_TEST_DATA "/tiny-model"

static json_t *parse_line(const spill_buf *b)
{
    assert_true(b->len > 0);
    assert_int_equal(b->data[b->len - 1], '\n');
    assert_null(memchr(b->data, '\n', b->len - 1));  /* one line */
    json_error_t e;
    json_t *j = json_loadb(b->data, b->len, 0, &e);
    assert_non_null(j);
    return j;
}

static void annotation_record(void **state)
{
    (void)state;
    spill_model *m = spill_model_load(MODEL, NULL, NULL);
    spill_ctx *c = spill_ctx_new(m, NULL, NULL);
    const char *text = "Überschrift\nDer erste Absatz erzählt die Geschichte.\n";
    const spill_page *p;
    assert_int_equal(spill_annotate(c, "id \"q\"", text, strlen(text), NULL, &p), SPILL_OK);

    spill_buf b = {0};
    assert_int_equal(spill_write_page(&b, p, NULL, 0), SPILL_OK);
    json_t *j = parse_line(&b);
    const char *keys[] = {"id", "lang", "lang_conf", "score", "langs", "scripts", "counts", "spans"};
    void *it = json_object_iter(j);
    for (size_t i = 0; i < 8; i++, it = json_object_iter_next(j, it)) {
        assert_non_null(it);
        assert_string_equal(json_object_iter_key(it), keys[i]);
    }
    assert_string_equal(json_string_value(json_object_get(j, "id")), "id \"q\"");
    json_t *counts = json_object_get(j, "counts");
    json_int_t sum = 0;
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        sum += json_integer_value(json_object_get(counts, spill_label_name((spill_label)k)));
    assert_int_equal(sum, 53);  /* code points */
    json_t *spans = json_object_get(j, "spans");
    json_t *last = json_array_get(spans, json_array_size(spans) - 1);
    assert_int_equal(json_integer_value(json_object_get(last, "end")), 53);
    assert_true(json_is_string(json_object_get(last, "why")));
    assert_true(json_is_number(json_object_get(last, "p")));
    json_decref(j);

    b.len = 0;
    assert_int_equal(spill_write_page(&b, p, NULL, SPILL_WRITE_OFFSETS_BYTES), SPILL_OK);
    j = parse_line(&b);
    spans = json_object_get(j, "spans");
    last = json_array_get(spans, json_array_size(spans) - 1);
    assert_int_equal(json_integer_value(json_object_get(last, "end")), strlen(text));
    json_decref(j);
    spill_buf_free(&b);
    spill_ctx_free(c);
    spill_model_free(m);
}

static void error_record(void **state)
{
    (void)state;
    spill_buf b = {0};
    assert_int_equal(spill_write_error(&b, "bad\xff id", "line 3:\n\"broken\""), SPILL_OK);
    json_t *j = parse_line(&b);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "bad\xEF\xBF\xBD id");
    assert_string_equal(json_string_value(json_object_get(j, "error")), "line 3:\n\"broken\"");
    json_decref(j);
    b.len = 0;
    assert_int_equal(spill_write_error(&b, NULL, "x"), SPILL_OK);
    j = parse_line(&b);
    assert_true(json_is_null(json_object_get(j, "id")));
    json_decref(j);
    spill_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(annotation_record),
        cmocka_unit_test(error_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
