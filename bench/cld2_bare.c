/*
 * cld2_bare.c - the reference of the benchmark: bare CLD2, called once per
 * line of every record's text, over the same JSONL spill reads (parsed by
 * the same fast parser as spill's, detect/json_shim.h).  Prints each record's id and its lines'
 * languages, so the work cannot be optimised away.
 *
 * usage: cld2_bare [--page] FILE.jsonl > /dev/null
 * --page: once per page, with CLD2's chunk spans and one pass
 * (CLD2_FLAG_FINISH), as spill calls it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cld2_shim.h"
#include "json_shim.h"

int main(int argc, char **argv)
{
    int page = argc > 1 && !strcmp(argv[1], "--page");
    if (page) {
        argv++;
        argc--;
    }
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lines = 0;
    json_fast *j = json_fast_new();
    if (!j)
        return 2;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (!json_fast_parse(j, line, (size_t)n))
            continue;
        json_fast_value text = json_fast_get(j, "text"), id = json_fast_get(j, "id");
        if (text.kind != JSON_FAST_STRING)
            continue;
        const char *t = text.s;
        size_t len = text.len;
        if (id.kind == JSON_FAST_STRING)
            fwrite(id.s, 1, id.len, stdout);
        else
            fputs("-", stdout);
        if (page) {
            static cld2_chunk chunks[1 << 16];
            cld2_result r;
            if (cld2_detect(t, len, NULL, CLD2_FLAG_FINISH, &r, chunks, 1 << 16) == CLD2_OK)
                for (size_t c = 0; c < r.n_chunks && c < (1 << 16); c++)
                    printf(" %s", cld2_lang_code(chunks[c].lang));
            lines++;
            putchar('\n');
            continue;
        }
        for (size_t i = 0; i < len;) {
            const char *nl = memchr(t + i, '\n', len - i);
            size_t end = nl ? (size_t)(nl - t) : len;
            cld2_result r;
            if (end > i && cld2_detect(t + i, end - i, NULL, 0, &r, NULL, 0) == CLD2_OK) {
                putchar(' ');
                fputs(cld2_lang_code(r.lang3[0]), stdout);
            }
            lines++;
            i = end + 1;
        }
        putchar('\n');
    }
    json_fast_free(j);
    free(line);
    fprintf(stderr, "cld2_bare: %lu lines\n", lines);
    return 0;
}
