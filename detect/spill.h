/*
 * spill.h - the public interface of libspill, a multilingual text-quality and
 * spillover detector for scraped web text.
 *
 * A page's text is cut into spans, every byte in exactly one span, each span
 * labelled content, boilerplate, spillover, foreign, duplicate or garbage; the
 * page gets a cleanliness score in [0, 1] (see SPEC.md).
 *
 * THREAD SAFETY
 *   spill_model   immutable once loaded: share one among any number of threads.
 *   spill_ctx     one per thread; owns the scratch memory of the page being
 *                 annotated.  Results borrowed from a ctx live until the next
 *                 call on that ctx.
 *   spill_reader  one per thread.
 *   spill_linestats  built by one thread, then read-only and shareable.
 *   Everything else is a pure function.  The library keeps no global state,
 *   never prints, never exits; errors come back as spill_status values with a
 *   message, diagnostics through the optional log callback.
 *
 * OWNERSHIP
 *   Whatever the caller must release has a spill_*_free() that accepts NULL;
 *   never release library memory with free().
 */
#ifndef SPILL_H
#define SPILL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SPILL_BUILD_SHARED) && defined(__GNUC__)
#define SPILL_API __attribute__((visibility("default")))
#else
#define SPILL_API
#endif

/* ---- versions --------------------------------------------------------- */

#define SPILL_VERSION_MAJOR 0
#define SPILL_VERSION_MINOR 1
#define SPILL_VERSION_PATCH 0
#define SPILL_VERSION_STRING "0.1.0"
#define SPILL_VERSION_NUMBER \
    (SPILL_VERSION_MAJOR * 10000 + SPILL_VERSION_MINOR * 100 + SPILL_VERSION_PATCH)

/* The model directory format this library reads (manifest "spill-model N"). */
#define SPILL_MODEL_FORMAT 1

/* The library's version string, e.g. "0.1.0"; compare with
 * SPILL_VERSION_STRING to catch a header/library mismatch. */
SPILL_API const char *spill_version(void);
/* SPILL_VERSION_NUMBER of the compiled library. */
SPILL_API int spill_version_number(void);
/* Writes one line naming the versions of CLD2, ICU, utf8proc, libsvm,
 * jansson, zlib and zstd into buf; returns buf. */
SPILL_API const char *spill_deps_version(char *buf, size_t cap);

/* ---- errors ----------------------------------------------------------- */

/* Values are never renumbered; new ones go at the end. */
typedef enum spill_status {
    SPILL_OK = 0,
    SPILL_E_NOMEM = 1,         /* an allocation failed */
    SPILL_E_IO = 2,            /* reading or writing a file failed */
    SPILL_E_INPUT = 3,         /* a record or text cannot be processed */
    SPILL_E_MODEL_FORMAT = 4,  /* a model file is missing, corrupt or of another format */
    SPILL_E_MODEL_SCHEMA = 5,  /* a model's feature schema differs from the code's */
    SPILL_E_INVALID_ARG = 6,   /* a caller passed a bad argument */
    SPILL_E_TOO_LARGE = 7,     /* a text exceeds spill_options.max_text_bytes */
    SPILL_E_INTERNAL = 8       /* a dependency failed unexpectedly */
} spill_status;

/* A constant English description of a status ("out of memory"). */
SPILL_API const char *spill_status_str(spill_status status);

/* Filled by constructors that fail.  `offset` is a byte offset into the
 * input concerned, or -1. */
typedef struct spill_error {
    spill_status status;
    int64_t offset;
    char message[512];
} spill_error;

/* ---- labels ----------------------------------------------------------- */

typedef enum spill_label {
    SPILL_LABEL_CONTENT = 0,
    SPILL_LABEL_BOILERPLATE = 1,
    SPILL_LABEL_SPILLOVER = 2,
    SPILL_LABEL_FOREIGN = 3,
    SPILL_LABEL_DUPLICATE = 4,
    SPILL_LABEL_GARBAGE = 5
} spill_label;
#define SPILL_LABEL_COUNT 6

/* "content", "boilerplate", ...; NULL for a value out of range. */
SPILL_API const char *spill_label_name(spill_label label);
/* The label named `name`, or -1. */
SPILL_API int spill_label_from_name(const char *name);

/* ---- options ---------------------------------------------------------- */

/* Allocation hook.  All of libspill's own allocations for models, contexts
 * and pages pass here (ICU, CLD2 and libsvm allocate on their own).  Any
 * function left NULL means the C library's. */
typedef struct spill_allocator {
    void *(*malloc_fn)(void *user, size_t size);
    void *(*realloc_fn)(void *user, void *ptr, size_t size);
    void (*free_fn)(void *user, void *ptr);
    void *user;
} spill_allocator;

typedef enum spill_log_level {
    SPILL_LOG_ERROR = 0,
    SPILL_LOG_WARN = 1,
    SPILL_LOG_INFO = 2,
    SPILL_LOG_DEBUG = 3
} spill_log_level;

typedef void (*spill_log_fn)(void *user, spill_log_level level, const char *message);

/* Options are a plain struct: get the defaults, then edit fields, so that new
 * fields never break callers. */
typedef struct spill_options {
    spill_allocator alloc;
    spill_log_fn log;         /* NULL: diagnostics are dropped */
    void *log_user;
    size_t max_text_bytes;    /* longer texts get SPILL_E_TOO_LARGE; default 64 MiB */
} spill_options;

SPILL_API spill_options spill_options_default(void);

/* ---- models ----------------------------------------------------------- */

typedef struct spill_model spill_model;

/* Loads the model directory `dir` (manifest.txt, model.svm, features.tsv,
 * stopwords.tsv, chrome.tsv).  With `dir` NULL, finds the default model:
 * $SPILL_MODEL, then PREFIX/share/spill/models/NAME next to the running
 * program (PREFIX/bin), then the installed data directory, then the source
 * tree the library was built from.  A model whose
 * format or feature schema differs from this library's is refused, naming
 * both.  Call before starting threads (libsvm's loader touches the process
 * locale).  Returns NULL on failure and fills `err` (which may be NULL). */
SPILL_API spill_model *spill_model_load(const char *dir, const spill_options *opts,
                                        spill_error *err);

/* Like spill_model_load, for `spill features`: only the tables are needed -
 * a model directory, or a directory holding just stopwords.tsv and
 * chrome.tsv as training makes them.  A model loaded so cannot annotate. */
SPILL_API spill_model *spill_model_load_tables(const char *dir, const spill_options *opts,
                                               spill_error *err);

SPILL_API void spill_model_free(spill_model *model);

/* The model's name ("spill-1") and the directory it was loaded from. */
SPILL_API const char *spill_model_name(const spill_model *model);
SPILL_API const char *spill_model_dir(const spill_model *model);

/* The feature schema the code computes: its name, version, and feature names
 * in order.  `i` out of range gives NULL. */
SPILL_API const char *spill_schema_name(void);
SPILL_API int spill_schema_version(void);
SPILL_API size_t spill_schema_size(void);
SPILL_API const char *spill_schema_feature(size_t i);

/* ---- corpus line statistics ------------------------------------------ */

/* Counts of normalised line hashes over a batch of pages: a line that recurs
 * on many pages of a batch is site chrome.  Build with _add for each page (a
 * first pass over the input), then pass through spill_hints.  A count-min
 * sketch: fixed memory (4 rows of 2^20 32-bit counters, 16 MiB); a count is
 * never below the truth, and exceeds it by more than 2N/2^20 (N: distinct
 * lines added over all pages) with probability at most 1/16. */
typedef struct spill_linestats spill_linestats;

SPILL_API spill_linestats *spill_linestats_new(const spill_options *opts, spill_error *err);
/* Adds one page's distinct lines.  Not thread-safe on the same object. */
SPILL_API spill_status spill_linestats_add(spill_linestats *stats, const char *text, size_t len);
/* The two halves of _add, so that many threads can hash pages while one
 * adds them: _page_hashes (thread-safe: it only reads `stats`' allocator)
 * puts a page's distinct line hashes in a new array, *hashes (NULL when
 * n is 0); _add_hashes adds them as one page; _hashes_free frees the array. */
SPILL_API spill_status spill_linestats_page_hashes(const spill_linestats *stats, const char *text,
                                                   size_t len, uint64_t **hashes, size_t *n);
SPILL_API void spill_linestats_add_hashes(spill_linestats *stats, const uint64_t *hashes,
                                          size_t n);
SPILL_API void spill_linestats_hashes_free(const spill_linestats *stats, uint64_t *hashes);
/* Pages added so far. */
SPILL_API uint64_t spill_linestats_pages(const spill_linestats *stats);

/* Adds `other`'s counts into `stats`: merging is associative and
 * commutative, so sketching shards apart and merging gives exactly the
 * sketch of the whole.  Both must have the same dimensions. */
SPILL_API spill_status spill_linestats_merge(spill_linestats *stats, const spill_linestats *other);

/* Writes the sketch to a file (a header and the counters, 16 MiB), or
 * reads one back; a damaged or foreign file is refused naming the problem. */
SPILL_API spill_status spill_linestats_save(const spill_linestats *stats, const char *path,
                                            spill_error *err);
SPILL_API spill_linestats *spill_linestats_load(const char *path, const spill_options *opts,
                                                spill_error *err);
SPILL_API void spill_linestats_free(spill_linestats *stats);

/* ---- annotation ------------------------------------------------------- */

typedef struct spill_ctx spill_ctx;

/* A context for one thread, borrowing `model` (which must outlive it).
 * Returns NULL on failure and fills `err`. */
SPILL_API spill_ctx *spill_ctx_new(const spill_model *model, const spill_options *opts,
                                   spill_error *err);
SPILL_API void spill_ctx_free(spill_ctx *ctx);

/* What is known of a page besides its text; every field may be NULL. */
typedef struct spill_hints {
    const char *url;               /* its host's TLD hints the language */
    const char *content_language;  /* an HTTP Content-Language value */
    const spill_linestats *batch;  /* line counts over the batch */
} spill_hints;

typedef struct spill_span {
    size_t start, end;        /* byte offsets into spill_page.text */
    size_t start_cp, end_cp;  /* the same in Unicode code points */
    spill_label label;
    float p;                  /* the classifier's confidence in the label */
    char lang[12];            /* language of the span's text, "und" if unknown */
    const char *why;          /* a few words on the evidence; "" for content */
} spill_span;

/* A name and its share, for the language and script mixes. */
typedef struct spill_share {
    char name[32];
    double share;
} spill_share;

typedef struct spill_page {
    const char *id;
    const char *text;         /* the text annotated: the input with invalid UTF-8
                                 replaced by U+FFFD (then == the input when valid) */
    size_t text_len;          /* bytes */
    size_t text_cp;           /* code points */
    size_t invalid_bytes;     /* bytes of invalid UTF-8 that were replaced */
    char lang[12];            /* ISO 639-1 where it exists, else 639-3; "und" */
    double lang_conf;
    double score;             /* share of non-space characters in content, weighted by p */
    const char *note;         /* why the score is 0 for an empty page, else NULL */
    size_t counts[SPILL_LABEL_COUNT];        /* code points per label */
    size_t counts_bytes[SPILL_LABEL_COUNT];  /* bytes per label */
    const spill_span *spans;  /* in text order, tiling the text */
    size_t n_spans;
    const spill_share *langs;  /* descending share */
    size_t n_langs;
    const spill_share *scripts;
    size_t n_scripts;
} spill_page;

/* Annotates one page.  `text` need not be valid UTF-8 or NUL-terminated; `id`
 * may be NULL.  On success *page points into the ctx and stays valid until the
 * next call on `ctx`.  Errors: SPILL_E_TOO_LARGE, SPILL_E_NOMEM,
 * SPILL_E_INVALID_ARG (a tables-only model), SPILL_E_INTERNAL; then
 * spill_ctx_message() says why.  Thread-safe for distinct contexts. */
SPILL_API spill_status spill_annotate(spill_ctx *ctx, const char *id, const char *text,
                                      size_t len, const spill_hints *hints,
                                      const spill_page **page);

/* A copy of a page the caller owns (text, spans, mixes, reasons); NULL when
 * out of memory.  Release with spill_page_free. */
SPILL_API spill_page *spill_page_copy(const spill_page *page);
SPILL_API void spill_page_free(spill_page *page);

/* The message of the last failure on `ctx` ("" if none). */
SPILL_API const char *spill_ctx_message(const spill_ctx *ctx);

/* ---- gold labels, for training and evaluation ------------------------ */

/* Gold annotation of a page: either one label per line of text.split("\n")
 * (-1 = unknown, skipped) or spans in code points. */
typedef struct spill_gold_span {
    size_t start_cp, end_cp;
    int label;
} spill_gold_span;

typedef struct spill_gold {
    const int *line_labels;   /* NULL if the page has spans instead */
    size_t n_lines;
    const spill_gold_span *spans;
    size_t n_spans;
} spill_gold;

/* Feature vectors of one page's segments, for training.  For each segment,
 * `row` is called with its gold label (-1 if unknown) and spill_schema_size()
 * values.  Works with a tables-only model. */
typedef spill_status (*spill_feature_row_fn)(void *user, size_t segment, int gold_label,
                                             const float *values, size_t n_values);

SPILL_API spill_status spill_features(spill_ctx *ctx, const char *text, size_t len,
                                      const spill_hints *hints, const spill_gold *gold,
                                      spill_feature_row_fn row, void *user);

/* ---- output ----------------------------------------------------------- */

typedef struct spill_record spill_record;  /* an input record, see below */

/* A growable byte buffer the writers append to.  Zero-initialise it; release
 * with spill_buf_free.  Uses the C library's allocator. */
typedef struct spill_buf {
    char *data;
    size_t len, cap;
} spill_buf;

SPILL_API void spill_buf_free(spill_buf *buf);

enum {
    SPILL_WRITE_OFFSETS_BYTES = 1u << 0,  /* offsets and counts in bytes, not code points */
    SPILL_WRITE_DOLMA = 1u << 1,          /* a Dolma attribute record, not an annotation */
    SPILL_WRITE_TEXT = 1u << 2            /* the annotation carries "text" (for report) */
};

/* Appends the annotation record of `page` as one JSON line ("url" added
 * when given, "text" with SPILL_WRITE_TEXT); with
 * SPILL_WRITE_DOLMA, a Dolma attribute record instead:
 *   {"id", "attributes": {"spill__score": [[0, n, score]],
 *    "spill__lang_<code>": [[0, n, conf]], "spill__<label>": [[start, end, p], ...]
 *    for each of the six labels}}. */
SPILL_API spill_status spill_write_page(spill_buf *out, const spill_page *page, const char *url,
                                       unsigned flags);

/* Appends the input record reduced to what survives cleaning: its text made
 * of the spans whose label is in `keep` (a bit mask of 1u << spill_label),
 * the other fields of a JSONL record kept as they were, and "spill_score"
 * added.  A record read from WARC or text becomes {"id", "url", "text",
 * "spill_score"}.  `text_field` is the (dotted) field the text came from. */
SPILL_API spill_status spill_write_clean(spill_buf *out, const spill_record *rec,
                                         const spill_page *page, unsigned keep,
                                         const char *text_field);

/* Appends an error record {"id": id, "error": message} as one JSON line;
 * `id` may be NULL (written as null). */
SPILL_API spill_status spill_write_error(spill_buf *out, const char *id, const char *message);

/* ---- batch summary (report, gate) ------------------------------------- */

/* What a batch of pages looks like, in bounded memory whatever its size:
 * totals, a score histogram, characters per label, the language and script
 * mixes, label shares per source (URL host or input file), the worst pages
 * with their spans, and pages whose language is unknown.  Fields are
 * read-only for callers; the summary owns every pointer. */
#define SPILL_SUMMARY_BINS 100   /* score histogram: [k/100, (k+1)/100) */

typedef struct spill_summary_count {
    char name[64];
    uint64_t pages;
    uint64_t chars;                         /* code points */
    uint64_t label_chars[SPILL_LABEL_COUNT];
    double score_sum;
} spill_summary_count;

typedef struct spill_summary_page {
    char *id, *source;
    double score;
    char lang[12];
    char *text;                /* the first max_text bytes of the page */
    size_t text_len, full_len; /* bytes kept, bytes of the page */
    spill_span *spans;         /* clipped to text_len; `why` strings owned */
    size_t n_spans;
} spill_summary_page;

typedef struct spill_summary {
    uint64_t pages, errors, bytes, chars;
    double score_sum;
    uint64_t hist[SPILL_SUMMARY_BINS];
    uint64_t label_chars[SPILL_LABEL_COUNT];
    spill_summary_count *langs;    /* by main language of the page, most pages first */
    size_t n_langs;
    spill_summary_count *scripts;  /* characters per script */
    size_t n_scripts;
    spill_summary_count *sources;  /* most pages first; the rest in "(other)" */
    size_t n_sources;
    spill_summary_page *worst;     /* lowest scores first */
    size_t n_worst;
    uint64_t und_pages;
    char **und_ids;                /* the first few */
    size_t n_und_ids;
    /* limits */
    size_t max_worst, max_sources, max_text;
} spill_summary;

/* A summary keeping the `worst` lowest-scoring pages (each its first
 * `max_text` bytes) and `max_sources` sources; 0 picks 20, 50 and 20000. */
SPILL_API spill_summary *spill_summary_new(size_t worst, size_t max_sources, size_t max_text);
SPILL_API void spill_summary_free(spill_summary *s);
/* Adds an annotated page; `source` names where it came from (its URL's host
 * is used when it has one).  Not thread-safe on one summary. */
SPILL_API spill_status spill_summary_add(spill_summary *s, const spill_page *page,
                                         const char *url, const char *source);
SPILL_API void spill_summary_add_error(spill_summary *s);
/* Sorts the tables (most pages first) and folds the sources beyond
 * max_sources into "(other)"; call once all pages are in. */
SPILL_API void spill_summary_finish(spill_summary *s);
/* Mean score, median (from the histogram) and the share of pages scoring
 * below x. */
SPILL_API double spill_summary_mean(const spill_summary *s);
SPILL_API double spill_summary_median(const spill_summary *s);
SPILL_API double spill_summary_below(const spill_summary *s, double x);
/* Appends the summary as one JSON document (and a newline). */
SPILL_API spill_status spill_write_summary(spill_buf *out, const spill_summary *s);
/* Reads a summary written by spill_write_summary (the totals, histogram,
 * label, language and script counts; not the pages). */
SPILL_API spill_summary *spill_summary_read(const char *path, spill_error *err);

/* ---- input ------------------------------------------------------------ */

typedef enum spill_format {
    SPILL_FORMAT_AUTO = 0,   /* from the file name, else from the content */
    SPILL_FORMAT_JSONL = 1,
    SPILL_FORMAT_TEXT = 2,   /* the whole input is one page */
    SPILL_FORMAT_WARC = 3    /* WARC/WET: conversion and response records are pages */
} spill_format;

typedef struct spill_reader_options {
    spill_format format;
    const char *text_field;   /* default "text" */
    const char *id_field;     /* default "id" */
    size_t max_record_bytes;  /* longer records become error records; default 64 MiB */
    int want_gold;            /* parse "labels"/"spans" into spill_record.gold */
    int keep_json;            /* keep each JSONL object in spill_record.json */
} spill_reader_options;

SPILL_API spill_reader_options spill_reader_options_default(void);

/* Readers and records use the C library's allocator, not spill_options'. */

/* One input record.  When `error` is non-NULL the record could not be read
 * (malformed JSON, no text field, ...): it says why, and `id` is set where it
 * could be found.  Owned by the caller: release with spill_record_free. */
struct spill_record {
    char *id;
    char *text;
    size_t text_len;
    char *url;                /* "url" of JSONL, WARC-Target-URI of WARC */
    char *lang;               /* a "lang" field of the record, if any (declared or gold) */
    char *source;             /* the input's name ("-" for stdin) */
    uint64_t position;        /* 1-based line (JSONL), record number (WARC), or 1 */
    char *error;
    spill_gold *gold;         /* with want_gold, when the record has labels */
    void *json;               /* the JSONL object, for spill_write_clean; opaque */
    spill_page *annotation;   /* when the record is an annotation record of
                                 spill score (its "text" if it has one) */
};

typedef struct spill_reader spill_reader;

/* Opens `path` ("-" or NULL: standard input).  gzip and zstd are recognised
 * by their magic bytes.  Returns NULL and fills `err` on failure. */
SPILL_API spill_reader *spill_reader_open(const char *path, const spill_reader_options *opts,
                                          spill_error *err);

/* The same over `len` bytes in memory (compressed or not), named `name` in
 * messages; the bytes must outlive the reader. */
SPILL_API spill_reader *spill_reader_open_memory(const void *data, size_t len, const char *name,
                                                 const spill_reader_options *opts,
                                                 spill_error *err);

/* The next record in *rec (NULL at the end of input).  Returns SPILL_OK, or
 * SPILL_E_IO / SPILL_E_NOMEM when the input cannot be read further (then
 * spill_reader_message() says why; records already returned stand). */
SPILL_API spill_status spill_reader_next(spill_reader *reader, spill_record **rec);

SPILL_API const char *spill_reader_message(const spill_reader *reader);

/* WARC records of other types than conversion and response that were
 * skipped (warcinfo, request, metadata...); the message names them by type
 * ("3 warcinfo, 120 request"), "" if none. */
SPILL_API uint64_t spill_reader_skipped(const spill_reader *reader, const char **summary);

/* Bytes read from the input so far (compressed bytes for compressed input),
 * for progress reports. */
SPILL_API uint64_t spill_reader_bytes(const spill_reader *reader);

/* The input's format, as given or as detected (never SPILL_FORMAT_AUTO). */
SPILL_API spill_format spill_reader_format(const spill_reader *reader);
SPILL_API void spill_reader_free(spill_reader *reader);
SPILL_API void spill_record_free(spill_record *rec);

#ifdef __cplusplus
}
#endif
#endif /* SPILL_H */
