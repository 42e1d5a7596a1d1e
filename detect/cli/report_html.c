/*
 * report_html.c - the batch report as one self-contained HTML file: no
 * script, no network, no external font; charts are inline SVG drawn here,
 * with axes, labels and units.  Every piece of page text is escaped, so a
 * page holding "<script>" or "</div>" cannot change the report.  Its size
 * is bounded by the summary's bounded tables, not by the batch.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const FILL[SPILL_LABEL_COUNT] = {
    "#4caf50", "#9e9e9e", "#ffb300", "#ab47bc", "#26c6da", "#e53935",
};
static const char *const MARK[SPILL_LABEL_COUNT] = {
    "transparent", "#e0e0e0", "#ffe082", "#e1bee7", "#b2ebf2", "#ffcdd2",
};

/* Text made safe for HTML element content and attribute values. */
static void esc(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\r': break;
        default:
            if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
                fputs("\xEF\xBF\xBD", f);  /* control characters: U+FFFD */
            else
                fputc(s[i], f);
        }
    }
}

static void escs(FILE *f, const char *s)
{
    if (s)
        esc(f, s, strlen(s));
}

/* The smallest round step (1, 2 or 5 times a power of ten) of which `ticks`
 * reach `top`: axis ticks in whole pages. */
static uint64_t tick_step(uint64_t top, uint64_t ticks)
{
    static const uint64_t mult[] = {1, 2, 5};
    for (uint64_t p = 1;; p *= 10)
        for (int i = 0; i < 3; i++)
            if (mult[i] * p * ticks >= top)
                return mult[i] * p;
}

/* A vertical bar chart: the score histogram (20 bins of 0.05). */
static void histogram(FILE *f, const spill_summary *s)
{
    enum { BINS = 20, W = 640, H = 240, L = 56, B = 44, T = 12, R = 12 };
    uint64_t v[BINS] = {0}, top = 1;
    for (int b = 0; b < SPILL_SUMMARY_BINS; b++)
        v[b * BINS / SPILL_SUMMARY_BINS] += s->hist[b];
    for (int b = 0; b < BINS; b++)
        if (v[b] > top)
            top = v[b];
    uint64_t step = tick_step(top, 4);
    top = step * 4;
    double pw = (double)(W - L - R) / BINS, ph = H - T - B;
    fprintf(f, "<svg class=\"chart\" id=\"chart-scores\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"histogram of page scores\">\n",
            W, H, W, H);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", L, H - B, W - R,
            H - B);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", L, T, L, H - B);
    for (int k = 0; k <= 4; k++) {
        double y = H - B - ph * k / 4;
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%llu</text>\n",
                L - 6, y + 4, (unsigned long long)(step * (uint64_t)k));
    }
    for (int b = 0; b < BINS; b++) {
        double h = ph * (double)v[b] / (double)top, x = L + b * pw;
        fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                   "<title>score %.2f-%.2f: %llu pages</title></rect>\n",
                x + 1, H - B - h, pw - 2, h, b / (double)BINS, (b + 1) / (double)BINS,
                (unsigned long long)v[b]);
        if (b % 4 == 0)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%.1f</text>\n",
                    x, H - B + 16, b / (double)BINS);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">1.0</text>\n", W - R,
            H - B + 16);
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"label\" text-anchor=\"middle\">page score "
               "(share of content, 0-1)</text>\n",
            (L + W - R) / 2, H - 6);
    fprintf(f, "<text x=\"14\" y=\"%d\" class=\"label\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 14 %d)\">pages</text>\n</svg>\n",
            (T + H - B) / 2, (T + H - B) / 2);
}

/* Horizontal bars of a table: share of characters per entry, pages too. */
static void share_bars(FILE *f, const char *id, const char *what, const spill_summary_count *v,
                       size_t n, uint64_t total)
{
    enum { W = 640, ROW = 22, L = 150, R = 120, T = 8, B = 40 };
    if (n > 15)
        n = 15;
    int h = T + B + ROW * (int)(n ? n : 1);
    double pw = W - L - R;
    fprintf(f, "<svg class=\"chart\" id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "role=\"img\" aria-label=\"%s\">\n",
            id, W, h, W, h, what);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", L, h - B,
            W - R, h - B);
    for (int k = 0; k <= 4; k++)
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%d%%</text>\n",
                L + pw * k / 4, h - B + 16, 25 * k);
    for (size_t i = 0; i < n; i++) {
        double share = total ? (double)v[i].chars / (double)total : 0;
        double y = T + ROW * (double)i;
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">", L - 6, y + 15);
        escs(f, v[i].name);
        fprintf(f, "</text><rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\">"
                   "<title>",
                L, y + 3, pw * share, ROW - 6);
        escs(f, v[i].name);
        fprintf(f, ": %.1f%% of characters, %llu pages</title></rect>", 100 * share,
                (unsigned long long)v[i].pages);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%.1f%% · %llu pages</text>\n",
                L + pw * share + 6, y + 15, 100 * share, (unsigned long long)v[i].pages);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"label\" text-anchor=\"middle\">share of "
               "characters (%%)</text>\n</svg>\n",
            L + pw / 2, h - 6);
}

/* One stacked bar of label shares, with a title per part. */
static void label_bar(FILE *f, const uint64_t *chars, uint64_t total, int width)
{
    fprintf(f, "<svg class=\"stack\" width=\"%d\" height=\"14\" viewBox=\"0 0 %d 14\">", width,
            width);
    double x = 0;
    for (int k = 0; k < SPILL_LABEL_COUNT; k++) {
        double w = total ? width * (double)chars[k] / (double)total : 0;
        if (w <= 0)
            continue;
        fprintf(f, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"14\" fill=\"%s\"><title>%s "
                   "%.1f%%</title></rect>",
                x, w, FILL[k], spill_label_name((spill_label)k), 100.0 * chars[k] / (double)total);
        x += w;
    }
    fputs("</svg>", f);
}

static void legend(FILE *f)
{
    fputs("<p class=\"legend\">", f);
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        fprintf(f, "<span><i style=\"background:%s\"></i>%s</span> ", FILL[k],
                spill_label_name((spill_label)k));
    fputs("</p>\n", f);
}

static void worst_page(FILE *f, const spill_summary_page *p, size_t rank)
{
    fprintf(f, "<article class=\"page\" id=\"worst-%zu\"><h3>%zu. ", rank, rank);
    escs(f, p->id ? p->id : "(no id)");
    fprintf(f, "</h3><p class=\"meta\">score <b>%.2f</b> · lang %s · ", p->score, p->lang);
    escs(f, p->source);
    if (p->text_len < p->full_len)
        fprintf(f, " · first %zu of %zu bytes shown", p->text_len, p->full_len);
    fputs("</p>\n<pre class=\"text\">", f);
    for (size_t i = 0; i < p->n_spans; i++) {
        const spill_span *s = &p->spans[i];
        if (s->label == SPILL_LABEL_CONTENT) {
            esc(f, p->text + s->start, s->end - s->start);
            continue;
        }
        fprintf(f, "<mark class=\"span l-%s\" title=\"%s %.2f: ", spill_label_name(s->label),
                spill_label_name(s->label), s->p);
        escs(f, s->why);
        fputs("\">", f);
        esc(f, p->text + s->start, s->end - s->start);
        fputs("</mark>", f);
    }
    fputs("</pre></article>\n", f);
}

bool cli_report_html(FILE *f, const spill_summary *s, const char *title, const char *model)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
    escs(f, title);
    fputs("</title>\n<style>\n"
          "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#212121;padding:0 16px}\n"
          "h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #ddd}\n"
          "table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #eee}\n"
          "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
          ".axis{stroke:#616161;stroke-width:1}.tick{font-size:11px;fill:#424242}"
          ".label{font-size:12px;fill:#212121}.bar{fill:#5c6bc0}\n"
          ".legend span{margin-right:12px}.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}\n"
          "pre.text{white-space:pre-wrap;word-wrap:break-word;background:#fafafa;border:1px solid #eee;padding:8px;max-height:420px;overflow:auto;font:12px/1.4 ui-monospace,monospace}\n"
          ".meta{color:#616161;margin:2px 0 6px}\n",
          f);
    for (int k = 1; k < SPILL_LABEL_COUNT; k++)
        fprintf(f, "mark.l-%s{background:%s}\n", spill_label_name((spill_label)k), MARK[k]);
    fputs("</style></head><body>\n<h1>", f);
    escs(f, title);
    fprintf(f, "</h1>\n<p class=\"meta\">spill %s · model ", spill_version());
    escs(f, model);
    fputs("</p>\n", f);

    fputs("<h2>Batch</h2>\n<table id=\"totals\">\n", f);
    fprintf(f, "<tr><th>pages</th><td class=\"n\">%llu</td></tr>\n", (unsigned long long)s->pages);
    fprintf(f, "<tr><th>text</th><td class=\"n\">%.2f MB</td></tr>\n", s->bytes / 1e6);
    fprintf(f, "<tr><th>error records</th><td class=\"n\">%llu</td></tr>\n",
            (unsigned long long)s->errors);
    fprintf(f, "<tr><th>mean score</th><td class=\"n\">%.3f</td></tr>\n", spill_summary_mean(s));
    fprintf(f, "<tr><th>median score</th><td class=\"n\">%.3f</td></tr>\n",
            spill_summary_median(s));
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        fprintf(f, "<tr><th>%s</th><td class=\"n\">%.2f%% of characters</td></tr>\n",
                spill_label_name((spill_label)k),
                s->chars ? 100.0 * s->label_chars[k] / (double)s->chars : 0.0);
    fputs("</table>\n", f);
    legend(f);
    label_bar(f, s->label_chars, s->chars, 640);

    fputs("<h2>Page scores</h2>\n", f);
    histogram(f, s);
    fputs("<h2>Languages</h2>\n<p class=\"meta\">by each page's main language</p>\n", f);
    share_bars(f, "chart-langs", "language mix", s->langs, s->n_langs, s->chars);
    fputs("<h2>Scripts</h2>\n", f);
    share_bars(f, "chart-scripts", "script mix", s->scripts, s->n_scripts, s->chars);

    fputs("<h2>Sources</h2>\n<p class=\"meta\">URL host, or input file where there is no URL; "
          "label shares of characters</p>\n<table id=\"sources\"><tr><th>source</th><th>pages"
          "</th><th>mean score</th><th>labels</th></tr>\n",
          f);
    for (size_t i = 0; i < s->n_sources; i++) {
        const spill_summary_count *c = &s->sources[i];
        fputs("<tr><td>", f);
        escs(f, c->name);
        fprintf(f, "</td><td class=\"n\">%llu</td><td class=\"n\">%.3f</td><td>",
                (unsigned long long)c->pages, c->pages ? c->score_sum / (double)c->pages : 0);
        label_bar(f, c->label_chars, c->chars, 240);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);

    fprintf(f, "<h2>The %zu lowest-scoring pages</h2>\n", s->n_worst);
    legend(f);
    fputs("<p class=\"meta\">every span that is not content is highlighted; hover for its "
          "label, probability and reason</p>\n",
          f);
    for (size_t i = 0; i < s->n_worst; i++)
        worst_page(f, &s->worst[i], i + 1);

    fprintf(f, "<h2>Pages of unknown language</h2>\n<p>%llu pages",
            (unsigned long long)s->und_pages);
    if (s->n_und_ids) {
        fputs(", among them:</p><ul id=\"und\">", f);
        for (size_t i = 0; i < s->n_und_ids; i++) {
            fputs("<li>", f);
            escs(f, s->und_ids[i]);
            fputs("</li>", f);
        }
        fputs("</ul>\n", f);
    } else {
        fputs(".</p>\n", f);
    }
    fputs("</body></html>\n", f);
    return !ferror(f);
}
