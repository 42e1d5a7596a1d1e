/* Fuzz target: the whole score path of one record - annotate the bytes as a
 * page, write the annotation, Dolma and clean records - and check the
 * invariants: spans tile the text, counts add up, the score is in [0, 1]. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "spill.h"

#ifndef SPILL_FUZZ_MODEL
#define SPILL_FUZZ_MODEL "tests/data/tiny-model"
#endif

static spill_model *model;
static spill_ctx *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!model) {
        model = spill_model_load(SPILL_FUZZ_MODEL, NULL, NULL);
        ctx = model ? spill_ctx_new(model, NULL, NULL) : NULL;
        if (!ctx)
            abort();
    }
    const spill_page *p;
    if (spill_annotate(ctx, "fuzz", (const char *)data, size, NULL, &p) != SPILL_OK)
        return 0;
    size_t at = 0, sum = 0;
    for (size_t i = 0; i < p->n_spans; i++) {
        if (p->spans[i].start != at || p->spans[i].end <= at)
            __builtin_trap();
        at = p->spans[i].end;
    }
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        sum += p->counts_bytes[k];
    if (at != p->text_len || sum != p->text_len || !(p->score >= 0 && p->score <= 1))
        __builtin_trap();
    spill_buf b = {0};
    spill_record rec = {.id = "fuzz", .text = (char *)p->text, .text_len = p->text_len};
    if (spill_write_page(&b, p, "http://x.org/", SPILL_WRITE_TEXT) || spill_write_page(&b, p, NULL, SPILL_WRITE_DOLMA) ||
        spill_write_clean(&b, &rec, p, 1u << SPILL_LABEL_CONTENT, "text"))
        __builtin_trap();
    spill_buf_free(&b);
    return 0;
}
