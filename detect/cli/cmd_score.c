/*
 * cmd_score.c - spill score: one annotation record per input record.
 */
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill score [options] [FILE...]\n"
    "\n"
    "Writes one annotation record (JSON line) per input record, in input order:\n"
    "{\"id\", \"lang\", \"lang_conf\", \"score\", \"langs\", \"scripts\", \"counts\", \"spans\"}.\n"
    "A record that cannot be processed yields {\"id\", \"error\"} in its place and the\n"
    "run goes on (exit status 1).  FILE is JSONL, WARC/WET or text, gzip/zstd or not.\n"
    "\n"
    "options:\n" CLI_RUN_HELP
    "      --offsets UNIT      codepoints (default) or bytes, for spans and counts\n"
    "      --format F          annotation (default) or dolma (Dolma attribute records)\n"
    "      --with-text         the annotation carries the page's \"text\" (for spill report)\n"
    "\n"
    "examples:\n"
    "  spill score page.txt\n"
    "  spill score -j 8 shard.jsonl.zst > annotations.jsonl\n"
    "  spill score CC-MAIN-20240101-00000.warc.wet.gz > cc.jsonl\n"
    "  zcat crawl.jsonl.gz | spill score --text-field content.body -\n";

static int score_one(void *state, const spill_record *rec, spill_buf *out, void **result)
{
    cli_worker *w = state;
    int status;
    (void)result;
    const spill_page *page = cli_annotate(w->ctx, w->run, rec, out, &status);
    if (page && spill_write_page(out, page, rec->url, w->run->write_flags)) {
        cli_error("out of memory writing a record");
        return EXIT_USAGE;
    }
    return status;
}

int cmd_score(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_RUN_OPTIONS,
        {"offsets", required_argument, NULL, 1},
        {"format", required_argument, NULL, 2},
        {"with-text", no_argument, NULL, 3},
        {NULL, 0, NULL, 0},
    };
    cli_run run;
    cli_run_init(&run);
    unsigned flags = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_RUN_SHORT, longopts, NULL)) != -1) {
        int r = cli_run_option(&run, c, optarg);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0)
            continue;
        switch (c) {
        case 1:
            if (!strcmp(optarg, "bytes"))
                flags |= SPILL_WRITE_OFFSETS_BYTES;
            else if (strcmp(optarg, "codepoints")) {
                cli_error("--offsets takes codepoints or bytes, not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            break;
        case 2:
            if (!strcmp(optarg, "dolma"))
                flags |= SPILL_WRITE_DOLMA;
            else if (strcmp(optarg, "annotation")) {
                cli_error("--format takes annotation or dolma, not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            break;
        case 3: flags |= SPILL_WRITE_TEXT; break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    run.write_flags = flags;
    return cli_run_records(&run, argv + optind, argc - optind, score_one, cli_make_ctx,
                           cli_free_ctx, NULL, NULL);
}
