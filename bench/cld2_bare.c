/*
 * cld2_bare.c - the reference of the benchmark: bare CLD2, called once per
 * line of every record's text, over the same JSONL spill reads (jansson
 * parses it, as in spill).  Prints each record's id and its lines'
 * languages, so the work cannot be optimised away.
 *
 * usage: cld2_bare [--page] FILE.jsonl > /dev/null
 * --page: once per page, with CLD2's chunk spans (what spill does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cld2_shim.h"

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
    while ((n = getline(&line, &cap, f)) > 0) {
        json_error_t err;
        json_t *obj = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &err);
        json_t *text = json_object_get(obj, "text"), *id = json_object_get(obj, "id");
        if (!json_is_string(text)) {
            json_decref(obj);
            continue;
        }
        const char *t = json_string_value(text);
        size_t len = json_string_length(text);
        fputs(json_is_string(id) ? json_string_value(id) : "-", stdout);
        if (page) {
            static cld2_chunk chunks[1 << 16];
            cld2_result r;
            if (cld2_detect(t, len, NULL, 0, &r, chunks, 1 << 16) == CLD2_OK)
                for (size_t c = 0; c < r.n_chunks && c < (1 << 16); c++)
                    printf(" %s", cld2_lang_code(chunks[c].lang));
            lines++;
            putchar('\n');
            json_decref(obj);
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
        json_decref(obj);
    }
    free(line);
    fprintf(stderr, "cld2_bare: %lu lines\n", lines);
    return 0;
}
