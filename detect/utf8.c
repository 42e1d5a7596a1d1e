/*
 * utf8.c - UTF-8 validation and repair, and character classes.
 *
 * Input: raw bytes of a record's text.  Output: valid UTF-8 in which every
 * maximal ill-formed subsequence (Unicode 15, section 3.9, "U+FFFD
 * Substitution of Maximal Subparts") became U+FFFD - what Python's
 * bytes.decode("utf-8", errors="replace") does, so code point offsets agree
 * with Python's str slicing of the repaired text.  Valid input is passed
 * through without a copy.  Character classes come from utf8proc's tables.
 * Nothing here knows about lines or languages.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"

/* Length of the well-formed sequence at s[i] (1..4), or 0 if ill-formed;
 * on 0, *bad is the length of its maximal subpart (>= 1). */
static size_t seq_len(const unsigned char *s, size_t i, size_t len, size_t *bad)
{
    unsigned char c = s[i];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;  /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c < 0xC2 || c > 0xF4) {
        *bad = 1;
        return 0;
    }
    if (c < 0xE0) {
        need = 2;
    } else if (c < 0xF0) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;  /* no surrogates */
    } else {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;  /* nothing above U+10FFFF */
    }
    size_t k = 1;
    for (; k < need; k++) {
        if (i + k >= len)
            break;
        unsigned char d = s[i + k];
        unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (d < l || d > h)
            break;
    }
    if (k == need)
        return need;
    *bad = k;
    return 0;
}

size_t utf8_valid_prefix(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII runs eight bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t bad;
        size_t n = seq_len(s, i, len, &bad);
        if (!n)
            return i;
        i += n;
    }
    return len;
}

spill_status utf8_repair(arena *a, const char *in, size_t len, const char **out,
                         size_t *out_len, size_t *invalid)
{
    size_t i = utf8_valid_prefix(in, len);
    *invalid = 0;
    if (i == len) {
        *out = in;
        *out_len = len;
        return SPILL_OK;
    }
    /* Each replaced byte grows by at most 2 (1 byte -> 3 bytes of U+FFFD). */
    if (len > (SIZE_MAX - 1) / 3)
        return SPILL_E_TOO_LARGE;
    char *buf = arena_alloc(a, len * 3 + 1);
    if (!buf)
        return SPILL_E_NOMEM;
    const unsigned char *s = (const unsigned char *)in;
    memcpy(buf, in, i);
    size_t o = i;
    while (i < len) {
        size_t bad = 0;
        size_t n = seq_len(s, i, len, &bad);
        if (n) {
            memcpy(buf + o, in + i, n);
            o += n;
            i += n;
        } else {
            memcpy(buf + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += bad;
            *invalid += bad;
        }
    }
    buf[o] = 0;
    *out = buf;
    *out_len = o;
    return SPILL_OK;
}

size_t utf8_count(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (s[i] & 0xC0) != 0x80;
    return n;
}

size_t utf8_encode_slow(int32_t cp, char *buf)
{
    utf8proc_ssize_t n = utf8proc_encode_char(cp, (utf8proc_uint8_t *)buf);
    return n > 0 ? (size_t)n : 0;
}

static unsigned class_of_category(int cat, int32_t cp)
{
    switch (cat) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
        return CC_LETTER | CC_UPPER;
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return CC_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return CC_MARK;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return CC_DIGIT;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        return CC_PUNCT;
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
        return CC_SYMBOL;
    case UTF8PROC_CATEGORY_SO:
        return cp == 0xFFFD ? CC_CONTROL : CC_SYMBOL;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
        return CC_SPACE;
    case UTF8PROC_CATEGORY_CC:
        if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85)
            return CC_SPACE;
        return CC_CONTROL;
    default:
        return CC_OTHER;
    }
}

/* Classes of ASCII, by code (the table internal.h's inline fast path uses). */
const unsigned char utf8_ascii_class[128] = {
#define C CC_CONTROL
#define S CC_SPACE
#define P CC_PUNCT
#define Y CC_SYMBOL
#define D CC_DIGIT
#define U (CC_LETTER | CC_UPPER)
#define L CC_LETTER
    C, C, C, C, C, C, C, C, C, S, S, S, S, S, C, C, /* 0x00 */
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0x10 */
    S, P, P, P, Y, P, P, P, P, P, P, Y, P, P, P, P, /* ' '..'/' */
    D, D, D, D, D, D, D, D, D, D, P, P, Y, Y, Y, P, /* '0'..'?' */
    P, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* '@'..'O' */
    U, U, U, U, U, U, U, U, U, U, U, P, P, P, Y, P, /* 'P'..'_' */
    Y, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* '`'..'o' */
    L, L, L, L, L, L, L, L, L, L, L, P, Y, P, Y, C, /* 'p'..DEL */
#undef C
#undef S
#undef P
#undef Y
#undef D
#undef U
#undef L
};

/* The classes, casedness and lower-case mappings of the Basic Multilingual
 * Plane, filled from utf8proc once per process, at the first code point
 * above ASCII (256 KiB, 9.5 M instructions: callgrind): utf8proc's
 * two-level lookups and the switch above cost 5% of a run on multilingual
 * text.  A lower-case mapping farther than an int16_t reaches (U+A7AE to
 * U+026A) is marked BMP_FAR and looked up in utf8proc. */
#define BMP_CASED 0x8000u  /* beside the CC_ bits in bmp_class */
static uint16_t bmp_class[0x10000];
static int16_t bmp_lower[0x10000];  /* lower(cp) - cp, or BMP_FAR */
#define BMP_FAR INT16_MIN
static pthread_once_t bmp_once = PTHREAD_ONCE_INIT;
static atomic_bool bmp_ready;  /* the tables are filled: skip pthread_once */

static bool cased_slow(int32_t cp)
{
    return utf8proc_tolower(cp) != cp || utf8proc_toupper(cp) != cp;
}

static void bmp_fill(void)
{
    for (int32_t cp = 0; cp < 0x10000; cp++) {
        bmp_class[cp] = (uint16_t)(class_of_category(utf8proc_category(cp), cp) |
                                   (cased_slow(cp) ? BMP_CASED : 0));
        int32_t d = utf8proc_tolower(cp) - cp;
        bmp_lower[cp] = d > INT16_MIN && d <= INT16_MAX ? (int16_t)d : BMP_FAR;
    }
    atomic_store_explicit(&bmp_ready, true, memory_order_release);
}

static inline void bmp_tables(void)
{
    if (!atomic_load_explicit(&bmp_ready, memory_order_acquire))
        pthread_once(&bmp_once, bmp_fill);
}

unsigned utf8_class_slow(int32_t cp)
{
    if (cp >= 0 && cp < 0x10000) {
        bmp_tables();
        return bmp_class[cp] & ~BMP_CASED;
    }
    return class_of_category(utf8proc_category(cp), cp);
}

bool utf8_is_cased(int32_t cp)
{
    if (cp < 128)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    if (cp < 0x10000) {
        bmp_tables();
        return bmp_class[cp] & BMP_CASED;
    }
    return cased_slow(cp);
}

int32_t utf8_lower_slow(int32_t cp)
{
    if (cp >= 0 && cp < 0x10000) {
        bmp_tables();
        if (bmp_lower[cp] != BMP_FAR)
            return cp + bmp_lower[cp];
    }
    return utf8proc_tolower(cp);
}
