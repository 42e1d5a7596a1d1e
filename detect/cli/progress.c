/*
 * progress.c - progress on stderr while it is a terminal: records, MB read,
 * MB/s, and the time left when the input size is known.  A few refreshes a
 * second at most; nothing at all when stderr is not a terminal or --quiet.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress *p, bool quiet, char **files, int n_files)
{
    p->on = !quiet && isatty(2);
    p->start = p->last = now();
    p->records = p->done_bytes = p->bytes = p->total = 0;
    for (int i = 0; i < n_files; i++) {
        struct stat st;
        if (stat(files[i], &st) || !S_ISREG(st.st_mode)) {
            p->total = 0;
            break;
        }
        p->total += (uint64_t)st.st_size;
    }
}

void cli_progress_update(cli_progress *p, uint64_t bytes_in_file, bool force)
{
    p->records++;
    p->bytes = p->done_bytes + bytes_in_file;
    if (!p->on)
        return;
    double t = now();
    if (!force && t - p->last < 0.25)
        return;
    p->last = t;
    double mb = p->bytes / 1e6, rate = mb / (t - p->start > 1e-3 ? t - p->start : 1e-3);
    fprintf(stderr, "\r\033[Kspill: %llu records, %.1f MB, %.1f MB/s",
            (unsigned long long)p->records, mb, rate);
    if (p->total && rate > 0) {
        double left = (p->total / 1e6 - mb) / rate;
        fprintf(stderr, ", %.0f%%, %dm%02ds left", 100.0 * p->bytes / p->total, (int)left / 60,
                (int)left % 60);
    }
    fflush(stderr);
}

void cli_progress_file_done(cli_progress *p, uint64_t file_bytes)
{
    p->done_bytes += file_bytes;
}

void cli_progress_done(cli_progress *p)
{
    if (p->on)
        fputs("\r\033[K", stderr);
}
