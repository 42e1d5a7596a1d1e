/*
 * summarize.c - a batch summary of the inputs, for report and gate: raw
 * records are annotated by the worker pool, annotation records of spill
 * score are taken as they are; pages enter the summary in input order, so
 * the summary is the same for any -j.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct summarized {
    spill_page *page;
    char *url, *source;
} summarized;

static int summarize_one(void *state, const spill_record *rec, spill_buf *out, void **result)
{
    cli_worker *w = state;
    (void)out;
    summarized *r = calloc(1, sizeof *r);
    if (!r)
        return EXIT_USAGE;
    int status = EXIT_DONE;
    if (rec->annotation) {
        r->page = spill_page_copy(rec->annotation);
    } else if (rec->error) {
        char name[512];
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), rec->error);
        free(r);
        return EXIT_RECORD_ERRORS;
    } else {
        spill_buf ignored = {0};
        const spill_page *p = cli_annotate(w->ctx, w->run, rec, &ignored, &status);
        spill_buf_free(&ignored);
        if (!p) {
            free(r);
            return status;
        }
        r->page = spill_page_copy(p);
    }
    r->url = rec->url ? strdup(rec->url) : NULL;
    r->source = strdup(rec->source);
    if (!r->page || !r->source) {
        spill_page_free(r->page);
        free(r->url);
        free(r->source);
        free(r);
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    *result = r;
    return status;
}

static int add_to_summary(void *user, void *result, int status)
{
    spill_summary *s = user;
    summarized *r = result;
    if (!r) {
        if (status == EXIT_RECORD_ERRORS)
            spill_summary_add_error(s);
        return status;
    }
    if (spill_summary_add(s, r->page, r->url, r->source)) {
        cli_error("out of memory");
        status = EXIT_USAGE;
    }
    spill_page_free(r->page);
    free(r->url);
    free(r->source);
    free(r);
    return status;
}

int cli_summarize(cli_run *run, char **files, int n_files, spill_summary *s)
{
    run->no_output = true;
    int st = cli_run_records(run, files, n_files, summarize_one, cli_make_ctx, cli_free_ctx,
                             add_to_summary, s);
    spill_summary_finish(s);
    return st;
}
