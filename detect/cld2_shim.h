/*
 * cld2_shim.h - a plain C face on CLD2's C++ API.
 *
 * CLD2 (Compact Language Detector 2) is C++ with std::vector in its
 * signatures; this header is the only way the rest of spill reaches it, and no
 * CLD2 type crosses it: languages are CLD2's enum values carried as uint16_t,
 * turned into codes by cld2_lang_code().  Every entry point catches every C++
 * exception and reports it as a status.  Thread-safe: CLD2 keeps no mutable
 * state between calls.
 */
#ifndef SPILL_CLD2_SHIM_H
#define SPILL_CLD2_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CLD2's kCLDFlagBestEffort: an answer even for short text. */
#define CLD2_FLAG_BEST_EFFORT 0x4000
/* CLD2's kCLDFlagFinish (compact_lang_det_impl.h): keep the first pass's
 * answer.  Without it CLD2 scores the whole text a second time (restricted
 * to its top 40 languages, repeated words removed) whenever the first
 * answer is unreliable or split between languages - every page with a
 * foreign passage - which costs half again the time of one pass. */
#define CLD2_FLAG_FINISH 0x1

/* The language CLD2 calls UNKNOWN_LANGUAGE. */
#define CLD2_LANG_UNKNOWN 26

enum cld2_status {
    CLD2_OK = 0,
    CLD2_E_TOO_LONG = 1,   /* input longer than CLD2's int length */
    CLD2_E_INVALID = 2,    /* input is not valid UTF-8 (see valid_prefix) */
    CLD2_E_EXCEPTION = 3   /* CLD2 threw; nothing in the result is valid */
};

/* One piece of the input in one language, as CLD2 cut it: byte offset and
 * length in the buffer passed to cld2_detect(). */
typedef struct cld2_chunk {
    uint32_t offset;
    uint32_t bytes;
    uint16_t lang;
} cld2_chunk;

typedef struct cld2_result {
    uint16_t lang3[3];      /* top three languages, CLD2_LANG_UNKNOWN if fewer */
    int percent3[3];        /* their share of the text, 0..100 */
    double norm_score3[3];  /* score relative to normal text; ~1 is normal */
    int text_bytes;         /* letters CLD2 scored */
    int is_reliable;        /* CLD2's own reliability flag */
    int valid_prefix;       /* bytes of valid UTF-8 at the start */
    size_t n_chunks;        /* chunks CLD2 produced (may exceed the capacity) */
} cld2_result;

/* Hints that are not in the text itself; any field may be NULL. */
typedef struct cld2_hints {
    const char *tld;               /* "de" for a .de host */
    const char *content_language;  /* "de,en" from an HTTP header */
} cld2_hints;

/* Detects the languages of `len` bytes of UTF-8 plain text.  `chunks` (may
 * be NULL when `cap` is 0) receives at most `cap` chunks in text order;
 * res->n_chunks says how many there were, so a caller whose array was too
 * small can retry with a larger one.  `flags` are CLD2's detection flags
 * (0, or CLD2_FLAG_* or-ed).  Returns an enum cld2_status. */
int cld2_detect(const char *text, size_t len, const cld2_hints *hints, int flags,
                cld2_result *res, cld2_chunk *chunks, size_t cap);

/* ISO-style code of a CLD2 language ("en", "zh-Hant", "haw", "un"). Never
 * NULL; constant storage. */
const char *cld2_lang_code(uint16_t lang);

/* CLD2's English name of a language ("ENGLISH", "Unknown"). Never NULL;
 * constant storage. */
const char *cld2_lang_name(uint16_t lang);

/* CLD2's version string: "code_version - data_build_date". */
const char *cld2_version(void);

#ifdef __cplusplus
}
#endif
#endif
