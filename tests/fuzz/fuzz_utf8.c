/* Fuzz target: UTF-8 repair.  The output is valid, repairing it again
 * changes nothing, valid input passes through untouched, and the count of
 * replaced bytes never exceeds the input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena a;
    arena_init(&a, NULL, 0);
    const char *out, *again;
    size_t n, n2, bad, bad2;
    if (utf8_repair(&a, (const char *)data, size, &out, &n, &bad) == SPILL_OK) {
        if (utf8_valid_prefix(out, n) != n || bad > size)
            __builtin_trap();
        if (utf8_repair(&a, out, n, &again, &n2, &bad2) != SPILL_OK || again != out || bad2)
            __builtin_trap();
        if (!bad && (n != size || memcmp(out, data, size)))
            __builtin_trap();
        size_t cps = utf8_count(out, n);
        for (size_t i = 0; i < n;) {
            int32_t cp;
            i += utf8_next(out, i, &cp);
            (void)utf8_class(cp);
            cps--;
        }
        if (cps)
            __builtin_trap();
    }
    arena_destroy(&a);
    return 0;
}
