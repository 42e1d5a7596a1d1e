/*
 * common.c - helpers the verbs share: model loading, output files, walking
 * the records of the inputs, the batch line counts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);  /* workers report too: one message at a time */
    fputs("spill: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}

spill_model *cli_load_model(const char *dir, bool tables_only)
{
    spill_error err = {0};
    spill_options o = spill_options_default();
    spill_model *m = tables_only ? spill_model_load_tables(dir, &o, &err)
                                 : spill_model_load(dir, &o, &err);
    if (!m)
        cli_error("cannot load model: %s", err.message);
    return m;
}

bool cli_parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno)
        return false;
    unsigned long long mul = 1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': mul = 1ull << 10; end++; break;
    case 'm': case 'M': mul = 1ull << 20; end++; break;
    case 'g': case 'G': mul = 1ull << 30; end++; break;
    default: return false;
    }
    if (*end || v > SIZE_MAX / mul)
        return false;
    *out = (size_t)(v * mul);
    return true;
}

bool cli_output_open(cli_output *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        o->f = stdout;
        return true;
    }
    o->path = path;
    size_t n = strlen(path) + 32;
    o->tmp = malloc(n);
    if (!o->tmp)
        return false;
    snprintf(o->tmp, n, "%s.tmp.%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "wb");
    if (!o->f) {
        cli_error("%s: %s", o->tmp, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return false;
    }
    return true;
}

bool cli_output_write(cli_output *o, const char *data, size_t len)
{
    return fwrite(data, 1, len, o->f) == len;
}

bool cli_output_close(cli_output *o, bool keep)
{
    bool ok = fflush(o->f) == 0 && !ferror(o->f);
    if (o->f == stdout) {
        if (fclose(stdout) != 0)
            ok = false;
        if (!ok)
            cli_error("writing the output failed: %s", strerror(errno));
        return ok;
    }
    if (fclose(o->f) != 0)
        ok = false;
    if (ok && keep && rename(o->tmp, o->path) != 0) {
        cli_error("%s: %s", o->path, strerror(errno));
        ok = false;
    }
    if (!ok || !keep)
        unlink(o->tmp);
    if (!ok)
        cli_error("writing %s failed", o->path);
    free(o->tmp);
    o->tmp = NULL;
    return ok;
}

const char *cli_record_name(const spill_record *rec, char *buf, size_t cap)
{
    if (rec->id)
        snprintf(buf, cap, "%s:%llu (id \"%s\")", rec->source, (unsigned long long)rec->position,
                 rec->id);
    else
        snprintf(buf, cap, "%s:%llu", rec->source, (unsigned long long)rec->position);
    return buf;
}

int cli_each_record(char **files, int n_files, const spill_reader_options *ro,
                    cli_progress *progress, cli_record_fn fn, void *user)
{
    static char *stdin_only[] = {"-"};
    if (n_files == 0) {
        files = stdin_only;
        n_files = 1;
    }
    int worst = EXIT_DONE;
    for (int i = 0; i < n_files; i++) {
        spill_error err = {0};
        spill_reader *r = spill_reader_open(files[i], ro, &err);
        if (!r) {
            cli_error("%s", err.message);
            return EXIT_USAGE;
        }
        for (;;) {
            spill_record *rec = NULL;
            spill_status st = spill_reader_next(r, &rec);
            if (st) {
                cli_error("%s", spill_reader_message(r));
                spill_reader_free(r);
                return EXIT_USAGE;
            }
            if (!rec)
                break;
            if (progress)
                cli_progress_update(progress, spill_reader_bytes(r), false);
            int s = fn(user, rec);
            if (s > worst)
                worst = s;
            if (s == EXIT_USAGE) {
                spill_reader_free(r);
                return s;
            }
        }
        const char *summary;
        if (spill_reader_skipped(r, &summary))
            cli_error("%s: skipped WARC records that are no pages: %s", files[i], summary);
        if (progress)
            cli_progress_file_done(progress, spill_reader_bytes(r));
        spill_reader_free(r);
    }
    return worst;
}

static bool is_regular(const char *path)
{
    struct stat st;
    return path && strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The first pass: worker threads hash the pages' lines (the costly part),
 * the pool adds them to the sketch on the reading thread. */
typedef struct page_hashes {
    uint64_t *h;
    size_t n;
} page_hashes;

static int hash_page(void *state, const spill_record *rec, spill_buf *out, void **result)
{
    (void)out;
    page_hashes *ph = calloc(1, sizeof *ph);
    if (!ph)
        return EXIT_USAGE;
    if (rec->text)
        spill_linestats_page_hashes(state, rec->text, rec->text_len, &ph->h, &ph->n);
    *result = ph;
    return EXIT_DONE;
}

static int add_hashes(void *user, void *result, int status)
{
    page_hashes *ph = result;
    if (ph) {
        spill_linestats_add_hashes(user, ph->h, ph->n);
        spill_linestats_hashes_free(user, ph->h);
        free(ph);
    }
    return status;
}

static int submit(void *user, spill_record *rec)
{
    return cli_pool_submit(user, rec);
}

spill_linestats *cli_batch_stats(char **files, int n_files, const spill_reader_options *ro,
                                 int jobs)
{
    if (n_files == 0)
        return NULL;
    for (int i = 0; i < n_files; i++)
        if (!is_regular(files[i]))
            return NULL;
    spill_error err = {0};
    spill_linestats *s = spill_linestats_new(NULL, &err);
    if (!s) {
        cli_error("%s", err.message);
        return NULL;
    }
    spill_reader_options quiet = *ro;
    quiet.keep_json = 0;
    jobs = jobs < 1 ? 1 : jobs;
    void **states = calloc((size_t)jobs, sizeof *states);
    for (int i = 0; states && i < jobs; i++)
        states[i] = s;
    cli_pool *pool = states ? cli_pool_new(jobs, hash_page, states, NULL, add_hashes, s) : NULL;
    int st = pool ? cli_each_record(files, n_files, &quiet, NULL, submit, pool) : EXIT_USAGE;
    int worst = cli_pool_finish(pool);
    free(states);
    if (st == EXIT_USAGE || worst == EXIT_USAGE) {
        if (!pool)
            cli_error("out of memory");
        spill_linestats_free(s);
        return NULL;
    }
    return s;
}

bool cli_line_stats(const char *sketch, bool batch, char **files, int n_files,
                    const spill_reader_options *ro, int jobs, spill_linestats **out)
{
    *out = NULL;
    if (sketch) {
        spill_error err = {0};
        *out = spill_linestats_load(sketch, NULL, &err);
        if (!*out)
            cli_error("%s", err.message);
        return *out != NULL;
    }
    if (batch)
        *out = cli_batch_stats(files, n_files, ro, jobs);
    return true;
}

/* ---- annotating verbs ----------------------------------------------------- */

void cli_run_init(cli_run *run)
{
    memset(run, 0, sizeof *run);
    run->ro = spill_reader_options_default();
    run->batch = true;
    const char *env = getenv("SPILL_JOBS");
    run->jobs = env && atoi(env) > 0 ? atoi(env) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (run->jobs < 1)
        run->jobs = 1;
}

int cli_run_option(cli_run *run, int c, const char *arg)
{
    switch (c) {
    case 'm': run->model_dir = arg; return 1;
    case 'o': run->out_path = arg; return 1;
    case 'q': run->quiet = true; return 1;
    case 'j':
        run->jobs = atoi(arg);
        if (run->jobs < 1 || run->jobs > 1024) {
            cli_error("--jobs takes a number from 1 to 1024, not \"%s\"", arg);
            return -1;
        }
        return 1;
    case 1001: run->ro.text_field = arg; return 1;
    case 1002: run->ro.id_field = arg; return 1;
    case 1003:
        if (!strcmp(arg, "jsonl"))
            run->ro.format = SPILL_FORMAT_JSONL;
        else if (!strcmp(arg, "text"))
            run->ro.format = SPILL_FORMAT_TEXT;
        else if (!strcmp(arg, "warc") || !strcmp(arg, "wet"))
            run->ro.format = SPILL_FORMAT_WARC;
        else if (strcmp(arg, "auto")) {
            cli_error("--input-format takes auto, jsonl, warc or text, not \"%s\"", arg);
            return -1;
        }
        return 1;
    case 1004:
        if (!cli_parse_size(arg, &run->ro.max_record_bytes) || !run->ro.max_record_bytes) {
            cli_error("--max-record-size: \"%s\" is not a size", arg);
            return -1;
        }
        return 1;
    case 1005: run->batch = false; return 1;
    case 1006: run->sketch = arg; return 1;
    default: return 0;
    }
}

void *cli_make_ctx(cli_run *run, int i)
{
    (void)i;
    cli_worker *w = calloc(1, sizeof *w);
    spill_error err = {0};
    spill_options o = spill_options_default();
    o.max_text_bytes = run->ro.max_record_bytes;
    if (w)
        w->ctx = spill_ctx_new(run->model, &o, &err);
    if (!w || !w->ctx) {
        cli_error("%s", w ? err.message : "out of memory");
        free(w);
        return NULL;
    }
    w->run = run;
    return w;
}

void cli_free_ctx(void *state)
{
    cli_worker *w = state;
    spill_ctx_free(w->ctx);
    free(w);
}

int cli_run_records(cli_run *run, char **files, int n_files, cli_work_fn fn,
                    void *(*make_state)(cli_run *run, int i), void (*free_state)(void *state),
                    cli_emit_fn emit, void *emit_user)
{
    run->model = cli_load_model(run->model_dir, false);
    if (!run->model)
        return EXIT_USAGE;
    snprintf(run->model_name, sizeof run->model_name, "%s (%s)", spill_model_name(run->model),
             spill_model_dir(run->model));
    int status = EXIT_USAGE, made = 0;
    void **states = calloc((size_t)run->jobs, sizeof *states);
    cli_pool *pool = NULL;
    if (!states)
        goto done;
    for (; made < run->jobs; made++)
        if (!(states[made] = make_state(run, made)))
            goto done;
    if (!cli_line_stats(run->sketch, run->batch, files, n_files, &run->ro, run->jobs,
                        &run->stats))
        goto done;
    if (!run->no_output && !cli_output_open(&run->out, run->out_path))
        goto done;
    pool = cli_pool_new(run->jobs, fn, states, run->no_output ? NULL : &run->out, emit, emit_user);
    if (!pool) {
        cli_error("out of memory");
        if (!run->no_output)
            cli_output_close(&run->out, false);
        goto done;
    }
    cli_progress progress;
    cli_progress_init(&progress, run->quiet, files, n_files);
    status = cli_each_record(files, n_files, &run->ro, &progress, submit, pool);
    int worst = cli_pool_finish(pool);
    cli_progress_done(&progress);
    if (worst > status)
        status = worst;
    if (!run->no_output && !cli_output_close(&run->out, status != EXIT_USAGE))
        status = EXIT_USAGE;
done:
    for (int i = 0; i < made; i++)
        free_state(states[i]);
    free(states);
    spill_linestats_free(run->stats);
    spill_model_free(run->model);
    return status;
}

const spill_page *cli_annotate(spill_ctx *ctx, const cli_run *run, const spill_record *rec,
                               spill_buf *out, int *status)
{
    char name[512];
    *status = EXIT_DONE;
    if (rec->error) {
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), rec->error);
        spill_write_error(out, rec->id, rec->error);
        *status = EXIT_RECORD_ERRORS;
        return NULL;
    }
    spill_hints hints = {.url = rec->url, .batch = run->stats};
    const spill_page *page = NULL;
    if (spill_annotate(ctx, rec->id, rec->text, rec->text_len, &hints, &page)) {
        const char *msg = spill_ctx_message(ctx);
        cli_error("%s: %s", cli_record_name(rec, name, sizeof name), msg);
        spill_write_error(out, rec->id, msg);
        *status = EXIT_RECORD_ERRORS;
        return NULL;
    }
    return page;
}
