/* Fuzz target: the WARC/WET reader, HTML reduction included. */
#include <stddef.h>
#include <stdint.h>

#include "spill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spill_reader_options o = spill_reader_options_default();
    o.format = SPILL_FORMAT_WARC;
    o.max_record_bytes = 1 << 16;
    spill_reader *r = spill_reader_open_memory(data, size, "fuzz", &o, NULL);
    if (!r)
        return 0;
    spill_record *rec;
    while (spill_reader_next(r, &rec) == SPILL_OK && rec) {
        if (rec->text && rec->text[rec->text_len] != 0)
            __builtin_trap();  /* texts are NUL-terminated */
        spill_record_free(rec);
    }
    const char *summary;
    spill_reader_skipped(r, &summary);
    spill_reader_free(r);
    return 0;
}
