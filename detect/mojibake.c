/*
 * mojibake.c - text that is UTF-8 read through a legacy code page.
 *
 * "Ð’Ð¾Ð»Ñ" is "Воля" whose UTF-8 bytes were decoded as cp1252; "Ã¼" is
 * "ü" the same way, "Р°" is "а" through cp1251.  Such text is found the way
 * it was made, backwards: each character is mapped back to its byte in the
 * code page, and runs of those bytes that form whole, well-formed UTF-8
 * sequences of two to four bytes are the mojibake.  Ordinary text seldom
 * does this: in cp1252 a lead byte is an accented capital and a continuation
 * a symbol or punctuation mark; in cp1251 a lead byte is a capital (or, for
 * three-byte forms, a lower-case letter) and most continuations are
 * punctuation or letters of other Cyrillic alphabets.
 *
 * The code pages' byte maps come from ICU's converters, built once.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <unicode/ucnv.h>

#include "internal.h"

/* The code pages, as ICU names them, and as the reasons name them. */
static const char *const CODEC_ICU[MOJIBAKE_CODECS] = {"windows-1252", "windows-1251", "KOI8-R"};
static const char *const CODEC_NAME[MOJIBAKE_CODECS] = {"cp1252", "cp1251", "KOI8-R"};

/* Every character of these code pages' upper halves lies in one of two
 * ranges; its bytes in the code pages, 0 where it has none. */
#define LOW0 0x80
#define LOW1 0x500
#define HIGH0 0x2000
#define HIGH1 0x2600
typedef uint8_t bytes[MOJIBAKE_CODECS];
static bytes low_map[LOW1 - LOW0], high_map[HIGH1 - HIGH0];
static const bytes no_bytes;
static pthread_once_t maps_once = PTHREAD_ONCE_INIT;

static void set_byte(int c, UChar cp, uint8_t b)
{
    if (cp >= LOW0 && cp < LOW1 && !low_map[cp - LOW0][c])
        low_map[cp - LOW0][c] = b;
    else if (cp >= HIGH0 && cp < HIGH1 && !high_map[cp - HIGH0][c])
        high_map[cp - HIGH0][c] = b;
}

static void build_maps(void)
{
    for (int c = 0; c < MOJIBAKE_CODECS; c++) {
        UErrorCode err = U_ZERO_ERROR;
        UConverter *cnv = ucnv_open(CODEC_ICU[c], &err);
        if (U_FAILURE(err))
            continue;  /* no ICU data for it: that code page finds nothing */
        for (int b = 0x80; b <= 0xFF; b++) {
            char in = (char)b;
            UChar out[4];
            err = U_ZERO_ERROR;
            int32_t n = ucnv_toUChars(cnv, out, 4, &in, 1, &err);
            if (U_SUCCESS(err) && n == 1 && out[0] != 0xFFFD && out[0] != 0x1A)
                set_byte(c, out[0], (uint8_t)b);
        }
        ucnv_close(cnv);
    }
    /* A decoder that fills cp1252's five holes, and Latin-1, leave bytes
     * 0x80-0x9F as C1 controls: those map back to themselves. */
    for (int b = 0x80; b <= 0xFF; b++)
        set_byte(0, (UChar)b, (uint8_t)b);
}

/* The bytes of non-ASCII cp in each code page. */
static const uint8_t *bytes_of(int32_t cp)
{
    if (cp < LOW1)
        return low_map[cp - LOW0];
    if (cp >= HIGH0 && cp < HIGH1)
        return high_map[cp - HIGH0];
    return no_bytes;
}

/* Well-formed UTF-8 (Unicode's table 3-7): the continuation bytes a lead
 * needs, and the range its first continuation must fall in. */
static int lead_needs(int b, int *lo, int *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF)
        return 1;
    if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0)
            *lo = 0xA0;
        else if (b == 0xED)
            *hi = 0x9F;
        return 2;
    }
    if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0)
            *lo = 0x90;
        else if (b == 0xF4)
            *hi = 0x8F;
        return 3;
    }
    return 0;
}

/* The scan under one code page: characters found so far; the sequence
 * under way (its characters, the continuations it still needs and the
 * range the next must fall in); whether a found one held a non-letter. */
typedef struct scan {
    size_t found, run;
    int need, lo, hi;
    bool run_odd, odd;
} scan;

/* Feeds character cp, byte b of the code page (-1: none). */
static void step(scan *st, int b, int32_t cp)
{
    if (st->need) {
        if (b >= st->lo && b <= st->hi) {
            st->run++;
            st->run_odd |= !(utf8_class(cp) & CC_LETTER);
            st->lo = 0x80;
            st->hi = 0xBF;
            if (--st->need == 0) {
                st->found += st->run;
                st->odd |= st->run_odd;
            }
            return;
        }
        st->need = 0;  /* cut short: b may start a sequence of its own */
    }
    if (b >= 0xC2 && (st->need = lead_needs(b, &st->lo, &st->hi)) != 0) {
        st->run = 1;
        st->run_odd = false;
    }
}

size_t mojibake_chars(const char *s, size_t n, int *codec)
{
    *codec = -1;
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    if (i == n)
        return 0;  /* ASCII survives every such round trip */
    pthread_once(&maps_once, build_maps);
    scan st[MOJIBAKE_CODECS] = {{0}};
    while (i < n) {
        int32_t cp;
        i += utf8_next(s, i, &cp);
        if (cp < 0x80) {  /* ASCII ends every sequence under way */
            for (int c = 0; c < MOJIBAKE_CODECS; c++)
                st[c].need = 0;
            continue;
        }
        const uint8_t *b = bytes_of(cp);
        for (int c = 0; c < MOJIBAKE_CODECS; c++)
            if (b[c] || st[c].need)
                step(&st[c], b[c] ? b[c] : -1, cp);
    }
    size_t best = 0;
    for (int c = 0; c < MOJIBAKE_CODECS; c++)
        if (st[c].odd && st[c].found > best) {
            best = st[c].found;
            *codec = c;
        }
    return best;
}

const char *mojibake_codec_name(int codec)
{
    return codec >= 0 && codec < MOJIBAKE_CODECS ? CODEC_NAME[codec] : "";
}
