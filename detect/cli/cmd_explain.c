/*
 * cmd_explain.c - spill explain: one page in the terminal, its spans
 * coloured by label with the reason for each; a plain listing of the spans
 * when stdout is not a terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char USAGE[] =
    "usage: spill explain [options] FILE [ID]\n"
    "\n"
    "Shows one page - FILE if it is a text file, else the record ID (or the first\n"
    "record) of FILE - with every span coloured by its label and, after each span\n"
    "that is not content, its label and the reason.  When stdout is not a terminal\n"
    "(or with --color never) it lists the spans instead: label, offsets, p, reason\n"
    "and text.\n"
    "\n"
    "options:\n"
    "  -m, --model DIR      model directory\n"
    "      --color WHEN     auto (default), always or never\n"
    "      --text-field P   the text field of JSONL records (default \"text\")\n"
    "      --id-field P     the id field (default \"id\")\n"
    "  -h, --help           this help\n"
    "\n"
    "examples:\n"
    "  spill explain seeds/000_4b7c8317d8a84a7b.txt\n"
    "  spill explain shard.jsonl.gz 'urn:uuid:3c6f...' | less -R\n";

/* ANSI colours per label: content plain, chrome dim, spillover yellow,
 * foreign magenta, duplicate cyan, garbage red. */
static const char *const COLOUR[SPILL_LABEL_COUNT] = {
    "", "\033[2m", "\033[33m", "\033[35;1m", "\033[36m", "\033[41;97m",
};

typedef struct find {
    const char *id;
    spill_record *found;
} find;

static int pick(void *user, spill_record *rec)
{
    find *f = user;
    if (!f->found && (!f->id || (rec->id && !strcmp(rec->id, f->id)))) {
        f->found = rec;
        return EXIT_DONE;
    }
    spill_record_free(rec);
    return EXIT_DONE;
}

static void show_coloured(const spill_page *p)
{
    for (size_t i = 0; i < p->n_spans; i++) {
        const spill_span *s = &p->spans[i];
        const char *t = p->text + s->start;
        size_t n = s->end - s->start, body = n;
        while (body && (t[body - 1] == '\n' || t[body - 1] == '\r'))
            body--;  /* the reason goes before the line end */
        fputs(COLOUR[s->label], stdout);
        fwrite(t, 1, body, stdout);
        fputs("\033[0m", stdout);
        if (s->label != SPILL_LABEL_CONTENT)
            printf(" \033[2;3m⟨%s %.2f: %s⟩\033[0m", spill_label_name(s->label), s->p, s->why);
        fwrite(t + body, 1, n - body, stdout);
    }
    putchar('\n');
    printf("\n\033[2mlegend:\033[0m");
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        printf(" %s%s\033[0m", COLOUR[k], spill_label_name((spill_label)k));
    putchar('\n');
}

static void show_plain(const spill_page *p)
{
    for (size_t i = 0; i < p->n_spans; i++) {
        const spill_span *s = &p->spans[i];
        printf("%-11s %6zu-%-6zu p %.2f  %s%s\n", spill_label_name(s->label), s->start_cp,
               s->end_cp, s->p, s->lang, *s->why ? "" : "");
        if (*s->why)
            printf("            why: %s\n", s->why);
        /* The text, each line indented, white space at the ends trimmed. */
        const char *t = p->text + s->start, *e = p->text + s->end;
        while (t < e && (*t == ' ' || *t == '\n' || *t == '\r'))
            t++;
        while (e > t && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r'))
            e--;
        fputs("            | ", stdout);
        for (; t < e; t++) {
            putchar(*t == '\r' ? ' ' : *t);
            if (*t == '\n')
                fputs("            | ", stdout);
        }
        putchar('\n');
    }
}

int cmd_explain(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"color", required_argument, NULL, 1},
        {"colour", required_argument, NULL, 1},
        {"text-field", required_argument, NULL, 2},
        {"id-field", required_argument, NULL, 3},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_dir = NULL, *color = "auto";
    spill_reader_options ro = spill_reader_options_default();
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model_dir = optarg; break;
        case 1: color = optarg; break;
        case 2: ro.text_field = optarg; break;
        case 3: ro.id_field = optarg; break;
        case 'h': fputs(USAGE, stdout); return EXIT_DONE;
        default: fputs(USAGE, stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc || argc - optind > 2 ||
        (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never"))) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    find f = {.id = argc - optind == 2 ? argv[optind + 1] : NULL};
    if (cli_each_record(argv + optind, 1, &ro, NULL, pick, &f) == EXIT_USAGE)
        return EXIT_USAGE;
    if (!f.found) {
        cli_error("%s: no record%s%s", argv[optind], f.id ? " with id " : "", f.id ? f.id : "");
        return EXIT_USAGE;
    }
    if (f.found->error) {
        cli_error("%s: %s", argv[optind], f.found->error);
        spill_record_free(f.found);
        return EXIT_RECORD_ERRORS;
    }
    spill_model *model = cli_load_model(model_dir, false);
    spill_ctx *ctx = model ? spill_ctx_new(model, NULL, NULL) : NULL;
    int status = EXIT_USAGE;
    const spill_page *p;
    spill_hints hints = {.url = f.found->url};
    if (ctx && !spill_annotate(ctx, f.found->id, f.found->text, f.found->text_len, &hints, &p)) {
        bool tty = !strcmp(color, "always") || (!strcmp(color, "auto") && isatty(1));
        printf("%s%s%s  lang %s (%.2f)  score %.2f", tty ? "\033[1m" : "", p->id ? p->id : "-",
               tty ? "\033[0m" : "", p->lang, p->lang_conf, p->score);
        for (int k = 0; k < SPILL_LABEL_COUNT; k++)
            if (p->counts[k])
                printf("  %s %zu", spill_label_name((spill_label)k), p->counts[k]);
        printf("\n\n");
        if (tty)
            show_coloured(p);
        else
            show_plain(p);
        status = fflush(stdout) || ferror(stdout) ? EXIT_USAGE : EXIT_DONE;
    } else if (ctx) {
        cli_error("%s: %s", argv[optind], spill_ctx_message(ctx));
        status = EXIT_RECORD_ERRORS;
    }
    spill_ctx_free(ctx);
    spill_model_free(model);
    spill_record_free(f.found);
    return status;
}
