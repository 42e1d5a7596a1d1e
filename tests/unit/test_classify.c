/* classify.c: the expansion of features, and the collapsed linear model
 * giving the probabilities libsvm itself gives on the same vectors (prior
 * correction off, as libsvm has none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <svm.h>

#include "internal.h"

#define MODEL SPILL_TEST_DATA "/tiny-model"

static void expansion_has_a_value_and_a_bin_per_feature(void **state)
{
    (void)state;
    double lo[2] = {0, 10}, hi[2] = {4, 10};  /* the second is constant */
    float edges[2 * BIN_EDGES] = {1, 2, 3};
    uint8_t n_edges[2] = {3, 0};
    float x[2] = {2.5f, 10};
    int idx[4];
    double val[4];
    size_t n = classify_expand(2, lo, hi, edges, n_edges, x, idx, val);
    assert_int_equal(n, 3);
    assert_int_equal(idx[0], 0);          /* scaled: -1 + 2 * 2.5 / 4 */
    assert_true(val[0] > 0.2499 && val[0] < 0.2501);
    assert_int_equal(idx[1], 1 + 2);      /* above two edges: bin 2 */
    assert_int_equal(idx[2], EXPAND_STRIDE + 1);  /* constant: no value, bin 0 */
    x[0] = 99;                            /* far outside: clamped to 3 */
    n = classify_expand(2, lo, hi, edges, n_edges, x, idx, val);
    assert_true(val[0] == 3.0);
    assert_int_equal(idx[1], 1 + 3);
}

static void collapsed_model_matches_libsvm(void **state)
{
    (void)state;
    spill_error err = {0};
    spill_model *m = spill_model_load(MODEL, NULL, &err);
    assert_non_null(m);
    for (int k = 0; k < SPILL_LABEL_COUNT; k++)
        m->main.class_weight[k] = 1.0;
    struct svm_model *ref = svm_load_model(MODEL "/model.svm");
    assert_non_null(ref);
    size_t nf = m->n_features;
    float *x = malloc(nf * sizeof *x);
    int *idx = malloc(2 * nf * sizeof *idx);
    double *val = malloc(2 * nf * sizeof *val);
    struct svm_node *node = malloc((2 * nf + 1) * sizeof *node);
    srand(7);
    for (int trial = 0; trial < 200; trial++) {
        for (size_t f = 0; f < nf; f++) {
            double r = rand() / (double)RAND_MAX;
            x[f] = (float)(m->lo[f] + r * (m->hi[f] - m->lo[f]));
        }
        size_t n = classify_expand(nf, m->lo, m->hi, m->edges, m->n_edges, x, idx, val);
        for (size_t z = 0; z < n; z++) {
            node[z].index = idx[z] + 1;
            node[z].value = val[z];
        }
        node[n].index = -1;
        double ours[SPILL_LABEL_COUNT], theirs[SPILL_LABEL_COUNT];
        classify_probs(&m->main, idx, val, n, ours);
        svm_predict_probability(ref, node, theirs);
        for (int k = 0; k < m->main.n_classes; k++)
            assert_true(ours[k] - theirs[k] < 1e-4 && theirs[k] - ours[k] < 1e-4);
    }
    svm_free_and_destroy_model(&ref);
    free(x);
    free(idx);
    free(val);
    free(node);
    spill_model_free(m);
}

/* A chain that keeps a line's label with probability stay, any other
 * alike; uniform shares, and no say about the page's end. */
static void chain_of(spill_model *m, double stay)
{
    memset(m, 0, sizeof *m);
    for (int a = 0; a < 3; a++) {
        m->chain_init[a] = m->chain_prior[a] = 1.0 / 3;
        m->chain_final[a] = 1.0;
        for (int b = 0; b < 3; b++)
            m->chain_trans[a][b] = a == b ? stay : (1 - stay) / 2;
    }
}

/* The chain of line labels: a uniform chain leaves each line as it is; a
 * sticky one turns a line that leans a little to content, between lines of
 * spillover, to spillover - and a line sure of itself stays. */
static void chain_posterior_follows_the_runs(void **state)
{
    (void)state;
    spill_model m;
    chain_of(&m, 1.0 / 3);
    float dist[5][LINE_CLASSES] = {
        {0.1f, 0.1f, 0.8f}, {0.1f, 0.1f, 0.8f}, {0.5f, 0.1f, 0.4f},
        {0.1f, 0.1f, 0.8f}, {0.97f, 0.02f, 0.01f}};
    float keep[5][LINE_CLASSES];
    memcpy(keep, dist, sizeof dist);
    double fw[5][LINE_CLASSES], bw[5][LINE_CLASSES];
    classify_chain_posterior(&m, dist, 5, fw, bw);
    for (int l = 0; l < 5; l++)
        for (int y = 0; y < LINE_CLASSES; y++)
            assert_float_equal(dist[l][y], keep[l][y], 1e-4);
    chain_of(&m, 0.9);
    classify_chain_posterior(&m, dist, 5, fw, bw);
    assert_true(dist[2][2] > dist[2][0]);  /* the weak line joins its run */
    assert_true(dist[4][0] > 0.5f);        /* the sure one does not */
    for (int l = 0; l < 5; l++)
        assert_float_equal(dist[l][0] + dist[l][1] + dist[l][2], 1.0f, 1e-5);
}

/* The page's end is evidence too: a last line that leans a little to
 * boilerplate after a run of spillover stays boilerplate when pages end
 * with boilerplate far more often, and joins the run when they do not. */
static void chain_posterior_weighs_the_end_of_the_page(void **state)
{
    (void)state;
    spill_model m;
    chain_of(&m, 0.8);
    const float page[3][LINE_CLASSES] = {{0.1f, 0.1f, 0.8f}, {0.1f, 0.1f, 0.8f}, {0.1f, 0.5f, 0.4f}};
    float dist[3][LINE_CLASSES];
    double fw[3][LINE_CLASSES], bw[3][LINE_CLASSES];
    memcpy(dist, page, sizeof page);
    classify_chain_posterior(&m, dist, 3, fw, bw);
    assert_true(dist[2][2] > dist[2][1]);
    m.chain_final[1] = 0.05;  /* boilerplate ends 5 pages in 100 of its lines, */
    m.chain_final[2] = 0.005; /* spillover 5 in 1000 */
    memcpy(dist, page, sizeof page);
    classify_chain_posterior(&m, dist, 3, fw, bw);
    assert_true(dist[2][1] > dist[2][2]);
    assert_true(dist[0][2] > 0.5f);  /* the first lines keep their run */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expansion_has_a_value_and_a_bin_per_feature),
        cmocka_unit_test(collapsed_model_matches_libsvm),
        cmocka_unit_test(chain_posterior_follows_the_runs),
        cmocka_unit_test(chain_posterior_weighs_the_end_of_the_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
