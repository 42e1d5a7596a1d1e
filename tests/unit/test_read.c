/* read.c: JSONL and text records, bad records as error records, fields and
 * dotted paths, gzip and zstd by magic bytes, concatenated members,
 * truncated streams reported after the records before them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "spill.h"

static char dir[256];

static const char *path_of(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_bytes(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(path_of(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static const char JSONL[] =
    "{\"id\": \"a\", \"text\": \"first page\", \"url\": \"https://x.de/p\", \"lang\": \"de\"}\n"
    "\n"
    "{\"id\": 42, \"text\": \"number id\"}\n"
    "not json at all\n"
    "[1, 2, 3]\n"
    "{\"id\": \"b\"}\n"
    "{\"id\": \"c\", \"text\": 7}\n"
    "{\"text\": \"no id\\u0000with nul\"}\n"
    "{\"id\": \"d\", \"text\": \"x\", \"id\": \"dup\"}\n";

typedef struct want {
    const char *id, *text, *error;
} want;

static const want WANT[] = {
    {"a", "first page", NULL},
    {"42", "number id", NULL},
    {NULL, NULL, "invalid JSON"},
    {NULL, NULL, "must be a JSON object"},
    {"b", NULL, "field \"text\" is missing"},
    {"c", NULL, "field \"text\" is not a string"},
    {"*", "no id\0with nul", NULL},
    {"dup", "x", NULL},
};

static void read_all(const char *name, const spill_reader_options *ro, spill_status last)
{
    spill_error err = {0};
    spill_reader *r = spill_reader_open(path_of(name), ro, &err);
    assert_non_null(r);
    size_t n = 0;
    spill_record *rec;
    spill_status st;
    while ((st = spill_reader_next(r, &rec)) == SPILL_OK && rec) {
        assert_true(n < sizeof WANT / sizeof WANT[0]);
        const want *w = &WANT[n];
        if (w->error) {
            assert_non_null(rec->error);
            assert_non_null(strstr(rec->error, w->error));
        } else {
            assert_null(rec->error);
            assert_int_equal(rec->text_len, n == 6 ? 14 : strlen(w->text));
            assert_memory_equal(rec->text, w->text, rec->text_len);
        }
        if (w->id && strcmp(w->id, "*"))
            assert_string_equal(rec->id, w->id);
        if (n == 0) {
            assert_string_equal(rec->url, "https://x.de/p");
            assert_string_equal(rec->lang, "de");
            assert_int_equal(rec->position, 1);
        }
        if (n == 6) {
            /* No id: the file name and line number stand in. */
            assert_non_null(strstr(rec->id, ":8"));
        }
        spill_record_free(rec);
        n++;
    }
    assert_int_equal(st, last);
    assert_int_equal(n, sizeof WANT / sizeof WANT[0]);
    if (last != SPILL_OK)
        assert_true(strlen(spill_reader_message(r)) > 0);
    spill_reader_free(r);
}

static void jsonl_records_and_errors(void **state)
{
    (void)state;
    write_bytes("pages.jsonl", JSONL, strlen(JSONL));
    read_all("pages.jsonl", NULL, SPILL_OK);
}

/* The same lines through the fast parser (json_shim.h) and through jansson
 * (which want_gold forces) give the same records: fields, dotted paths,
 * the last of duplicate keys, ids of every kind, escapes, NUL, error
 * records and every kind of bad line. */
static const char TRICKY[] =
    "{\"id\": \"a\", \"text\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\n x\", \"url\": \"u\", \"lang\": \"fr\"}\n"
    "{\"id\": 1.5, \"text\": \"real id\"}\n"
    "{\"id\": -9007199254740993, \"text\": \"big id\"}\n"
    "{\"id\": true, \"text\": \"bool id\"}\n"
    "{\"id\": \"d\", \"text\": \"one\", \"text\": \"two\", \"id\": \"e\"}\n"
    "{\"id\": \"f\", \"meta\": {\"body\": \"nested\"}, \"text\": \"top\"}\n"
    "{\"id\": \"g\", \"text\": null}\n"
    "{\"id\": \"h\", \"error\": \"an earlier failure\"}\n"
    "{\"id\": \"i\", \"text\": \"t\", \"error\": \"ignored: there is a text\"}\n"
    "{\"id\": \"j\", \"text\": \"bad \\x escape\"}\n"
    "{\"id\": \"k\", \"text\": \"truncated\n"
    "\"a string\"\n"
    "{\"id\": \"l\", \"text\": \"\xff\xfe not UTF-8\"}\n"
    "{\"id\": {\"x\": 1}, \"text\": \"object id\"}\n"
    "{\"id\": \"m\", \"text\": \"a\\u0000b\", \"x\": [[[[[[[[1]]]]]]]]}\n"
    "{}\n";

static spill_record *next_of(spill_reader *r)
{
    spill_record *rec = NULL;
    assert_int_equal(spill_reader_next(r, &rec), SPILL_OK);
    return rec;
}

static void str_same(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void fast_parser_agrees_with_jansson(void **state)
{
    (void)state;
    write_bytes("tricky.jsonl", TRICKY, strlen(TRICKY));
    static const char *fields[][2] = {{NULL, NULL}, {"meta.body", "id"}};
    for (size_t k = 0; k < 2; k++) {
        spill_reader_options fast = spill_reader_options_default(), slow = fast;
        fast.text_field = slow.text_field = fields[k][0];
        fast.id_field = slow.id_field = fields[k][1];
        slow.want_gold = 1;
        spill_error err = {0};
        spill_reader *a = spill_reader_open(path_of("tricky.jsonl"), &fast, &err);
        spill_reader *b = spill_reader_open(path_of("tricky.jsonl"), &slow, &err);
        assert_true(a && b);
        size_t n = 0;
        for (;;) {
            spill_record *x = next_of(a), *y = next_of(b);
            if (!x || !y) {
                assert_ptr_equal(x, y);
                break;
            }
            str_same(x->id, y->id);
            str_same(x->url, y->url);
            str_same(x->lang, y->lang);
            str_same(x->error, y->error);
            assert_int_equal(x->text_len, y->text_len);
            if (x->text_len)
                assert_memory_equal(x->text, y->text, x->text_len);
            spill_record_free(x);
            spill_record_free(y);
            n++;
        }
        assert_int_equal(n, 16);
        spill_reader_free(a);
        spill_reader_free(b);
    }
}

static size_t gzip(const char *in, size_t n, unsigned char *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    return len;
}

static void gzip_and_concatenated_members(void **state)
{
    (void)state;
    unsigned char buf[8192];
    size_t half = 200;  /* a record boundary? no: members may cut anywhere */
    size_t a = gzip(JSONL, half, buf, sizeof buf);
    size_t b = gzip(JSONL + half, strlen(JSONL) - half, buf + a, sizeof buf - a);
    write_bytes("pages.data", buf, a + b);  /* no telling extension: magic decides */
    spill_reader_options ro = spill_reader_options_default();
    read_all("pages.data", &ro, SPILL_OK);
}

static void zstd_frames(void **state)
{
    (void)state;
    unsigned char buf[8192];
    size_t n = ZSTD_compress(buf, sizeof buf, JSONL, strlen(JSONL), 3);
    assert_false(ZSTD_isError(n));
    write_bytes("pages.jsonl.zst", buf, n);
    read_all("pages.jsonl.zst", NULL, SPILL_OK);
}

static void truncated_gzip_is_an_io_error_after_the_records(void **state)
{
    (void)state;
    char big[20000];
    size_t n = 0;
    for (int i = 0; n + 100 < sizeof big; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "{\"id\": \"r%d\", \"text\": \"t %d\"}\n", i, i);
    unsigned char buf[40000];
    size_t z = gzip(big, n, buf, sizeof buf);
    write_bytes("cut.jsonl.gz", buf, z - 10);
    spill_reader *r = spill_reader_open(path_of("cut.jsonl.gz"), NULL, NULL);
    assert_non_null(r);
    spill_record *rec;
    spill_status st;
    size_t good = 0;
    while ((st = spill_reader_next(r, &rec)) == SPILL_OK && rec) {
        good += rec->error == NULL;
        spill_record_free(rec);
    }
    assert_int_equal(st, SPILL_E_IO);
    assert_non_null(strstr(spill_reader_message(r), "truncated gzip"));
    assert_true(good > 100);
    spill_reader_free(r);
}

static void text_file_is_one_page(void **state)
{
    (void)state;
    const char *t = "Title\n\n{not json} just text\n";
    write_bytes("page.txt", t, strlen(t));
    spill_reader *r = spill_reader_open(path_of("page.txt"), NULL, NULL);
    spill_record *rec;
    assert_int_equal(spill_reader_next(r, &rec), SPILL_OK);
    assert_string_equal(rec->id, "page.txt");
    assert_int_equal(rec->text_len, strlen(t));
    spill_record_free(rec);
    assert_int_equal(spill_reader_next(r, &rec), SPILL_OK);
    assert_null(rec);
    spill_reader_free(r);
}

static void fields_and_limits(void **state)
{
    (void)state;
    const char *t = "{\"meta\": {\"key\": \"k1\"}, \"body\": {\"main\": \"nested text\"}}\n"
                    "{\"meta\": {\"key\": \"k2\"}, \"body\": {\"main\": \"0123456789ABCDEF\"}}\n";
    write_bytes("nested.jsonl", t, strlen(t));
    spill_reader_options ro = spill_reader_options_default();
    ro.text_field = "body.main";
    ro.id_field = "meta.key";
    ro.max_record_bytes = 60;
    spill_reader *r = spill_reader_open(path_of("nested.jsonl"), &ro, NULL);
    spill_record *rec;
    assert_int_equal(spill_reader_next(r, &rec), SPILL_OK);
    assert_string_equal(rec->id, "k1");
    assert_string_equal(rec->text, "nested text");
    spill_record_free(rec);
    assert_int_equal(spill_reader_next(r, &rec), SPILL_OK);
    assert_non_null(rec->error);
    assert_non_null(strstr(rec->error, "exceeds the limit of 60 bytes"));
    spill_record_free(rec);
    spill_reader_free(r);
}

static void missing_file(void **state)
{
    (void)state;
    spill_error err = {0};
    assert_null(spill_reader_open(path_of("nope.jsonl"), NULL, &err));
    assert_int_equal(err.status, SPILL_E_IO);
    assert_non_null(strstr(err.message, "nope.jsonl"));
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/spill-test-read.%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jsonl_records_and_errors),
        cmocka_unit_test(fast_parser_agrees_with_jansson),
        cmocka_unit_test(gzip_and_concatenated_members),
        cmocka_unit_test(zstd_frames),
        cmocka_unit_test(truncated_gzip_is_an_io_error_after_the_records),
        cmocka_unit_test(text_file_is_one_page),
        cmocka_unit_test(fields_and_limits),
        cmocka_unit_test(missing_file),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) ? 1 : rc;
}
