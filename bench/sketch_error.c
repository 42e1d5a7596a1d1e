/*
 * sketch_error - how far the batch sketch's counts (linestats.c) are from the
 * truth as a batch grows.
 *
 *   build/bench/sketch_error [DISTINCT_LINES...]   (default 70000 300000 1000000 3000000)
 *
 * For each size: that many distinct line hashes, 95% on one page each and 5%
 * site chrome on 2 to 1,000 pages (a heavy tail: pages = 1 + 1/u^(1/1.2),
 * u uniform), added 100 a page in a shuffled order through the library's own
 * sketch; then every line's count is read back.  Prints the share of
 * one-page lines that read as on two pages or more (what flips repeat_batch
 * from 0), and the mean overcount over all lines.  Deterministic.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static uint64_t state = 0x853C49E6748FEA9Bull;

static uint64_t next(void)
{
    /* splitmix64 */
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int run(size_t n)
{
    uint64_t *hash = malloc(n * sizeof *hash);
    uint32_t *pages = malloc(n * sizeof *pages);
    if (!hash || !pages)
        return 1;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        hash[i] = next() | 1;  /* 0 is no line */
        double u = (double)(next() >> 11) / (double)(1ull << 53);
        uint32_t p = 1;
        if (i % 20 == 0) {
            double x = 1.0 + 1.0 / pow(u > 1e-12 ? u : 1e-12, 1.0 / 1.2);
            p = x > 1000 ? 1000 : (uint32_t)x;
        }
        pages[i] = p;
        total += p;
    }
    /* Every occurrence, shuffled, then cut into pages of 100. */
    uint64_t *occ = malloc(total * sizeof *occ);
    if (!occ)
        return 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < pages[i]; j++)
            occ[k++] = hash[i];
    for (size_t i = total - 1; i > 0; i--) {
        size_t j = (size_t)(next() % (i + 1));
        uint64_t t = occ[i];
        occ[i] = occ[j];
        occ[j] = t;
    }
    spill_error err = {0};
    spill_linestats *s = spill_linestats_new(NULL, &err);
    if (!s) {
        fprintf(stderr, "sketch_error: %s\n", err.message);
        return 1;
    }
    for (size_t i = 0; i < total; i += 100)
        spill_linestats_add_hashes(s, occ + i, total - i < 100 ? total - i : 100);
    size_t single = 0, over = 0;
    double excess = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = linestats_count(s, hash[i]);
        excess += (double)c - pages[i];
        if (pages[i] == 1) {
            single++;
            over += c > 1;
        }
    }
    printf("%9zu distinct lines, %9zu occurrences: one-page lines read as repeated %7.3f%%, "
           "mean overcount %.4f pages\n",
           n, total, 100.0 * (double)over / (double)single, excess / (double)n);
    spill_linestats_free(s);
    free(occ);
    free(hash);
    free(pages);
    return 0;
}

int main(int argc, char **argv)
{
    size_t def[] = {70000, 300000, 1000000, 3000000};
    int st = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            st |= run((size_t)strtoull(argv[i], NULL, 10));
    } else {
        for (size_t i = 0; i < sizeof def / sizeof *def; i++)
            st |= run(def[i]);
    }
    return st;
}
