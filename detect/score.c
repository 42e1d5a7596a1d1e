/*
 * score.c - from probabilities to the page's annotation.
 *
 * Input: per-segment probabilities (classify.c), features and line
 * repetition (features.c).  Output: page_work.page - spans tiling the text,
 * each with a label, its probability, language and the evidence in words;
 * counts per label; the language and script mix; and the page score, the
 * share of non-space characters in content weighted by the classifier's
 * confidence.
 *
 * Each segment takes its most probable label.  Then repeats: lines with the
 * same normalised text (at least DUP_MIN letters and digits), each within
 * DUP_NEAR lines of the copy before, form a chain; its first copy labelled
 * content keeps its label and the others become `duplicate` ("same as line
 * N"); where no copy is content, the first keeps its label.
 * training/labels.py applies the same rule to gold labels.  White space
 * between segments joins the span before it, and neighbouring spans with
 * the same label and reason merge.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <unicode/uscript.h>

#include "internal.h"

#define DUP_MIN 12  /* bytes of case-folded words: a repeat worth the name */
/* A copy with at most this many non-blank lines between it and the copy
 * before is redundant (a title printed twice, a block of up to three lines
 * pasted again right after itself).  Farther repeats are the classifier's
 * to judge: the gold of real pages keeps a far repeat of a main line as
 * main nine times in ten (a table of contents and its headings, a date
 * above every post, a quoted sentence). */
#define DUP_NEAR 2

/* Kept feature k (enum kept_feature) of segment s. */
static float feat(const page_work *w, size_t s, int k)
{
    return w->kept[s * KEPT_COUNT + (size_t)(k - 1)];
}

/* Where each line's segments start: first[line] .. first[line + 1]. */
static size_t *line_first_seg(page_work *w)
{
    size_t *first = arena_alloc(w->a, (w->n_lines + 1) * sizeof *first);
    if (!first)
        return NULL;
    size_t s = 0;
    for (size_t l = 0; l <= w->n_lines; l++) {
        while (s < w->scripts.n_segs && w->scripts.segs[s].line < l)
            s++;
        first[l] = s;
    }
    return first;
}

/* Each segment's label.  A foreign artefact is judged on its own evidence:
 * a segment is foreign when the foreign model gives it p >= 1/2 - it need
 * not beat the label of the line it sits in.  The other segments of a line share one
 * label, the most probable under their pooled (size-weighted) distribution:
 * a line is one piece of chrome, article or teaser, whatever scripts run
 * through it.  A line of which at least UNREADABLE of the non-space
 * characters are U+FFFD (bytes that were not UTF-8) or C0 control
 * characters is garbage whatever the model says: no text in any language
 * holds them (the labelled pages hold none).  C1 controls are left to the
 * model: cp1252 punctuation read as Latin-1 puts them into good text.  So
 * is a line of which MOJIBAKE_SHARE of the non-space characters, and at
 * least MOJIBAKE_MIN, are UTF-8 read through a legacy code page
 * (mojibake.c): a stray "Ã©" in a sentence is left to the model. */
#define UNREADABLE 0.05
#define MOJIBAKE_SHARE 0.1
#define MOJIBAKE_MIN 6
#define SYMBOL_RUN 5  /* non-space characters, as training/labels.py's */

/* U+FFFD (*fffd) and C0 controls and DEL (*ctl) in line l; tab, VT, FF
 * and line ends are spaces, not counted. */
static void unreadable(const page_work *w, size_t l, size_t *fffd, size_t *ctl)
{
    const unsigned char *t = (const unsigned char *)w->text;
    uint32_t b1 = w->lines[l].b1;
    *fffd = *ctl = 0;
    for (uint32_t i = w->lines[l].b0; i < b1; i++) {
        if ((t[i] < 0x20 && !(utf8_ascii_class[t[i]] & CC_SPACE)) || t[i] == 0x7F)
            ++*ctl;
        else if (t[i] == 0xEF && i + 2 < b1 && t[i + 1] == 0xBF && t[i + 2] == 0xBD)
            ++*fffd;
    }
}

/* Whether line l is garbage by those rules; *why: the reason (NULL when
 * out of memory: why_garbage tells one then). */
static bool unreadable_line(page_work *w, size_t l, const size_t *first, const char **why)
{
    *why = NULL;
    if (first[l] == first[l + 1])
        return false;
    double cp = w->li[l].cp;
    if (feat(w, first[l], KEPT_CONTROLS) > 0) {
        size_t fffd, ctl;
        unreadable(w, l, &fffd, &ctl);
        if ((double)(fffd + ctl) >= UNREADABLE * cp) {
            *why = arena_printf(w->a, "%s: %zu of %.0f characters",
                                fffd >= ctl ? "bytes that were not UTF-8 (U+FFFD)"
                                            : "control characters",
                                fffd + ctl, cp);
            return true;
        }
    }
    int codec;
    size_t n = mojibake_chars(w->text + w->lines[l].b0, w->lines[l].b1 - w->lines[l].b0, &codec);
    if (n < MOJIBAKE_MIN || (double)n < MOJIBAKE_SHARE * cp)
        return false;
    *why = arena_printf(w->a, "mojibake: UTF-8 read as %s", mojibake_codec_name(codec));
    return true;
}

/* The class of an ASCII byte (CC_*), 0 for a byte above ASCII. */
static unsigned ascii_class(char c)
{
    unsigned char b = (unsigned char)c;
    return b < 0x80 ? utf8_ascii_class[b] : 0;
}

/* A byte that parts tokens: ASCII spacing or '|'. */
static bool token_end(char c)
{
    return c == '|' || (ascii_class(c) & CC_SPACE);
}

/* Whether text[b0, b1) is an address: a URL ("://", "www."), an e-mail
 * address, or HTML entities ("&nbsp;", "&#160;").  Surrounding punctuation
 * is not part of it. */
static bool is_address(const char *t, size_t b0, size_t b1)
{
    static const char TRIM[] = "()[]<>{}\"',;:.!?";
    while (b0 < b1 && strchr(TRIM, t[b0]))
        b0++;
    while (b1 > b0 && strchr(TRIM, t[b1 - 1]))
        b1--;
    size_t n = b1 - b0;
    const char *s = t + b0;
    if (n == 0)
        return false;
    if (memmem(s, n, "://", 3) || (n > 4 && !strncasecmp(s, "www.", 4)))
        return true;
    const char *at = memchr(s, '@', n);
    if (at && at > s && memchr(at, '.', n - (size_t)(at - s)))
        return true;
    /* One or more entities, each '&', a name or '#' and digits, maybe ';'. */
    size_t i = 0;
    while (i < n && s[i] == '&') {
        size_t j = i + 1;
        if (j < n && s[j] == '#')
            while (++j < n && (ascii_class(s[j]) & CC_DIGIT))
                ;
        else
            while (j < n && (ascii_class(s[j]) & CC_LETTER))
                j++;
        if (j - i < 3)
            return false;
        i = j < n && s[j] == ';' ? j + 1 : j;
    }
    return i == n;
}

/* Whether segment s holds addresses and nothing else but punctuation
 * (tokens apart by spaces or '|'): Latin letters in a page of another
 * script, but no language's words - not foreign. */
static bool address_only(const page_work *w, size_t s)
{
    const char *t = w->text;
    size_t b0 = w->scripts.segs[s].b0, b1 = w->scripts.segs[s].b1;
    bool any = false;
    for (size_t i = b0; i < b1;) {
        while (i < b1 && token_end(t[i]))
            i++;
        size_t j = i;
        while (j < b1 && !token_end(t[j]))
            j++;
        if (j > i) {
            bool letters = false;
            for (size_t k = i; k < j && !letters; k++)
                letters = (unsigned char)t[k] >= 0x80 ||
                          (ascii_class(t[k]) & (CC_LETTER | CC_DIGIT));
            if (is_address(t, i, j))
                any = true;
            else if (letters)
                return false;
        }
        i = j;
    }
    return any;
}

static spill_status decide_labels(page_work *w, const size_t *first)
{
    for (size_t l = 0; l < w->n_lines; l++) {
        const char *why;
        if (unreadable_line(w, l, first, &why)) {
            for (size_t s = first[l]; s < first[l + 1]; s++) {
                w->label[s] = SPILL_LABEL_GARBAGE;
                w->why[s] = why;
            }
            continue;
        }
        double pooled[SPILL_LABEL_COUNT] = {0};
        bool any = false;
        for (size_t s = first[l]; s < first[l + 1]; s++) {
            const float *p = w->prob + s * SPILL_LABEL_COUNT;
            int best = SPILL_LABEL_CONTENT;
            for (int k = 1; k < SPILL_LABEL_COUNT; k++)
                if (k != SPILL_LABEL_FOREIGN && p[k] > p[best])
                    best = k;
            if (p[SPILL_LABEL_FOREIGN] >= 0.5f && !address_only(w, s))
                best = SPILL_LABEL_FOREIGN;
            w->label[s] = (uint8_t)best;
            if (best == SPILL_LABEL_FOREIGN)
                continue;
            any = true;
            double wt = w->scripts.segs[s].cp + 1;
            for (int k = 0; k < SPILL_LABEL_COUNT; k++)
                if (k != SPILL_LABEL_FOREIGN)
                    pooled[k] += wt * p[k];
        }
        if (!any)
            continue;
        int best = 0;
        for (int k = 1; k < SPILL_LABEL_COUNT; k++)
            if (pooled[k] > pooled[best])
                best = k;
        /* Outside the article, a line of symbols alone is garbage - as
         * training/labels.py labels the real pages' ("=======" in chrome;
         * the gold keeps a separator inside an article as main). */
        if ((best == SPILL_LABEL_BOILERPLATE || best == SPILL_LABEL_SPILLOVER) &&
            w->li[l].words == 0 && w->li[l].cp >= SYMBOL_RUN)
            best = SPILL_LABEL_GARBAGE;
        for (size_t s = first[l]; s < first[l + 1]; s++)
            if (w->label[s] != SPILL_LABEL_FOREIGN)
                w->label[s] = (uint8_t)best;
    }
    return SPILL_OK;
}

/* Whether at most DUP_NEAR non-blank lines stand between lines a < b. */
static bool near(const page_work *w, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t l = a + 1; l < b && n <= DUP_NEAR; l++)  /* stops early: no quadratic path */
        n += w->li[l].cp > 0;
    return n <= DUP_NEAR;
}

static spill_status mark_duplicates(page_work *w, const size_t *first)
{
    size_t n = w->n_lines;
    uint32_t *root = arena_alloc(w->a, (n ? n : 1) * sizeof *root);
    bool *kept_content = arena_zalloc(w->a, n ? n : 1, sizeof *kept_content);
    if (!root || !kept_content)
        return SPILL_E_NOMEM;
    /* Pass 1: chains of copies, each near the one before, keyed by the
     * first copy; whether any copy is labelled content.  The copies are the
     * same text, so the model's labels differ only by where they stand: the
     * first copy stays, as content when any copy is (a headline the model
     * took for chrome right above the article it heads is the article's),
     * and the others repeat it. */
    for (size_t l = 0; l < n; l++) {
        const line_info *li = &w->li[l];
        root[l] = (uint32_t)l;
        if (li->same_count < 2 || li->norm_len < DUP_MIN || first[l] == first[l + 1])
            continue;
        size_t p = li->prev_same;
        if (p != l && near(w, p, l))
            root[l] = root[p];
        bool content = w->label[first[l]] == SPILL_LABEL_CONTENT;
        uint32_t g = root[l];
        if (g == l)
            kept_content[g] = content;
        else
            kept_content[g] |= content;
    }
    /* Pass 2: the first copy takes the chain's content; the others repeat it. */
    for (size_t l = 0; l < n; l++) {
        const line_info *li = &w->li[l];
        if (li->same_count < 2 || li->norm_len < DUP_MIN || first[l] == first[l + 1])
            continue;
        uint32_t k = root[l];
        if (k == l) {
            if (kept_content[k])
                for (size_t s = first[l]; s < first[l + 1]; s++)
                    if (w->label[s] != SPILL_LABEL_FOREIGN)
                        w->label[s] = SPILL_LABEL_CONTENT;
            continue;
        }
        const char *why = arena_printf(w->a, "same as line %u", k + 1);
        if (!why)
            return SPILL_E_NOMEM;
        for (size_t s = first[l]; s < first[l + 1]; s++) {
            w->label[s] = SPILL_LABEL_DUPLICATE;
            w->why[s] = why;
        }
    }
    return SPILL_OK;
}

/* ---- reasons ---------------------------------------------------------- */

static const char *a_or_an(const char *word)
{
    return strchr("AEIOUaeiou", word[0]) ? "an" : "a";
}

static const char *why_foreign(page_work *w, size_t s)
{
    const seg *g = &w->scripts.segs[s];
    char name[64], page_name[64];
    float words = expf(feat(w, s, KEPT_SEG_WORDS)) - 1;
    const char *kind = feat(w, s, KEPT_SEG_ENDS_COLON) > 0 && words <= 3 ? "label"
                       : words <= 1.5f                            ? "word"
                       : words <= 6                               ? "phrase"
                       : g->flags == (SEG_LINE_START | SEG_LINE_END) ? "line"
                                                                   : "passage";
    lang_name(w->langs.lang, page_name, sizeof page_name);
    int32_t main = w->scripts.main_script;
    if (g->script >= 0 && script_group(g->script) != script_group(main)) {
        return arena_printf(w->a, "%s %s in a %s-script %s page", script_name(g->script), kind,
                            script_name(main), page_name);
    }
    if (strcmp(lang_code(g->lang), "und") && g->lang != w->langs.lang) {
        lang_name(g->lang, name, sizeof name);
        return arena_printf(w->a, "%s %s in %s %s page", name, kind, a_or_an(page_name),
                            page_name);
    }
    return arena_printf(w->a, "%s unlike the page's %s text", kind, page_name);
}

static const char *why_spillover(page_work *w, size_t s)
{
    const seg *g = &w->scripts.segs[s];
    float coh = feat(w, s, KEPT_COHESION);
    /* The header line before it, if short: "after 'Related posts'". */
    for (size_t l = g->line; l-- > 0;) {
        const line *ln = &w->lines[l];
        if (!w->li[l].cp)
            continue;
        if (w->li[l].words >= 1 && w->li[l].words <= 4 && ln->b1 - ln->b0 <= 40)
            return arena_printf(w->a, "off-topic: cohesion %.2f with the page, after '%.*s'",
                                coh, (int)(ln->b1 - ln->b0), w->text + ln->b0);
        break;
    }
    return arena_printf(w->a, "off-topic: cohesion %.2f with the page", coh);
}

static const char *why_boilerplate(page_work *w, size_t s)
{
    float batch = feat(w, s, KEPT_REPEAT_BATCH);
    if (batch > 0.5f)
        return arena_printf(w->a, "recurs on %.0f other pages of the batch", expf(batch) - 1);
    if (feat(w, s, KEPT_SEPARATORS) > 0.6f)
        return "menu or breadcrumb: separators between short items";
    if (feat(w, s, KEPT_URLS) > 0)
        return "link or address";
    float words = expf(feat(w, s, KEPT_WORDS)) - 1;
    if (words <= 4 && feat(w, s, KEPT_WINDOW_LEN) < 3.5f)
        return arena_printf(w->a, "short line (%.0f word%s) among short lines", words,
                            words == 1 ? "" : "s");
    if (feat(w, s, KEPT_END_PUNCT) == 0)
        return arena_printf(w->a, "site chrome: %.0f words, no sentence punctuation", words);
    return arena_printf(w->a, "site chrome: stopwords %.2f, cohesion %.2f",
                        feat(w, s, KEPT_STOPWORDS), feat(w, s, KEPT_COHESION));
}

static const char *why_garbage(page_work *w, size_t s)
{
    if (feat(w, s, KEPT_MOJIBAKE) > 0.02f)
        return "mojibake: UTF-8 decoded as a legacy code page";
    if (feat(w, s, KEPT_CONTROLS) > 0.02f)
        return w->page.invalid_bytes ? "invalid UTF-8 or control characters"
                                     : "control characters";
    if (feat(w, s, KEPT_OTHER_CHARS) > 0.05f)
        return "unassigned or private-use characters";
    if (feat(w, s, KEPT_SYMBOL_RUN) > 1.6f || feat(w, s, KEPT_SYMBOLS) > 0.3f)
        return "symbol run";
    return "not text: few letters, odd characters";
}

static const char *why_for(page_work *w, size_t s, int label)
{
    switch (label) {
    case SPILL_LABEL_BOILERPLATE:
        return why_boilerplate(w, s);
    case SPILL_LABEL_SPILLOVER:
        return why_spillover(w, s);
    case SPILL_LABEL_FOREIGN:
        return why_foreign(w, s);
    case SPILL_LABEL_GARBAGE:
        return why_garbage(w, s);
    default:
        return "";
    }
}

/* ---- spans ------------------------------------------------------------ */

static spill_status build_spans(page_work *w)
{
    spill_page *pg = &w->page;
    size_t ns = w->scripts.n_segs;
    spill_span *sp = arena_alloc(w->a, (ns ? ns : 1) * sizeof *sp);
    if (!sp)
        return SPILL_E_NOMEM;
    size_t n = 0;
    double size_of_n = 0;  /* bytes that decided the merged span's lang */
    for (size_t s = 0; s < ns; s++) {
        const seg *g = &w->scripts.segs[s];
        int label = w->label[s];
        float p = label == SPILL_LABEL_DUPLICATE ? 1.0f : w->prob[s * SPILL_LABEL_COUNT + label];
        const char *why = w->why[s] ? w->why[s] : "";
        if (n && sp[n - 1].label == (spill_label)label && !strcmp(sp[n - 1].why, why)) {
            spill_span *t = &sp[n - 1];
            double a = (double)(t->end - t->start), b = (double)(g->b1 - t->end);
            t->p = (float)((t->p * a + p * b) / (a + b));
            if (g->b1 - g->b0 > size_of_n) {
                snprintf(t->lang, sizeof t->lang, "%s", lang_code(g->lang));
                size_of_n = g->b1 - g->b0;
            }
            t->end = g->b1;
            continue;
        }
        if (n)
            sp[n - 1].end = g->b0;  /* white space joins the span before */
        spill_span *t = &sp[n++];
        memset(t, 0, sizeof *t);
        t->start = n == 1 ? 0 : g->b0;
        t->end = g->b1;
        t->label = (spill_label)label;
        t->p = p;
        t->why = why;
        snprintf(t->lang, sizeof t->lang, "%s", lang_code(g->lang));
        size_of_n = g->b1 - g->b0;
    }
    if (n) {
        sp[n - 1].end = w->len;
    } else if (w->len) {
        /* White space only: one span, nothing in it is text. */
        memset(sp, 0, sizeof *sp);
        sp->end = w->len;
        sp->label = SPILL_LABEL_GARBAGE;
        sp->p = 1.0f;
        sp->why = "white space only";
        snprintf(sp->lang, sizeof sp->lang, "und");
        n = 1;
    }
    /* Code point offsets and counts, walking the text once. */
    size_t cp = 0;
    for (size_t i = 0; i < n; i++) {
        sp[i].start_cp = cp;
        cp += utf8_count(w->text + sp[i].start, sp[i].end - sp[i].start);
        sp[i].end_cp = cp;
        pg->counts[sp[i].label] += sp[i].end_cp - sp[i].start_cp;
        pg->counts_bytes[sp[i].label] += sp[i].end - sp[i].start;
    }
    pg->text_cp = cp;
    pg->spans = sp;
    pg->n_spans = n;
    return SPILL_OK;
}

static spill_status build_mixes(page_work *w)
{
    spill_page *pg = &w->page;
    const lang_result *lr = &w->langs;
    const script_result *sr = &w->scripts;
    spill_share *langs = arena_alloc(w->a, (lr->n_mix + 1) * sizeof *langs);
    spill_share *scripts = arena_alloc(w->a, (sr->n_counts + 1) * sizeof *scripts);
    if (!langs || !scripts)
        return SPILL_E_NOMEM;
    size_t total = 0, n = 0;
    for (size_t i = 0; i < lr->n_mix; i++)
        total += lr->mix[i].letters;
    for (size_t i = 0; i < lr->n_mix; i++) {
        /* Two CLD2 languages may share one code (zh, zh-Hant): merge them. */
        const char *code = lang_code(lr->mix[i].lang);
        double share = (double)lr->mix[i].letters / (double)total;
        size_t k = 0;
        while (k < n && strcmp(langs[k].name, code))
            k++;
        if (k == n) {
            snprintf(langs[n].name, sizeof langs[n].name, "%s", code);
            langs[n++].share = 0;
        }
        langs[k].share += share;
    }
    pg->langs = langs;
    pg->n_langs = n;
    for (size_t i = 0; i < sr->n_counts; i++) {
        snprintf(scripts[i].name, sizeof scripts[i].name, "%s", script_name(sr->counts[i].script));
        scripts[i].share = (double)sr->counts[i].letters / (double)sr->letters;
    }
    pg->scripts = scripts;
    pg->n_scripts = sr->n_counts;
    snprintf(pg->lang, sizeof pg->lang, "%s", lang_code(lr->lang));
    pg->lang_conf = strcmp(pg->lang, "und") ? lr->conf : 0.0;
    return SPILL_OK;
}

spill_status score_page(page_work *w)
{
    size_t ns = w->scripts.n_segs;
    spill_status st;
    w->label = arena_alloc(w->a, (ns ? ns : 1) * sizeof *w->label);
    w->why = arena_zalloc(w->a, ns ? ns : 1, sizeof *w->why);
    size_t *first = line_first_seg(w);
    if (!w->label || !w->why || !first)
        return SPILL_E_NOMEM;
    if ((st = decide_labels(w, first)))
        return st;
    if ((st = mark_duplicates(w, first)))
        return st;
    for (size_t s = 0; s < ns; s++) {
        if (w->why[s])
            continue;
        w->why[s] = why_for(w, s, w->label[s]);
        if (!w->why[s])
            return SPILL_E_NOMEM;
    }
    if ((st = build_spans(w)) || (st = build_mixes(w)))
        return st;

    /* The score: content's share of the non-space characters, weighted. */
    double content = 0, total = 0;
    for (size_t s = 0; s < ns; s++) {
        double cp = w->scripts.segs[s].cp;
        total += cp;
        if (w->label[s] == SPILL_LABEL_CONTENT)
            content += cp * w->prob[s * SPILL_LABEL_COUNT + SPILL_LABEL_CONTENT];
    }
    spill_page *pg = &w->page;
    pg->score = total > 0 ? content / total : 0.0;
    if (w->len == 0)
        pg->note = "empty text";
    else if (!w->scripts.letters && total == 0)
        pg->note = "white space only";
    else if (!w->scripts.letters)
        pg->note = "no letters";
    else if (pg->invalid_bytes * 2 > w->len)
        pg->note = "mostly invalid UTF-8";
    if (!w->scripts.letters)
        pg->score = 0.0;
    return SPILL_OK;
}
