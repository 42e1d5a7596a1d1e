/*
 * cmd_score.c - spill score: one annotation record per input record.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill score [options] [FILE...]\n"
    "\n"
    "Writes one annotation record (JSON line) per input record, in input order:\n"
    "{\"id\", \"lang\", \"lang_conf\", \"score\", \"langs\", \"scripts\", \"counts\", \"spans\"}.\n"
    "A record that cannot be processed yields {\"id\", \"error\"} and the run goes on.\n"
    "\n"
    "options:\n"
    "  -m, --model DIR         model directory (default: the installed model)\n"
    "  -o, --output FILE       write to FILE (through a temporary, renamed when done)\n"
    "      --offsets UNIT      codepoints (default) or bytes, for spans and counts\n"
    "      --text-field PATH   the text field of JSONL records (default \"text\")\n"
    "      --id-field PATH     the id field (default \"id\"); dotted paths reach nested fields\n"
    "      --input-format F    auto (default), jsonl or text\n"
    "      --max-record-size N largest text accepted, e.g. 64M (default 64M)\n"
    "      --no-batch          no first pass counting lines across the input's pages\n"
    "  -h, --help              this help\n"
    "\n"
    "examples:\n"
    "  spill score page.txt\n"
    "  spill score shard.jsonl.zst > annotations.jsonl\n"
    "  zcat crawl.jsonl.gz | spill score --text-field content.body -\n";

typedef struct score_run {
    spill_ctx *ctx;
    spill_linestats *batch;
    cli_output out;
    spill_buf buf;
    unsigned flags;
    size_t max_text;
    bool write_failed;
} score_run;

static int flush(score_run *s)
{
    if (s->buf.len && !cli_output_write(&s->out, s->buf.data, s->buf.len))
        s->write_failed = true;
    s->buf.len = 0;
    return s->write_failed ? EXIT_USAGE : EXIT_DONE;
}

static int score_record(void *user, spill_record *rec)
{
    score_run *s = user;
    char name[512];
    int status = EXIT_DONE;
    if (rec->error) {
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), rec->error);
        spill_write_error(&s->buf, rec->id, rec->error);
        status = EXIT_RECORD_ERRORS;
    } else {
        spill_hints hints = {.url = rec->url, .batch = s->batch};
        const spill_page *page = NULL;
        spill_status st = spill_annotate(s->ctx, rec->id, rec->text, rec->text_len, &hints, &page);
        if (st) {
            const char *msg = spill_ctx_message(s->ctx);
            cli_error("%s: %s", cli_record_name(rec, name, sizeof name), msg);
            spill_write_error(&s->buf, rec->id, msg);
            status = EXIT_RECORD_ERRORS;
        } else if (spill_write_page(&s->buf, page, s->flags)) {
            cli_error("%s: out of memory writing the record", cli_record_name(rec, name, sizeof name));
            return EXIT_USAGE;
        }
    }
    if (s->buf.len > (1 << 16) && flush(s))
        return EXIT_USAGE;
    return status;
}

int cmd_score(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"output", required_argument, NULL, 'o'},
        {"offsets", required_argument, NULL, 1},
        {"text-field", required_argument, NULL, 2},
        {"id-field", required_argument, NULL, 3},
        {"input-format", required_argument, NULL, 4},
        {"max-record-size", required_argument, NULL, 5},
        {"no-batch", no_argument, NULL, 6},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_dir = NULL, *out_path = NULL;
    spill_reader_options ro = spill_reader_options_default();
    score_run s = {0};
    bool batch = true;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model_dir = optarg; break;
        case 'o': out_path = optarg; break;
        case 1:
            if (!strcmp(optarg, "bytes"))
                s.flags |= SPILL_WRITE_OFFSETS_BYTES;
            else if (strcmp(optarg, "codepoints")) {
                cli_error("--offsets takes codepoints or bytes, not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            break;
        case 2: ro.text_field = optarg; break;
        case 3: ro.id_field = optarg; break;
        case 4:
            if (!strcmp(optarg, "jsonl"))
                ro.format = SPILL_FORMAT_JSONL;
            else if (!strcmp(optarg, "text"))
                ro.format = SPILL_FORMAT_TEXT;
            else if (strcmp(optarg, "auto")) {
                cli_error("--input-format takes auto, jsonl or text, not \"%s\"", optarg);
                return EXIT_USAGE;
            }
            break;
        case 5:
            if (!cli_parse_size(optarg, &ro.max_record_bytes) || !ro.max_record_bytes) {
                cli_error("--max-record-size: \"%s\" is not a size", optarg);
                return EXIT_USAGE;
            }
            break;
        case 6: batch = false; break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    spill_model *model = cli_load_model(model_dir, false);
    if (!model)
        return EXIT_USAGE;
    spill_options opts = spill_options_default();
    opts.max_text_bytes = ro.max_record_bytes;
    spill_error err = {0};
    s.ctx = spill_ctx_new(model, &opts, &err);
    if (!s.ctx || !cli_output_open(&s.out, out_path)) {
        if (!s.ctx)
            cli_error("%s", err.message);
        spill_ctx_free(s.ctx);
        spill_model_free(model);
        return EXIT_USAGE;
    }
    if (batch)
        s.batch = cli_batch_stats(argv + optind, argc - optind, &ro);
    int status = cli_each_record(argv + optind, argc - optind, &ro, score_record, &s);
    if (flush(&s))
        status = EXIT_USAGE;
    if (!cli_output_close(&s.out, status != EXIT_USAGE))
        status = EXIT_USAGE;
    spill_buf_free(&s.buf);
    spill_linestats_free(s.batch);
    spill_ctx_free(s.ctx);
    spill_model_free(model);
    return status;
}
