/*
 * cmd_features.c - spill features: the feature vectors of labelled pages,
 * the training set of training/.  Scoring and training share this one code
 * path (spill_features), so a model sees at training time exactly what it
 * will see when scoring.
 *
 * Output, one line per segment with a known gold label:
 *   LABEL PAGE V1 V2 ... Vn
 * LABEL is a spill_label number, PAGE a running page number (to keep one
 * page's segments in one cross-validation fold), then the features in schema
 * order.  A first comment line names the schema and features.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill features [options] FILE...\n"
    "\n"
    "Writes the feature vector of every segment of labelled pages (JSONL records\n"
    "with \"labels\", one per line of text.split(\"\\n\"), or \"spans\" in code points).\n"
    "\n"
    "options:\n"
    "  -m, --model DIR   model whose tables to use (its classifier is not needed)\n"
    "      --batch       count lines across the input's pages first (repeat_batch)\n"
    "      --sketch FILE line counts of a corpus (spill sketch) instead: the\n"
    "                    counts of a whole set whose parts run apart\n"
    "      --all         also segments whose gold label is unknown (label -1)\n"
    "  -h, --help        this help\n";

typedef struct feat_run {
    spill_ctx *ctx;
    spill_linestats *batch;
    FILE *out;
    unsigned long page;
    bool all;
} feat_run;

static spill_status row(void *user, size_t segment, int label, const float *v, size_t n)
{
    feat_run *f = user;
    (void)segment;
    if (label < 0 && !f->all)
        return SPILL_OK;
    fprintf(f->out, "%d %lu", label, f->page);
    for (size_t i = 0; i < n; i++)
        fprintf(f->out, " %.6g", v[i]);
    fputc('\n', f->out);
    return SPILL_OK;
}

static int features_record_owned(void *user, spill_record *rec)
{
    feat_run *f = user;
    char name[512];
    f->page++;
    if (rec->error) {
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), rec->error);
        return EXIT_RECORD_ERRORS;
    }
    spill_hints hints = {.url = rec->url, .batch = f->batch};
    if (spill_features(f->ctx, rec->text, rec->text_len, &hints, rec->gold, row, f)) {
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), spill_ctx_message(f->ctx));
        return EXIT_RECORD_ERRORS;
    }
    return EXIT_DONE;
}

/* Takes ownership of the record. */
static int features_record(void *user, spill_record *rec)
{
    int st = features_record_owned(user, rec);
    spill_record_free(rec);
    return st;
}

int cmd_features(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"batch", no_argument, NULL, 1},
        {"all", no_argument, NULL, 2},
        {"sketch", required_argument, NULL, 3},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_dir = NULL, *sketch = NULL;
    bool batch = false;
    feat_run f = {.out = stdout};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model_dir = optarg; break;
        case 1: batch = true; break;
        case 2: f.all = true; break;
        case 3: sketch = optarg; break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    spill_model *model = cli_load_model(model_dir, true);
    if (!model)
        return EXIT_USAGE;
    spill_error err = {0};
    f.ctx = spill_ctx_new(model, NULL, &err);
    if (!f.ctx) {
        cli_error("%s", err.message);
        spill_model_free(model);
        return EXIT_USAGE;
    }
    spill_reader_options ro = spill_reader_options_default();
    ro.want_gold = 1;
    if (!cli_line_stats(sketch, batch, argv + optind, argc - optind, &ro, 1, &f.batch)) {
        spill_ctx_free(f.ctx);
        spill_model_free(model);
        return EXIT_USAGE;
    }
    printf("# schema %s %d:", spill_schema_name(), spill_schema_version());
    for (size_t i = 0; i < spill_schema_size(); i++)
        printf(" %s", spill_schema_feature(i));
    putchar('\n');
    int status = cli_each_record(argv + optind, argc - optind, &ro, NULL, features_record, &f);
    if (fflush(stdout) || ferror(stdout)) {
        cli_error("writing the output failed");
        status = EXIT_USAGE;
    }
    spill_linestats_free(f.batch);
    spill_ctx_free(f.ctx);
    spill_model_free(model);
    return status;
}
