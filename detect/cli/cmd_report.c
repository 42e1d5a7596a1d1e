/*
 * cmd_report.c - spill report: a self-contained HTML report (and a JSON
 * summary) of a batch, from raw records or from spill score's annotations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill report [options] [FILE...]\n"
    "\n"
    "Summarises a batch - raw records (scored on the fly) or the annotation records\n"
    "of spill score (not rescored; give them --with-text to see the worst pages'\n"
    "text) - into one self-contained HTML file: totals, a histogram of page scores,\n"
    "the language and script mix, label shares per source, the worst pages with\n"
    "every non-content span highlighted, and the pages of unknown language.\n"
    "\n"
    "options:\n" CLI_RUN_HELP
    "                          (-o: the HTML report, default report.html)\n"
    "      --json FILE         also the summary as JSON (a baseline for spill gate)\n"
    "      --worst N           the N lowest-scoring pages (default 20)\n"
    "      --sources N         sources named in the table (default 50)\n"
    "      --title TEXT        the report's title\n"
    "\n"
    "examples:\n"
    "  spill report -o report.html --json summary.json shard-*.jsonl.zst\n"
    "  spill score --with-text dump.jsonl > ann.jsonl && spill report ann.jsonl\n";

/* Writes a summary as JSON into path (through a temporary). */
bool cli_write_summary_json(const char *path, const spill_summary *s)
{
    spill_buf b = {0};
    cli_output o;
    bool ok = !spill_write_summary(&b, s) && cli_output_open(&o, path);
    if (ok) {
        ok = cli_output_write(&o, b.data, b.len);
        ok = cli_output_close(&o, ok) && ok;
    }
    spill_buf_free(&b);
    return ok;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RUN_OPTIONS,
        {"json", required_argument, NULL, 1},
        {"worst", required_argument, NULL, 2},
        {"sources", required_argument, NULL, 3},
        {"title", required_argument, NULL, 4},
        {NULL, 0, NULL, 0},
    };
    cli_run run;
    cli_run_init(&run);
    const char *json = NULL, *title = "spill report";
    long worst = 20, sources = 50;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_RUN_SHORT, longopts, NULL)) != -1) {
        int r = cli_run_option(&run, c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 1: json = optarg; break;
        case 2: worst = strtol(optarg, NULL, 10); break;
        case 3: sources = strtol(optarg, NULL, 10); break;
        case 4: title = optarg; break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    if (worst < 1 || worst > 10000 || sources < 1 || sources > 100000) {
        cli_error("--worst takes 1 to 10000, --sources 1 to 100000");
        return EXIT_USAGE;
    }
    const char *html = run.out_path ? run.out_path : "report.html";
    spill_summary *s = spill_summary_new((size_t)worst, (size_t)sources, 0);
    if (!s) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    int status = cli_summarize(&run, argv + optind, argc - optind, s);
    const char *model = run.model_name[0] ? run.model_name : "as in the annotations";
    if (status != EXIT_USAGE) {
        cli_output o;
        bool ok = cli_output_open(&o, html);
        if (ok) {
            ok = cli_report_html(o.f, s, title, model);
            ok = cli_output_close(&o, ok) && ok;
        }
        if (ok && json)
            ok = cli_write_summary_json(json, s);
        if (!ok)
            status = EXIT_USAGE;
        else
            fprintf(stderr, "spill: report of %llu pages in %s\n", (unsigned long long)s->pages,
                    html);
    }
    spill_summary_free(s);
    return status;
}
