// cld2_shim.cc - the library's only C++ file: the implementation of
// cld2_shim.h.  It always calls the UTF-8-checking entry point in plain-text
// mode with no debug flags, and never lets an exception out.

#include "cld2_shim.h"

#include <climits>
#include <cstdio>  // compact_lang_det.h uses FILE without including it
#include <cstring>
#include <exception>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

static_assert(CLD2::UNKNOWN_LANGUAGE == CLD2_LANG_UNKNOWN, "CLD2 enum changed");

extern "C" int cld2_detect(const char *text, size_t len, const cld2_hints *hints, int flags,
                           cld2_result *res, cld2_chunk *chunks, size_t cap)
{
    std::memset(res, 0, sizeof *res);
    for (int i = 0; i < 3; i++)
        res->lang3[i] = CLD2_LANG_UNKNOWN;
    if (len > (size_t)INT_MAX)
        return CLD2_E_TOO_LONG;
    try {
        CLD2::CLDHints h = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
        if (hints) {
            h.content_language_hint = hints->content_language;
            h.tld_hint = hints->tld;
        }
        CLD2::Language lang3[3];
        int percent3[3];
        double norm3[3];
        int text_bytes = 0, valid = 0;
        bool reliable = false;
        CLD2::ResultChunkVector vec;
        CLD2::ExtDetectLanguageSummaryCheckUTF8(text, (int)len, true, &h, flags, lang3,
                                                percent3, norm3, chunks ? &vec : nullptr,
                                                &text_bytes, &reliable, &valid);
        for (int i = 0; i < 3; i++) {
            res->lang3[i] = (uint16_t)lang3[i];
            res->percent3[i] = percent3[i];
            res->norm_score3[i] = norm3[i];
        }
        res->text_bytes = text_bytes;
        res->is_reliable = reliable;
        res->valid_prefix = valid;
        res->n_chunks = vec.size();
        for (size_t i = 0; i < vec.size() && i < cap; i++) {
            chunks[i].offset = (uint32_t)vec[i].offset;
            chunks[i].bytes = (uint32_t)vec[i].bytes;
            chunks[i].lang = vec[i].lang1;
        }
        if ((size_t)valid < len)
            return CLD2_E_INVALID;
        return CLD2_OK;
    } catch (...) {
        return CLD2_E_EXCEPTION;
    }
}

extern "C" const char *cld2_lang_code(uint16_t lang)
{
    try {
        const char *code = CLD2::LanguageCode(static_cast<CLD2::Language>(lang));
        return code ? code : "un";
    } catch (...) {
        return "un";
    }
}

extern "C" const char *cld2_lang_name(uint16_t lang)
{
    try {
        const char *name = CLD2::LanguageName(static_cast<CLD2::Language>(lang));
        return name ? name : "Unknown";
    } catch (...) {
        return "Unknown";
    }
}

extern "C" const char *cld2_version(void)
{
    try {
        const char *v = CLD2::DetectLanguageVersion();
        return v ? v : "unknown";
    } catch (...) {
        return "unknown";
    }
}
