/*
 * cli.h - what the verbs of the spill command share.  The CLI uses only the
 * public header spill.h.
 */
#ifndef SPILL_CLI_H
#define SPILL_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "spill.h"

/* Exit statuses. */
enum { EXIT_DONE = 0, EXIT_RECORD_ERRORS = 1, EXIT_USAGE = 2 };

int cmd_score(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sketch(int argc, char **argv);
int cmd_gate(int argc, char **argv);

/* Prints "spill: " and the message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the model (dir NULL: the default), printing why not on failure. */
spill_model *cli_load_model(const char *dir, bool tables_only);

/* Parses a size such as "64M", "1G", "4096"; false if malformed. */
bool cli_parse_size(const char *s, size_t *out);

/* Output: stdout, or a file written through a temporary and renamed into
 * place by cli_output_close, so a killed run leaves no partial file. */
typedef struct cli_output {
    FILE *f;
    const char *path;
    char *tmp;
} cli_output;

bool cli_output_open(cli_output *o, const char *path);
bool cli_output_write(cli_output *o, const char *data, size_t len);
/* Flushes and closes; false (and a message) if any write failed. */
bool cli_output_close(cli_output *o, bool keep);

/* Progress on stderr (progress.c). */
typedef struct cli_progress {
    bool on;
    double start, last;
    uint64_t records, bytes, done_bytes, total;
} cli_progress;

void cli_progress_init(cli_progress *p, bool quiet, char **files, int n_files);
void cli_progress_update(cli_progress *p, uint64_t bytes_in_file, bool force);
void cli_progress_file_done(cli_progress *p, uint64_t file_bytes);
void cli_progress_done(cli_progress *p);

/* Calls fn for every record of every input ("-" or none: stdin); fn takes
 * ownership of the record.  Returns EXIT_USAGE when an input cannot be
 * opened or read, else the worst status fn returned.  Skipped WARC records
 * are reported on stderr.  `progress` may be NULL. */
typedef int (*cli_record_fn)(void *user, spill_record *rec);
int cli_each_record(char **files, int n_files, const spill_reader_options *ro,
                    cli_progress *progress, cli_record_fn fn, void *user);

/* A record's name for messages: 'pages.jsonl:17 (id "a1")'. */
const char *cli_record_name(const spill_record *rec, char *buf, size_t cap);

/* Counts every input's lines for the batch-repetition feature: a first pass
 * over regular files.  Returns NULL (no counts) if an input is a pipe. */
spill_linestats *cli_batch_stats(char **files, int n_files, const spill_reader_options *ro,
                                 int jobs);

/* The line counts of a run: the sketch file when `sketch` is set, else the
 * inputs' own counts when `batch` (cli_batch_stats), else none.  Returns false
 * (message printed) when the sketch cannot be loaded; *out may be NULL on
 * success. */
bool cli_line_stats(const char *sketch, bool batch, char **files, int n_files,
                    const spill_reader_options *ro, int jobs, spill_linestats **out);

/* Worker threads with ordered output (pool.c).  fn processes one record
 * into output bytes and optionally a result (the record is freed after);
 * state[i] is worker i's.  emit (may be NULL) receives every result in
 * input order, in the calling thread, and returns the record's status;
 * `out` (may be NULL) receives the bytes in input order. */
typedef struct cli_pool cli_pool;
typedef int (*cli_work_fn)(void *state, const spill_record *rec, spill_buf *out, void **result);
typedef int (*cli_emit_fn)(void *user, void *result, int status);
cli_pool *cli_pool_new(int jobs, cli_work_fn fn, void **states, cli_output *out,
                       cli_emit_fn emit, void *emit_user);
/* Takes ownership of rec; EXIT_USAGE when writing failed. */
int cli_pool_submit(cli_pool *p, spill_record *rec);
/* Waits for every record, writes the rest, frees the pool; the worst
 * status of any record. */
int cli_pool_finish(cli_pool *p);

/* ---- a verb that annotates every record (score, clean) ---------------- */

/* Options the annotating verbs share, as getopt_long entries and help. */
#define CLI_RUN_OPTIONS                                                 \
    {"model", required_argument, NULL, 'm'},                            \
    {"output", required_argument, NULL, 'o'},                           \
    {"jobs", required_argument, NULL, 'j'},                             \
    {"quiet", no_argument, NULL, 'q'},                                  \
    {"text-field", required_argument, NULL, 1001},                      \
    {"id-field", required_argument, NULL, 1002},                        \
    {"input-format", required_argument, NULL, 1003},                    \
    {"max-record-size", required_argument, NULL, 1004},                 \
    {"no-batch", no_argument, NULL, 1005},                              \
    {"sketch", required_argument, NULL, 1006},                          \
    {"help", no_argument, NULL, 'h'}
#define CLI_RUN_SHORT "m:o:j:qh"
#define CLI_RUN_HELP                                                                      \
    "  -m, --model DIR         model directory (default: the installed model)\n"          \
    "  -o, --output FILE       write to FILE (through a temporary, renamed when done)\n"   \
    "  -j, --jobs N            worker threads (default: $SPILL_JOBS, else all cores);\n"  \
    "                          output is in input order and the same for any N\n"         \
    "  -q, --quiet             no progress on stderr\n"                                   \
    "      --text-field PATH   the text field of JSONL records (default \"text\");\n"     \
    "                          dotted paths reach nested fields\n"                        \
    "      --id-field PATH     the id field (default \"id\"); records without one get\n"  \
    "                          FILE:LINE\n"                                               \
    "      --input-format F    auto (default: by name, then by content), jsonl, warc\n"   \
    "                          or text\n"                                                 \
    "      --max-record-size N largest text accepted, e.g. 64M (default); a larger one\n" \
    "                          becomes an error record\n"                                 \
    "      --no-batch          no first pass counting lines across the input's pages\n"   \
    "      --sketch FILE       line counts of a whole corpus (spill sketch) instead\n"     \
    "  -h, --help              this help\n"

typedef struct cli_run {
    const char *model_dir, *out_path, *sketch;
    spill_reader_options ro;
    bool batch, quiet;
    int jobs;
    unsigned write_flags;     /* SPILL_WRITE_* for the output records */
    bool no_output;           /* report, gate: results only, nothing written */
    const void *verb;         /* the verb's own options, for its workers */
    /* set by cli_run_records */
    spill_model *model;
    char model_name[256];     /* the model's name and directory, kept after it is freed */
    spill_linestats *stats;
    cli_output out;
} cli_run;

void cli_run_init(cli_run *run);
/* Handles one of CLI_RUN_OPTIONS: 1 handled, 0 not one of them, -1 bad
 * value (a message was printed). */
int cli_run_option(cli_run *run, int c, const char *arg);

/* Loads the model, counts the batch's lines, opens the output, runs fn on
 * every record with `jobs` workers (make_state(run, i) gives worker i its
 * state, free_state releases it; emit sees results in order, may be NULL)
 * and closes everything.  With run->no_output nothing is written.  The exit
 * status. */
int cli_run_records(cli_run *run, char **files, int n_files, cli_work_fn fn,
                    void *(*make_state)(cli_run *run, int i), void (*free_state)(void *state),
                    cli_emit_fn emit, void *emit_user);

/* A worker state holding a context on the run's model: the usual
 * make_state/free_state of cli_run_records. */
void *cli_make_ctx(cli_run *run, int i);
void cli_free_ctx(void *state);
typedef struct cli_worker {
    spill_ctx *ctx;
    const cli_run *run;
} cli_worker;

/* Annotates a record with the run's batch counts; on failure writes an error
 * record into out and returns NULL (the status in *status). */
const spill_page *cli_annotate(spill_ctx *ctx, const cli_run *run, const spill_record *rec,
                               spill_buf *out, int *status);

/* The summary of the inputs (summarize.c): raw records annotated, annotation
 * records of spill score as they are.  The exit status; record errors are
 * counted in the summary. */
int cli_summarize(cli_run *run, char **files, int n_files, spill_summary *s);

/* Writes a summary as JSON into path, through a temporary (cmd_report.c). */
bool cli_write_summary_json(const char *path, const spill_summary *s);

/* Writes the self-contained HTML report of a summary (report_html.c). */
bool cli_report_html(FILE *f, const spill_summary *s, const char *title, const char *model);

#endif
