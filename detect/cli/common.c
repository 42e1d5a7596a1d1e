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
    fputs("spill: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
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
                    cli_record_fn fn, void *user)
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
            int s = fn(user, rec);
            spill_record_free(rec);
            if (s > worst)
                worst = s;
            if (s == EXIT_USAGE) {
                spill_reader_free(r);
                return s;
            }
        }
        spill_reader_free(r);
    }
    return worst;
}

static bool is_regular(const char *path)
{
    struct stat st;
    return path && strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int add_page(void *user, spill_record *rec)
{
    if (rec->text)
        spill_linestats_add(user, rec->text, rec->text_len);
    return EXIT_DONE;
}

spill_linestats *cli_batch_stats(char **files, int n_files, const spill_reader_options *ro)
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
    if (cli_each_record(files, n_files, ro, add_page, s) == EXIT_USAGE) {
        spill_linestats_free(s);
        return NULL;
    }
    return s;
}
