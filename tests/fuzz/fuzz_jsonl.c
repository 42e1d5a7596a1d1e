/* Fuzz target: the JSONL reader (with gold labels parsed), from raw bytes -
 * compressed or not, since magic bytes decide. */
#include <stddef.h>
#include <stdint.h>

#include "spill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spill_reader_options o = spill_reader_options_default();
    o.format = SPILL_FORMAT_JSONL;
    o.want_gold = 1;
    o.keep_json = 1;
    o.max_record_bytes = 1 << 16;
    spill_reader *r = spill_reader_open_memory(data, size, "fuzz", &o, NULL);
    if (!r)
        return 0;
    spill_record *rec;
    while (spill_reader_next(r, &rec) == SPILL_OK && rec)
        spill_record_free(rec);
    spill_reader_free(r);
    return 0;
}
