/*
 * segment.c - lines.  Input: valid UTF-8 text.  Output: its lines, each with
 * the byte range of its text and where the next one starts; LF, CRLF and a
 * lone CR end a line.  Cutting lines into runs of one script or language is
 * left to script.c and lang.c, which produce `seg`s.
 */
#include <string.h>

#include "internal.h"

spill_status segment_lines(arena *a, const char *text, size_t len, line **lines,
                           size_t *n_lines)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
            n++;
    }
    if (len && text[len - 1] != '\n' && text[len - 1] != '\r')
        n++;
    line *out = arena_alloc(a, (n ? n : 1) * sizeof *out);
    if (!out)
        return SPILL_E_NOMEM;
    size_t k = 0, start = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\n' && text[i] != '\r')
            continue;
        size_t end = i;
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            i++;
        out[k].b0 = (uint32_t)start;
        out[k].b1 = (uint32_t)end;
        out[k].next = (uint32_t)(i + 1);
        k++;
        start = i + 1;
    }
    if (start < len) {
        out[k].b0 = (uint32_t)start;
        out[k].b1 = (uint32_t)len;
        out[k].next = (uint32_t)len;
        k++;
    }
    *lines = out;
    *n_lines = k;
    return SPILL_OK;
}
