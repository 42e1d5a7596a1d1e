/*
 * cmd_sketch.c - spill sketch: a mergeable count sketch of the lines of a
 * corpus's pages, so that corpus-wide repetition survives sharding.
 */
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill sketch [options] -o OUT FILE...\n"
    "       spill sketch --merge -o OUT SKETCH...\n"
    "\n"
    "Counts, for every normalised line, the pages of FILE... holding it, in a\n"
    "count-min sketch of fixed size (16 MiB; a count is never below the truth).\n"
    "Shards sketched apart and merged give exactly the sketch of the whole:\n"
    "merging adds counters.  spill score --sketch OUT then uses the corpus count of\n"
    "each line (a line on many pages is site chrome).\n"
    "\n"
    "options:\n"
    "  -o, --output FILE       the sketch to write (required)\n"
    "      --merge             the inputs are sketches to merge\n"
    "      --text-field PATH   the text field of JSONL records (default \"text\")\n"
    "      --input-format F    auto, jsonl, warc or text\n"
    "  -q, --quiet             no closing message on stderr\n"
    "  -h, --help              this help\n"
    "\n"
    "examples:\n"
    "  for s in shard-*.jsonl.zst; do spill sketch -o $s.sk $s; done\n"
    "  spill sketch --merge -o corpus.sk shard-*.sk\n"
    "  spill score --sketch corpus.sk shard-0001.jsonl.zst\n";

static int add_page(void *user, spill_record *rec)
{
    int st = EXIT_DONE;
    if (rec->text && spill_linestats_add(user, rec->text, rec->text_len)) {
        cli_error("out of memory");
        st = EXIT_USAGE;
    }
    spill_record_free(rec);
    return st;
}

int cmd_sketch(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"merge", no_argument, NULL, 1},
        {"text-field", required_argument, NULL, 2},
        {"input-format", required_argument, NULL, 3},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_run run;
    cli_run_init(&run);
    bool merge = false;
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'q': run.quiet = true; break;
        case 1: merge = true; break;
        case 2: run.ro.text_field = optarg; break;
        case 3:
            if (cli_run_option(&run, 1003, optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    if (!out || (merge && optind >= argc)) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    spill_error err = {0};
    spill_linestats *s = NULL;
    int status = EXIT_DONE;
    if (merge) {
        for (int i = optind; i < argc && status == EXIT_DONE; i++) {
            spill_linestats *part = spill_linestats_load(argv[i], NULL, &err);
            if (!part) {
                cli_error("%s", err.message);
                status = EXIT_USAGE;
            } else if (!s) {
                s = part;
            } else {
                spill_linestats_merge(s, part);
                spill_linestats_free(part);
            }
        }
    } else {
        s = spill_linestats_new(NULL, &err);
        if (!s) {
            cli_error("%s", err.message);
            return EXIT_USAGE;
        }
        status = cli_each_record(argv + optind, argc - optind, &run.ro, NULL, add_page, s);
    }
    if (status == EXIT_DONE && s && spill_linestats_save(s, out, &err)) {
        cli_error("%s", err.message);
        status = EXIT_USAGE;
    }
    if (status == EXIT_DONE && !run.quiet)
        fprintf(stderr, "spill: sketch of %llu pages in %s\n",
                (unsigned long long)spill_linestats_pages(s), out);
    spill_linestats_free(s);
    return status;
}
