/*
 * segment.c - lines.  Input: valid UTF-8 text.  Output: its lines, each with
 * the byte range of its text and where the next one starts; LF, CRLF and a
 * lone CR end a line.  Cutting lines into runs of one script or language is
 * left to script.c and lang.c, which produce `seg`s.
 */
#include <string.h>

#include "internal.h"

/* Where the line starting at `at` ends (its terminator, or len), and where
 * the next starts.  `has_cr`: whether the text holds a CR at all; most do
 * not, and then memchr finds line ends at memory speed. */
static size_t line_end(const char *text, size_t len, size_t at, bool has_cr, size_t *next)
{
    size_t end;
    if (!has_cr) {
        const char *nl = memchr(text + at, '\n', len - at);
        end = nl ? (size_t)(nl - text) : len;
        *next = nl ? end + 1 : len;
        return end;
    }
    end = at;
    while (end < len && text[end] != '\n' && text[end] != '\r')
        end++;
    *next = end < len ? end + 1 + (text[end] == '\r' && end + 1 < len && text[end + 1] == '\n')
                      : len;
    return end;
}

spill_status segment_lines(arena *a, const char *text, size_t len, line **lines,
                           size_t *n_lines)
{
    bool has_cr = len && memchr(text, '\r', len) != NULL;
    size_t n = 0;
    for (size_t at = 0, next; at < len; at = next) {
        line_end(text, len, at, has_cr, &next);
        n++;
    }
    line *out = arena_alloc(a, (n ? n : 1) * sizeof *out);
    if (!out)
        return SPILL_E_NOMEM;
    size_t k = 0;
    for (size_t at = 0, next; at < len; at = next) {
        size_t end = line_end(text, len, at, has_cr, &next);
        out[k].b0 = (uint32_t)at;
        out[k].b1 = (uint32_t)end;
        out[k].next = (uint32_t)next;
        k++;
    }
    *lines = out;
    *n_lines = k;
    return SPILL_OK;
}
