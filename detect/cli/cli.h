/*
 * cli.h - what the verbs of the spill command share.  The CLI uses only the
 * public header spill.h.
 */
#ifndef SPILL_CLI_H
#define SPILL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "spill.h"

/* Exit statuses. */
enum { EXIT_DONE = 0, EXIT_RECORD_ERRORS = 1, EXIT_USAGE = 2 };

int cmd_score(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_eval(int argc, char **argv);

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

/* Calls fn for every record of every input ("-" or none: stdin).  Returns
 * EXIT_USAGE when an input cannot be opened or read, else the worst status
 * fn returned. */
typedef int (*cli_record_fn)(void *user, spill_record *rec);
int cli_each_record(char **files, int n_files, const spill_reader_options *ro,
                    cli_record_fn fn, void *user);

/* A record's name for messages: 'pages.jsonl:17 (id "a1")'. */
const char *cli_record_name(const spill_record *rec, char *buf, size_t cap);

/* Counts every input's lines for the batch-repetition feature: a first pass
 * over regular files.  Returns NULL (no counts) if an input is a pipe. */
spill_linestats *cli_batch_stats(char **files, int n_files, const spill_reader_options *ro);

#endif
