/*
 * cmd_clean.c - spill clean: the input records with their text reduced to
 * content spans (and any labels asked for), other fields kept, the page
 * score added; --min-score drops pages, counted on stderr.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill clean [options] [FILE...]\n"
    "\n"
    "Writes every input record with its text reduced to its content spans, its\n"
    "other fields as they were and \"spill_score\" added, in input order.  Records\n"
    "read from WARC or text become {\"id\", \"url\", \"text\", \"spill_score\"}.  A record\n"
    "that cannot be processed yields {\"id\", \"error\"} in its place (exit status 1).\n"
    "\n"
    "options:\n" CLI_RUN_HELP
    "      --min-score X       drop pages scoring below X (counted on stderr)\n"
    "      --keep LABELS       also keep these labels, comma-separated\n"
    "                          (boilerplate, spillover, foreign, duplicate, garbage)\n"
    "\n"
    "examples:\n"
    "  spill clean --min-score 0.5 shard.jsonl.zst | zstd > clean.jsonl.zst\n"
    "  spill clean --keep duplicate,foreign pages.jsonl > kept.jsonl\n";

typedef struct clean_opts {
    double min_score;
    unsigned keep;
    const char *text_field;
    atomic_ullong pages, dropped;
} clean_opts;

static int clean_one(void *state, const spill_record *rec, spill_buf *out, void **result)
{
    cli_worker *w = state;
    clean_opts *opts = (clean_opts *)w->run->verb;
    int status;
    (void)result;
    const spill_page *page = cli_annotate(w->ctx, w->run, rec, out, &status);
    if (!page)
        return status;
    atomic_fetch_add(&opts->pages, 1);
    if (page->score < opts->min_score) {
        atomic_fetch_add(&opts->dropped, 1);
        return status;
    }
    if (spill_write_clean(out, rec, page, opts->keep, opts->text_field)) {
        cli_error("out of memory writing a record");
        return EXIT_USAGE;
    }
    return status;
}

static bool parse_keep(const char *arg, unsigned *keep)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int l = spill_label_from_name(tok);
        if (l < 0) {
            cli_error("--keep: \"%s\" is no label", tok);
            return false;
        }
        *keep |= 1u << l;
    }
    return true;
}

int cmd_clean(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RUN_OPTIONS,
        {"min-score", required_argument, NULL, 1},
        {"keep", required_argument, NULL, 2},
        {NULL, 0, NULL, 0},
    };
    cli_run run;
    cli_run_init(&run);
    run.ro.keep_json = 1;
    clean_opts opts = {.min_score = 0, .keep = 1u << SPILL_LABEL_CONTENT};
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_RUN_SHORT, longopts, NULL)) != -1) {
        int r = cli_run_option(&run, c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 1:
            opts.min_score = strtod(optarg, &end);
            if (end == optarg || *end || opts.min_score < 0 || opts.min_score > 1) {
                cli_error("--min-score takes a number from 0 to 1, not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            break;
        case 2:
            if (!parse_keep(optarg, &opts.keep))
                return EXIT_USAGE;
            break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    opts.text_field = run.ro.text_field;
    run.verb = &opts;
    int status = cli_run_records(&run, argv + optind, argc - optind, clean_one, cli_make_ctx,
                                 cli_free_ctx, NULL, NULL);
    if (opts.min_score > 0 && status != EXIT_USAGE)
        cli_error("dropped %llu of %llu pages scoring below %g",
                  (unsigned long long)opts.dropped, (unsigned long long)opts.pages,
                  opts.min_score);
    return status;
}
