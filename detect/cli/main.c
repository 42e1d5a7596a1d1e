/*
 * main.c - the spill command: dispatches verbs.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} VERBS[] = {
    {"score", cmd_score, "one annotation record (JSONL) per input record"},
    {"clean", cmd_clean, "the input records with their text reduced to content"},
    {"explain", cmd_explain, "one page in the terminal, spans coloured, with reasons"},
    {"report", cmd_report, "a self-contained HTML report (and JSON summary) of a batch"},
    {"gate", cmd_gate, "a CI gate: thresholds in, pass/fail and JUnit XML out"},
    {"sketch", cmd_sketch, "a mergeable sketch of line counts over a corpus's shards"},
    {"eval", cmd_eval, "accuracy against labelled pages (JSONL with \"labels\" or \"spans\")"},
    {"features", cmd_features, "feature vectors of labelled pages, for training/"},
};

static void usage(FILE *f)
{
    fputs("usage: spill VERB [options] [FILE...]\n"
          "\n"
          "Finds what does not belong in scraped web text - boilerplate, spillover from\n"
          "other pages, foreign-language artefacts, duplicates, garbage - and scores how\n"
          "clean each page is.  FILE is JSONL (records with \"id\" and \"text\"), WARC/WET\n"
          "(conversion and response records) or plain text (one page), gzip- or\n"
          "zstd-compressed or not; none or \"-\" is stdin.\n"
          "\n"
          "verbs:\n",
          f);
    for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++)
        fprintf(f, "  %-9s %s\n", VERBS[i].name, VERBS[i].summary);
    fputs("\n"
          "spill VERB --help shows a verb's options and examples.\n"
          "spill --version shows the versions of spill, its model format and libraries.\n"
          "\n"
          "exit status: 0 done, 1 some records failed (each has an error record),\n"
          "2 usage or I/O error.\n",
          f);
}

static int version(void)
{
    char deps[512];
    printf("spill %s (model format %d, feature schema %s v%d)\n%s\n", spill_version(),
           SPILL_MODEL_FORMAT, spill_schema_name(), spill_schema_version(),
           spill_deps_version(deps, sizeof deps));
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    /* CLD2 allocates large scratch buffers on every call; above glibc's
     * default mmap threshold each one is an mmap and munmap, and the kernel
     * time exceeds the detection's.  Keep such blocks in the heap, and
     * return heap memory to the system only in large steps.  The process's
     * business, not the library's. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[1];
    if (!strcmp(verb, "--help") || !strcmp(verb, "-h") || !strcmp(verb, "help")) {
        usage(stdout);
        return EXIT_DONE;
    }
    if (!strcmp(verb, "--version") || !strcmp(verb, "-V"))
        return version();
    for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++)
        if (!strcmp(verb, VERBS[i].name))
            return VERBS[i].run(argc - 1, argv + 1);
    cli_error("unknown verb \"%s\"", verb);
    usage(stderr);
    return EXIT_USAGE;
}
