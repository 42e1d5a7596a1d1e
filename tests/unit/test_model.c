/* model.c: loading, and refusing models of another format or schema, or
 * whose files were truncated or altered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xxhash.h>

#include "internal.h"

#define MODEL SPILL_TEST_DATA "/tiny-model"

static char tmpdir[256];

/* Copies the tiny model into tmpdir, applying `edit` (sed syntax) to file. */
static void copy_model(const char *file, const char *sed_expr)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf %s && cp -r %s %s", tmpdir, MODEL, tmpdir);
    assert_int_equal(system(cmd), 0);
    if (file) {
        snprintf(cmd, sizeof cmd, "sed -i '%s' %s/%s", sed_expr, tmpdir, file);
        assert_int_equal(system(cmd), 0);
    }
}

/* Writes the checksum of an edited companion file into the manifest, as a
 * forger would: then the content itself must be checked. */
static void reseal(const char *file, const char *key)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, file);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sed -i 's/^%s = .*/%s = %016llx/' %s/manifest.txt", key, key,
             (unsigned long long)XXH64(buf, n, 0), tmpdir);
    assert_int_equal(system(cmd), 0);
}

static spill_error load_fails(spill_status want)
{
    spill_error err = {0};
    spill_model *m = spill_model_load(tmpdir, NULL, &err);
    assert_null(m);
    assert_int_equal(err.status, want);
    return err;
}

static void loads_the_tiny_model(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_model *m = spill_model_load(MODEL, NULL, &err);
    assert_non_null(m);
    assert_string_equal(spill_model_name(m), "tiny");
    assert_true(m->has_classifier);
    assert_int_equal(m->n_features, spill_schema_size());
    assert_true(wordtab_knows(m->stopwords, "en"));
    assert_true(wordtab_has(m->stopwords, "en", "the", 3));
    assert_false(wordtab_has(m->stopwords, "en", "zebra", 5));
    float odds = 0;
    assert_true(wordtab_get(m->chrome, "", "cookies", 7, &odds));
    assert_true(odds > 1.0f);
    spill_model_free(m);
}

static void refuses_another_schema_version_naming_both(void **state)
{
    (void)state;
    copy_model("manifest.txt", "s/^schema_version = .*/schema_version = 999/");
    spill_error err = load_fails(SPILL_E_MODEL_SCHEMA);
    char want[64];
    snprintf(want, sizeof want, "%s v%d", FEATURE_SCHEMA_NAME, FEATURE_SCHEMA_VERSION);
    assert_non_null(strstr(err.message, "v999"));
    assert_non_null(strstr(err.message, want));
}

static void refuses_another_feature_list(void **state)
{
    (void)state;
    copy_model("manifest.txt", "s/^features = len /features = length /");
    spill_error err = load_fails(SPILL_E_MODEL_SCHEMA);
    assert_non_null(strstr(err.message, "\"length\""));
    assert_non_null(strstr(err.message, "\"len\""));
}

static void refuses_another_format(void **state)
{
    (void)state;
    copy_model("manifest.txt", "1s/.*/spill-model 7/");
    spill_error err = load_fails(SPILL_E_MODEL_FORMAT);
    assert_non_null(strstr(err.message, "format 7"));
}

static void refuses_a_truncated_classifier(void **state)
{
    (void)state;
    copy_model("model.svm", "$d");  /* drop the last line */
    spill_error err = load_fails(SPILL_E_MODEL_FORMAT);
    assert_non_null(strstr(err.message, "checksum"));
    assert_non_null(strstr(err.message, "model.svm"));
}

static void refuses_altered_stopwords(void **state)
{
    (void)state;
    copy_model("stopwords.tsv", "s/^en\\tthe$/en\\tthee/");
    spill_error err = load_fails(SPILL_E_MODEL_FORMAT);
    assert_non_null(strstr(err.message, "stopwords.tsv"));
}

static void refuses_bad_bin_edges(void **state)
{
    (void)state;
    /* Edges must increase: swap in a decreasing pair on the first line. */
    copy_model("features.tsv", "1s/\\t[^\\t]*$/\\t3 2/");
    reseal("features.tsv", "features_xxh64");
    spill_error err = load_fails(SPILL_E_MODEL_FORMAT);
    assert_non_null(strstr(err.message, "features.tsv:1"));
}

static void refuses_features_table_of_another_schema(void **state)
{
    (void)state;
    copy_model("features.tsv", "2s/^[^\\t]*/renamed/");
    reseal("features.tsv", "features_xxh64");
    spill_error err = load_fails(SPILL_E_MODEL_SCHEMA);
    assert_non_null(strstr(err.message, "\"renamed\""));
}

static void refuses_a_kernel_it_cannot_collapse(void **state)
{
    (void)state;
    copy_model("model.svm", "s/^kernel_type linear/kernel_type rbf\\ngamma 0.1/");
    reseal("model.svm", "model_svm_xxh64");
    spill_error err = load_fails(SPILL_E_MODEL_FORMAT);
    assert_non_null(strstr(err.message, "not a linear"));
}

static void missing_directory(void **state)
{
    (void)state;
    spill_error err = {0};
    assert_null(spill_model_load("/nonexistent/model", NULL, &err));
    assert_int_equal(err.status, SPILL_E_MODEL_FORMAT);
    assert_non_null(strstr(err.message, "/nonexistent/model/manifest.txt"));
}

static void tables_only_model_cannot_annotate(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_model *m = spill_model_load_tables(MODEL, NULL, &err);
    assert_non_null(m);
    assert_false(m->has_classifier);
    spill_ctx *c = spill_ctx_new(m, NULL, &err);
    const spill_page *p;
    assert_int_equal(spill_annotate(c, "x", "text", 4, NULL, &p), SPILL_E_INVALID_ARG);
    assert_non_null(strstr(spill_ctx_message(c), "tables only"));
    spill_ctx_free(c);
    spill_model_free(m);
}

/* model_float reads the tables' numbers exactly as strtof does: every
 * number of every table of the tiny model (those of the full model are made
 * the same way), bit for bit, and where each ends. */
static void table_numbers_read_as_strtof_reads_them(void **state)
{
    (void)state;
    static const char *files[] = {"chrome.tsv", "idf.tsv", "ngrams.tsv", "features.tsv"};
    size_t numbers = 0;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", MODEL, files[k]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char line[1 << 16];
        while (fgets(line, sizeof line, f)) {
            for (char *tok = strtok(line, " \t:\n"); tok; tok = strtok(NULL, " \t:\n")) {
                char *e1, *e2;
                float a = strtof(tok, &e1);
                if (e1 == tok || *e1)
                    continue;  /* a word, not a number */
                float b = model_float(tok, &e2);
                assert_int_equal(e2 - tok, e1 - tok);
                assert_memory_equal(&a, &b, sizeof a);
                numbers++;
            }
        }
        fclose(f);
    }
    assert_true(numbers > 10000);
    /* And the forms it hands to strtof. */
    static const char *odd[] = {"1e3", "-0.5e-2", ".5", "5.", "12345678901234567.5", "+3.25", "-0"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        char *e1, *e2;
        float a = strtof(odd[i], &e1), b = model_float(odd[i], &e2);
        assert_memory_equal(&a, &b, sizeof a);
        assert_ptr_equal(e1, e2);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/spill-test-model.%ld", (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_numbers_read_as_strtof_reads_them),
        cmocka_unit_test(loads_the_tiny_model),
        cmocka_unit_test(refuses_another_schema_version_naming_both),
        cmocka_unit_test(refuses_another_feature_list),
        cmocka_unit_test(refuses_another_format),
        cmocka_unit_test(refuses_a_truncated_classifier),
        cmocka_unit_test(refuses_altered_stopwords),
        cmocka_unit_test(refuses_bad_bin_edges),
        cmocka_unit_test(refuses_features_table_of_another_schema),
        cmocka_unit_test(refuses_a_kernel_it_cannot_collapse),
        cmocka_unit_test(missing_directory),
        cmocka_unit_test(tables_only_model_cannot_annotate),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        rc = 1;
    return rc;
}
