/*
 * lang.c - language identification, CLD2 through cld2_shim.
 *
 * Input: the page's text and its script runs.  Output: the page's language
 * with a confidence, a language per segment, and the language mix.
 *
 * CLD2 runs once over the whole page and returns chunks: byte ranges in one
 * language.  A segment takes the language of the chunks it overlaps most
 * (chunks CLD2 could not call are ignored); a segment that holds the start of
 * a chunk in another language is cut there, at a word start, so a sentence of
 * German inside an English line becomes a segment of its own.  A segment in
 * another script group than the page's is asked of CLD2 alone: a handful of
 * Cyrillic letters in an English page is a chunk CLD2 will not call.  Nothing
 * else asks CLD2 per line, which keeps the cost near one CLD2 pass.
 */
#include <string.h>

#include "cld2_shim.h"
#include "internal.h"

const char *lang_code(uint16_t lang)
{
    const char *c = cld2_lang_code(lang);
    if (!c[0] || !strcmp(c, "un") || !strcmp(c, "xxx") || !strncmp(c, "xx-", 3) ||
        !strncmp(c, "zz", 2))
        return "und";
    if (!strcmp(c, "iw"))
        return "he";
    if (!strcmp(c, "jw"))
        return "jv";
    if (!strcmp(c, "zh-Hant"))
        return "zh";
    if (!strcmp(c, "sr-ME"))
        return "sr";
    return c;
}

const char *lang_name(uint16_t lang, char *buf, size_t cap)
{
    /* CLD2 spells names in capitals ("ENGLISH", "SCOTS_GAELIC"). */
    const char *n = cld2_lang_name(lang);
    size_t i = 0;
    for (; n[i] && i + 1 < cap; i++) {
        char ch = n[i] == '_' ? ' ' : n[i];
        if (ch >= 'A' && ch <= 'Z' && i > 0 && buf[i - 1] != ' ')
            ch = (char)(ch + 32);
        buf[i] = ch;
    }
    buf[i] = 0;
    return buf;
}

static bool known(uint16_t lang)
{
    return strcmp(lang_code(lang), "und") != 0;
}

/* The top-level domain of a URL's host, for CLD2's hint ("de" for
 * "https://www.spiegel.de/x"); NULL if there is none. */
static const char *url_tld(arena *a, const char *url)
{
    if (!url)
        return NULL;
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t n = strcspn(h, "/:?#");
    const char *dot = NULL;
    for (size_t i = 0; i < n; i++)
        if (h[i] == '.')
            dot = h + i;
    if (!dot || (size_t)(h + n - dot - 1) < 2)
        return NULL;
    return arena_strndup(a, dot + 1, (size_t)(h + n - dot - 1));
}

/* The start of the word holding byte p, no earlier than lo. */
static uint32_t word_start(const char *text, uint32_t lo, uint32_t p)
{
    while (p > lo && text[p - 1] != ' ' && text[p - 1] != '\t')
        p--;
    return p;
}

/* The chunk language covering most of [b0, b1), ignoring unknown chunks.
 * Chunks and segments are both in text order, so a cursor walks both. */
static uint16_t majority_lang(const cld2_chunk *ch, size_t n, size_t *cursor, uint32_t b0,
                              uint32_t b1)
{
    while (*cursor < n && ch[*cursor].offset + ch[*cursor].bytes <= b0)
        (*cursor)++;
    enum { SLOTS = 8 };
    uint16_t lang[SLOTS];
    uint32_t bytes[SLOTS];
    int used = 0;
    for (size_t i = *cursor; i < n && ch[i].offset < b1; i++) {
        if (!known(ch[i].lang))
            continue;
        uint32_t lo = ch[i].offset > b0 ? ch[i].offset : b0;
        uint32_t end = ch[i].offset + ch[i].bytes;
        uint32_t hi = end < b1 ? end : b1;
        if (hi <= lo)
            continue;
        int k = 0;
        while (k < used && lang[k] != ch[i].lang)
            k++;
        if (k == used) {
            if (used == SLOTS)
                continue;
            lang[used] = ch[i].lang;
            bytes[used++] = 0;
        }
        bytes[k] += hi - lo;
    }
    uint16_t best = CLD2_LANG_UNKNOWN;
    uint32_t most = 0;
    for (int k = 0; k < used; k++) {
        if (bytes[k] > most) {
            most = bytes[k];
            best = lang[k];
        }
    }
    return best;
}

static size_t letters_in(const char *text, uint32_t b0, uint32_t b1)
{
    size_t n = 0;
    for (uint32_t i = b0; i < b1;) {
        int32_t cp;
        i += (uint32_t)utf8_next(text, i, &cp);
        n += (utf8_class(cp) & CC_LETTER) != 0;
    }
    return n;
}

/* Cuts segments where a chunk of another known language starts inside them. */
static spill_status cut_at_chunks(arena *a, const char *text, script_result *sr,
                                  const cld2_chunk *ch, size_t n_ch)
{
    /* Which chunks start another language than the known chunk before. */
    uint8_t *changes = arena_alloc(a, n_ch + 1);
    if (!changes)
        return SPILL_E_NOMEM;
    size_t extra = 0;
    uint16_t prev = CLD2_LANG_UNKNOWN;
    for (size_t i = 0; i < n_ch; i++) {
        changes[i] = known(ch[i].lang) && known(prev) && ch[i].lang != prev;
        extra += changes[i];
        if (known(ch[i].lang))
            prev = ch[i].lang;
    }
    if (!extra)
        return SPILL_OK;
    seg *out = arena_alloc(a, (sr->n_segs + extra) * sizeof *out);
    if (!out)
        return SPILL_E_NOMEM;
    size_t k = 0, c = 0;
    for (size_t s = 0; s < sr->n_segs; s++) {
        seg cur = sr->segs[s];
        while (c < n_ch && ch[c].offset <= cur.b0)
            c++;
        for (; c < n_ch && ch[c].offset < cur.b1; c++) {
            if (!changes[c])
                continue;
            uint32_t cut = word_start(text, cur.b0, ch[c].offset);
            /* Only a cut that leaves letters on both sides. */
            if (cut <= cur.b0 || cut >= cur.b1 || letters_in(text, cur.b0, cut) < 2 ||
                letters_in(text, cut, cur.b1) < 2)
                continue;
            seg left = cur;
            left.b1 = cut;
            left.flags &= (uint8_t)~SEG_LINE_END;
            left.letters = (uint32_t)letters_in(text, left.b0, left.b1);
            out[k++] = left;
            cur.b0 = cut;
            cur.flags &= (uint8_t)~SEG_LINE_START;
            cur.letters -= left.letters;
        }
        out[k++] = cur;
    }
    sr->segs = out;
    sr->n_segs = k;
    return SPILL_OK;
}

/* Bytes of a character CLD2's "interchange-valid" check refuses at s[i]:
 * C0 controls but TAB/LF/CR, DEL, C1 controls, noncharacters; 0 if fine. */
static size_t refused_len(const unsigned char *s, size_t i, size_t len)
{
    unsigned char c = s[i];
    if (c < 0x20)
        return c == '\t' || c == '\n' || c == '\r' ? 0 : 1;
    if (c == 0x7F)
        return 1;
    if (c == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
        return 2;
    if (c == 0xEF && i + 2 < len) {
        if (s[i + 1] == 0xB7 && s[i + 2] >= 0x90 && s[i + 2] <= 0xAF)
            return 3;  /* U+FDD0..U+FDEF */
        if (s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF))
            return 3;  /* U+FFFE, U+FFFF */
    }
    if (c >= 0xF0 && i + 3 < len && (s[i + 1] & 0x0F) == 0x0F && s[i + 2] == 0xBF &&
        (s[i + 3] == 0xBE || s[i + 3] == 0xBF))
        return 4;  /* U+nFFFE, U+nFFFF */
    return 0;
}

/* The text as CLD2 will take it: the same bytes, or a copy of the same
 * length with refused characters blanked, so offsets stay valid. */
static const char *cld2_view(arena *a, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    char *copy = NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7F)
            continue;
        size_t n = refused_len(s, i, len);
        if (!n)
            continue;
        if (!copy) {
            copy = arena_alloc(a, len + 1);
            if (!copy)
                return NULL;
            memcpy(copy, text, len);
            copy[len] = 0;
        }
        memset(copy + i, ' ', n);
        i += n - 1;
    }
    return copy ? copy : text;
}

static spill_status mix_add(arena *a, lang_result *out, size_t *cap, uint16_t lang, size_t n)
{
    for (size_t i = 0; i < out->n_mix; i++) {
        if (out->mix[i].lang == lang) {
            out->mix[i].letters += n;
            return SPILL_OK;
        }
    }
    if (out->n_mix == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        lang_share *v = arena_grow(a, out->mix, out->n_mix, c, sizeof *v);
        if (!v)
            return SPILL_E_NOMEM;
        out->mix = v;
        *cap = c;
    }
    out->mix[out->n_mix].lang = lang;
    out->mix[out->n_mix].letters = n;
    out->n_mix++;
    return SPILL_OK;
}

spill_status lang_identify(arena *a, const char *text, size_t len, const spill_hints *hints,
                           script_result *sr, lang_result *out)
{
    memset(out, 0, sizeof *out);
    out->lang = CLD2_LANG_UNKNOWN;
    cld2_hints h = {0};
    if (hints) {
        h.tld = url_tld(a, hints->url);
        h.content_language = hints->content_language;
    }
    size_t cap = len / 32 + 64;
    cld2_chunk *ch = arena_alloc(a, cap * sizeof *ch);
    if (!ch)
        return SPILL_E_NOMEM;
    const char *view = cld2_view(a, text, len);
    if (!view)
        return SPILL_E_NOMEM;
    cld2_result r;
    int st = cld2_detect(view, len, &h, 0, &r, ch, cap);
    if (st == CLD2_OK && r.n_chunks > cap) {
        cap = r.n_chunks;
        ch = arena_alloc(a, cap * sizeof *ch);
        if (!ch)
            return SPILL_E_NOMEM;
        st = cld2_detect(view, len, &h, 0, &r, ch, cap);
    }
    if (st == CLD2_E_INVALID) {
        /* A character CLD2 refuses that cld2_view missed: no language,
         * rather than no annotation. */
        memset(&r, 0, sizeof r);
        r.lang3[0] = CLD2_LANG_UNKNOWN;
    } else if (st != CLD2_OK) {
        return st == CLD2_E_TOO_LONG ? SPILL_E_TOO_LARGE : SPILL_E_INTERNAL;
    }
    size_t n_ch = r.n_chunks < cap ? r.n_chunks : cap;

    out->lang = r.lang3[0];
    out->reliable = r.is_reliable;
    if (known(out->lang))
        out->conf = r.percent3[0] / 100.0 * (r.is_reliable ? 1.0 : 0.5);

    spill_status s = cut_at_chunks(a, text, sr, ch, n_ch);
    if (s)
        return s;

    int32_t page_group = script_group(sr->main_script);
    size_t cursor = 0, mix_cap = 0;
    for (size_t i = 0; i < sr->n_segs; i++) {
        seg *g = &sr->segs[i];
        g->lang = majority_lang(ch, n_ch, &cursor, g->b0, g->b1);
        g->lang_reliable = known(g->lang) && r.is_reliable;
        if (g->script >= 0 && script_group(g->script) != page_group) {
            cld2_result rr;
            if (cld2_detect(view + g->b0, g->b1 - g->b0, NULL, CLD2_FLAG_BEST_EFFORT, &rr, NULL, 0) ==
                    CLD2_OK &&
                known(rr.lang3[0])) {
                g->lang = rr.lang3[0];
                g->lang_reliable = (uint8_t)rr.is_reliable;
            }
        }
        if (!known(g->lang) && g->letters && script_group(g->script) == page_group)
            g->lang = out->lang;  /* too short for CLD2, in the page's script */
        if (g->letters) {
            s = mix_add(a, out, &mix_cap, known(g->lang) ? g->lang : CLD2_LANG_UNKNOWN,
                        g->letters);
            if (s)
                return s;
        }
    }
    for (size_t x = 1; x < out->n_mix; x++) {
        lang_share t = out->mix[x];
        size_t y = x;
        while (y > 0 && out->mix[y - 1].letters < t.letters) {
            out->mix[y] = out->mix[y - 1];
            y--;
        }
        out->mix[y] = t;
    }
    return SPILL_OK;
}
