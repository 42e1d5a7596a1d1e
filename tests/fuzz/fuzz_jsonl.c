/* Fuzz target: the JSONL reader from raw bytes - compressed or not, since
 * magic bytes decide - three ways: with gold labels parsed, and with and
 * without the whole object kept, which takes jansson and the fast parser
 * (json_shim.h) respectively: those two must give the same records. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spill.h"

static spill_reader *open_with(const uint8_t *data, size_t size, int gold, int keep)
{
    spill_reader_options o = spill_reader_options_default();
    o.format = SPILL_FORMAT_JSONL;
    o.want_gold = gold;
    o.keep_json = keep;
    o.max_record_bytes = 1 << 16;
    return spill_reader_open_memory(data, size, "fuzz", &o, NULL);
}

static void same(const char *a, const char *b)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spill_reader *r = open_with(data, size, 1, 1);
    if (r) {
        spill_record *rec;
        while (spill_reader_next(r, &rec) == SPILL_OK && rec)
            spill_record_free(rec);
        spill_reader_free(r);
    }
    spill_reader *slow = open_with(data, size, 0, 1), *fast = open_with(data, size, 0, 0);
    if (slow && fast) {
        for (;;) {
            spill_record *x = NULL, *y = NULL;
            spill_status a = spill_reader_next(slow, &x), b = spill_reader_next(fast, &y);
            if (a != b || (x == NULL) != (y == NULL))
                abort();
            if (a != SPILL_OK || !x) {
                spill_record_free(x);
                spill_record_free(y);
                break;
            }
            same(x->id, y->id);
            same(x->url, y->url);
            same(x->lang, y->lang);
            same(x->error, y->error);
            if (x->text_len != y->text_len || (x->text_len && memcmp(x->text, y->text, x->text_len)))
                abort();
            spill_record_free(x);
            spill_record_free(y);
        }
    }
    spill_reader_free(slow);
    spill_reader_free(fast);
    return 0;
}
