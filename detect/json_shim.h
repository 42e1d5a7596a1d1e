/*
 * json_shim.h - a fast reader of one JSON text, in plain C, over simdjson's
 * C++ API (json_shim.cc, the library's second C++ file, for the same reason
 * as cld2_shim.cc: the library it wraps has no C API).
 *
 * read.c parses JSONL records with it when it needs only a few fields of a
 * record (score, report, gate, sketch, the first pass over a batch): it
 * checks the whole text well-formed, as jansson does, at a fraction of
 * jansson's cost.  Whatever it will not take - a text it refuses, a top
 * level that is no object - read.c hands to jansson, whose message the user
 * then sees.  No simdjson type crosses this header; nothing throws.
 */
#ifndef SPILL_JSON_SHIM_H
#define SPILL_JSON_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct json_fast json_fast;

/* simdjson's version ("3.0.1"); constant storage. */
const char *json_fast_version(void);

/* A parser; NULL when out of memory.  One per thread: it keeps the last
 * text's values. */
json_fast *json_fast_new(void);
void json_fast_free(json_fast *j);

/* Parses s[0, len): true when it is well-formed JSON (UTF-8, nesting within
 * simdjson's limit) whose top level is an object, and that jansson would
 * take too (no integer beyond int64_t, no NUL in a key).  The values of the
 * previous parse are invalid afterwards. */
bool json_fast_parse(json_fast *j, const char *s, size_t len);

enum json_fast_kind {
    JSON_FAST_MISSING = 0,
    JSON_FAST_STRING,
    JSON_FAST_INT,       /* fits int64_t */
    JSON_FAST_REAL,
    JSON_FAST_ARRAY,
    JSON_FAST_OBJECT,
    JSON_FAST_OTHER      /* true, false, null, an integer beyond int64_t */
};

typedef struct json_fast_value {
    int kind;            /* enum json_fast_kind */
    const char *s;       /* JSON_FAST_STRING: the unescaped bytes, valid until
                            the next parse; may hold NUL */
    size_t len;
    int64_t i;           /* JSON_FAST_INT */
    double d;            /* JSON_FAST_REAL */
} json_fast_value;

/* The value at a dotted path ("meta.url") of the last parsed object, found
 * as read.c finds it with jansson: at each level the whole rest of the path
 * as one key first (a key may hold dots), then its first part; of
 * duplicate keys, the last (jansson keeps the last). */
json_fast_value json_fast_get(const json_fast *j, const char *path);

#ifdef __cplusplus
}
#endif
#endif
