/*
 * classify.c - the classifier: per-segment label probabilities.
 *
 * Input: feature vectors (features.c) and a loaded model (model.c).  Output:
 * page_work.prob, SPILL_LABEL_COUNT probabilities per segment.  The features
 * are expanded (scaled value and quantile bin of each), the linear SVMs'
 * one-versus-one decision values are sparse dot products with their
 * collapsed weights, and probabilities follow as libsvm makes them: Platt's
 * sigmoid per pair, then pairwise coupling, then the prior correction.  Two
 * models: foreign against the rest, judged on its own (a stray label in a
 * teaser is foreign whatever the line), and the main model, whose other
 * labels share what foreign leaves.  Then one
 * smoothing pass, since boilerplate and spillover come in runs: the
 * content/boilerplate/spillover part of each segment's distribution is mixed
 * with that of the nearest lines before and after it.  Foreign and garbage
 * mass stays the segment's own.  With the model's chain of line labels, the
 * mix is of each line's distribution with its posterior under the chain
 * (forward-backward over the page's lines).  Labels are decided by score.c.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

size_t classify_expand(size_t nf, const double *lo, const double *hi, const float *edges,
                       const uint8_t *n_edges, const float *x, int *idx, double *val)
{
    size_t n = 0;
    for (size_t f = 0; f < nf; f++) {
        int base = (int)(f * EXPAND_STRIDE);
        /* Scaled like svm-scale to [-1, 1] on the training range; values
         * far outside it are clamped so one odd page cannot dominate. */
        if (hi[f] > lo[f]) {
            double v = -1.0 + 2.0 * (x[f] - lo[f]) / (hi[f] - lo[f]);
            v = v > 3.0 ? 3.0 : v < -3.0 ? -3.0 : v;
            if (v != 0.0) {
                idx[n] = base;
                val[n++] = v;
            }
        }
        int bin = 0;
        const float *e = edges + f * BIN_EDGES;
        while (bin < n_edges[f] && x[f] > e[bin])
            bin++;
        idx[n] = base + 1 + bin;
        val[n++] = 1.0;
    }
    return n;
}

/* Platt's sigmoid, as libsvm fits it: P(first class of the pair). */
static double sigmoid(double dec, double a, double b)
{
    double f = dec * a + b;
    double p = f >= 0 ? exp(-f) / (1.0 + exp(-f)) : 1.0 / (1.0 + exp(f));
    return p < 1e-7 ? 1e-7 : p > 1 - 1e-7 ? 1 - 1e-7 : p;
}

/* Class probabilities from pairwise ones, r[i][j] = P(i | i or j): the
 * second method of Wu, Lin and Weng, "Probability estimates for multi-class
 * classification by pairwise coupling" (JMLR 2004) - minimise
 * sum_i sum_j!=i (r[j][i] p_i - r[i][j] p_j)^2 over the simplex by
 * coordinate updates.  k <= SPILL_LABEL_COUNT. */
static void couple(int k, double r[][SPILL_LABEL_COUNT], double *p)
{
    double Q[SPILL_LABEL_COUNT][SPILL_LABEL_COUNT], Qp[SPILL_LABEL_COUNT];
    for (int t = 0; t < k; t++) {
        p[t] = 1.0 / k;
        Q[t][t] = 0;
        for (int j = 0; j < k; j++) {
            if (j == t)
                continue;
            Q[t][t] += r[j][t] * r[j][t];
            Q[t][j] = -r[j][t] * r[t][j];
        }
    }
    double eps = 0.005 / k;
    for (int iter = 0; iter < 100; iter++) {
        double pQp = 0;
        for (int t = 0; t < k; t++) {
            Qp[t] = 0;
            for (int j = 0; j < k; j++)
                Qp[t] += Q[t][j] * p[j];
            pQp += p[t] * Qp[t];
        }
        double worst = 0;
        for (int t = 0; t < k; t++)
            worst = fmax(worst, fabs(Qp[t] - pQp));
        if (worst < eps)
            break;
        for (int t = 0; t < k; t++) {
            double diff = (-Qp[t] + pQp) / Q[t][t];
            p[t] += diff;
            pQp = (pQp + diff * (diff * Q[t][t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
            for (int j = 0; j < k; j++) {
                Qp[j] = (Qp[j] + diff * Q[t][j]) / (1 + diff);
                p[j] /= (1 + diff);
            }
        }
    }
}

enum {
    MAX_PAIRS = SPILL_LABEL_COUNT * (SPILL_LABEL_COUNT - 1) / 2,
    MAX_STRIDE = (MAX_PAIRS + 3) & ~3  /* pairs padded to a multiple of four */
};

/* acc[0, stride) = the sum over the n entries of row idx[z] of w times
 * val[z], in float: with a constant stride the compiler keeps the sums in
 * registers, four pairs a vector operation. */
static inline __attribute__((always_inline)) void sum_rows(const float *w, int stride,
                                                            const int *idx, const double *val,
                                                            size_t n, float *acc)
{
    float a[MAX_STRIDE] = {0};
    for (size_t z = 0; z < n; z++) {
        const float *row = w + (size_t)idx[z] * (size_t)stride;
        float v = (float)val[z];
        for (int p = 0; p < stride; p++)
            a[p] += row[p] * v;
    }
    for (int p = 0; p < stride; p++)
        acc[p] = a[p];
}

void classify_probs(const linear *l, const int *idx, const double *val, size_t n, double *probs)
{
    double r[SPILL_LABEL_COUNT][SPILL_LABEL_COUNT];
    /* Float sums over the rows padded to `stride`: the decision values
     * differ from double sums by about 1e-6.  The stride as a constant: with
     * a runtime one the sums went through memory every row (perf on the
     * bench corpus: this function 13% of the run, 8.5% with constants). */
    float acc[MAX_STRIDE];
    int k = l->n_classes, np = l->n_pairs;
    switch (l->stride) {
    case 4: sum_rows(l->w, 4, idx, val, n, acc); break;
    case 8: sum_rows(l->w, 8, idx, val, n, acc); break;
    case 12: sum_rows(l->w, 12, idx, val, n, acc); break;
    default: sum_rows(l->w, 16, idx, val, n, acc); break;
    }
    double dec[MAX_PAIRS];
    for (int p = 0; p < np; p++)
        dec[p] = acc[p] - l->rho[p];
    for (int i = 0, p = 0; i < k; i++) {
        for (int j = i + 1; j < k; j++, p++) {
            r[i][j] = sigmoid(dec[p], l->prob_a[p], l->prob_b[p]);
            r[j][i] = 1 - r[i][j];
        }
    }
    if (k == 2) {
        probs[0] = r[0][1];
        probs[1] = r[1][0];
    } else {
        couple(k, r, probs);
    }
    /* Back from the balanced training sample to the true class shares. */
    double sum = 0;
    for (int i = 0; i < k; i++)
        sum += probs[i] *= l->class_weight[i];
    for (int i = 0; i < k; i++)
        probs[i] = sum > 0 ? probs[i] / sum : 1.0 / k;
}



/* The cp-weighted line-level content/boilerplate/spillover distribution. */
static void line_dist(const page_work *w, size_t s0, size_t s1, float out[LINE_CLASSES])
{
    double acc[LINE_CLASSES] = {0}, tot = 0;
    for (size_t s = s0; s < s1; s++) {
        const float *p = w->prob + s * SPILL_LABEL_COUNT;
        double wt = w->scripts.segs[s].b1 - w->scripts.segs[s].b0;
        for (int k = 0; k < LINE_CLASSES; k++) {
            acc[k] += wt * p[k];
            tot += wt * p[k];
        }
    }
    for (int k = 0; k < LINE_CLASSES; k++)
        out[k] = tot > 0 ? (float)(acc[k] / tot) : 1.0f / LINE_CLASSES;
}

/* The posterior of each line's label given all of the page's lines, under a
 * chain of labels (the model's transitions, first-line and overall shares):
 * forward-backward with the lines' distributions, divided by the shares they
 * carry, as the evidence of each line, and the page's end after its last
 * line (a footer ends a page more often than a teaser).  Boilerplate and
 * spillover come in runs, and
 * "Related posts" between an article and its teasers belongs to what
 * follows it. */
void classify_chain_posterior(const spill_model *m, float (*dist)[LINE_CLASSES], size_t nl,
                              double (*fw)[LINE_CLASSES], double (*bw)[LINE_CLASSES])
{
    double e[LINE_CLASSES];
    for (size_t l = 0; l < nl; l++) {
        double sum = 0;
        for (int y = 0; y < LINE_CLASSES; y++) {
            e[y] = (dist[l][y] + 1e-6) / m->chain_prior[y];
            double in = 0;
            for (int x = 0; x < LINE_CLASSES; x++)
                in += l ? fw[l - 1][x] * m->chain_trans[x][y] : 0;
            fw[l][y] = (l ? in : m->chain_init[y]) * e[y];
            sum += fw[l][y];
        }
        for (int y = 0; y < LINE_CLASSES; y++)
            fw[l][y] /= sum;
    }
    for (size_t l = nl; l-- > 0;) {
        double sum = 0;
        for (int x = 0; x < LINE_CLASSES; x++) {
            double out = 0;
            for (int y = 0; y < LINE_CLASSES && l + 1 < nl; y++)
                out += m->chain_trans[x][y] * (dist[l + 1][y] + 1e-6) / m->chain_prior[y] *
                       bw[l + 1][y];
            bw[l][x] = l + 1 < nl ? out : m->chain_final[x];
            sum += bw[l][x];
        }
        for (int x = 0; x < LINE_CLASSES; x++)
            bw[l][x] /= sum;
    }
    for (size_t l = 0; l < nl; l++) {
        double sum = 0;
        for (int y = 0; y < LINE_CLASSES; y++)
            sum += fw[l][y] * bw[l][y];
        for (int y = 0; y < LINE_CLASSES; y++)
            dist[l][y] = (float)(fw[l][y] * bw[l][y] / sum);
    }
}

static spill_status smooth(page_work *w)
{
    const spill_model *m = w->model;
    double a = m->smooth;
    size_t ns = w->scripts.n_segs;
    if (a <= 0 || ns == 0)
        return SPILL_OK;
    /* Lines that have segments, in order, with their segment ranges. */
    size_t *first = arena_alloc(w->a, (ns + 1) * sizeof *first);
    float(*dist)[LINE_CLASSES] = arena_alloc(w->a, ns * sizeof *dist);
    if (!first || !dist)
        return SPILL_E_NOMEM;
    size_t nl = 0;
    for (size_t s = 0; s < ns; s++)
        if (s == 0 || w->scripts.segs[s].line != w->scripts.segs[s - 1].line)
            first[nl++] = s;
    first[nl] = ns;
    for (size_t l = 0; l < nl; l++)
        line_dist(w, first[l], first[l + 1], dist[l]);
    if (m->has_chain) {
        /* Each line's own distribution gives way to its posterior under
         * the chain, by the weight a. */
        double(*fw)[LINE_CLASSES] = arena_alloc(w->a, nl * sizeof *fw);
        double(*bw)[LINE_CLASSES] = arena_alloc(w->a, nl * sizeof *bw);
        if (!fw || !bw)
            return SPILL_E_NOMEM;
        classify_chain_posterior(m, dist, nl, fw, bw);
        for (size_t l = 0; l < nl; l++)
            for (size_t s = first[l]; s < first[l + 1]; s++) {
                float *p = w->prob + s * SPILL_LABEL_COUNT;
                double mass = 0;
                for (int k = 0; k < LINE_CLASSES; k++)
                    mass += p[k];
                if (mass <= 0)
                    continue;
                for (int k = 0; k < LINE_CLASSES; k++)
                    p[k] = (float)(mass * ((1 - a) * p[k] / mass + a * dist[l][k]));
            }
        return SPILL_OK;
    }
    for (size_t l = 0; l < nl; l++) {
        const float *prev = dist[l > 0 ? l - 1 : l];
        const float *next = dist[l + 1 < nl ? l + 1 : l];
        for (size_t s = first[l]; s < first[l + 1]; s++) {
            float *p = w->prob + s * SPILL_LABEL_COUNT;
            double mass = 0, own = 0;
            for (int k = 0; k < LINE_CLASSES; k++)
                mass += p[k];
            if (mass <= 0)
                continue;
            for (int k = 0; k < LINE_CLASSES; k++) {
                own = p[k] / mass;
                p[k] = (float)(mass * ((1 - 2 * a) * own + a * prev[k] + a * next[k]));
            }
        }
    }
    return SPILL_OK;
}

spill_status classify_segments(page_work *w, size_t first, size_t n_rows, const float *rows,
                               void *user)
{
    (void)user;
    const spill_model *m = w->model;
    size_t ns = w->scripts.n_segs, nf = features_count();
    if (first == 0)
        w->prob = arena_zalloc(w->a, (ns ? ns : 1) * SPILL_LABEL_COUNT, sizeof *w->prob);
    if (!w->prob)
        return SPILL_E_NOMEM;
    int idx[2 * FEATURES_MAX];
    double val[2 * FEATURES_MAX];
    double main_p[SPILL_LABEL_COUNT], fg[2];
    for (size_t s = first; s < first + n_rows; s++) {
        size_t n = classify_expand(nf, m->lo, m->hi, m->edges, m->n_edges,
                                   rows + (s - first) * nf, idx, val);
        classify_probs(&m->main, idx, val, n, main_p);
        classify_probs(&m->foreign, idx, val, n, fg);
        /* Foreign from its own model; the other labels share the rest in
         * the main model's proportions.  But mojibake of another script
         * looks foreign to the foreign model, which never learnt garbage
         * apart from content: where the main model, which knows both, says
         * garbage, its own foreign share stands. */
        double pf = m->foreign.class_label[0] == SPILL_LABEL_FOREIGN ? fg[0] : fg[1], rest = 0;
        double main_garbage = 0, main_foreign = 0;
        for (int c = 0; c < m->main.n_classes; c++) {
            if (m->main.class_label[c] != SPILL_LABEL_FOREIGN)
                rest += main_p[c];
            main_garbage += m->main.class_label[c] == SPILL_LABEL_GARBAGE ? main_p[c] : 0;
            main_foreign += m->main.class_label[c] == SPILL_LABEL_FOREIGN ? main_p[c] : 0;
        }
        if (main_garbage >= 0.5 && main_garbage > main_foreign && pf > main_foreign)
            pf = main_foreign;
        float *p = w->prob + s * SPILL_LABEL_COUNT;
        for (int c = 0; c < m->main.n_classes; c++)
            if (m->main.class_label[c] != SPILL_LABEL_FOREIGN)
                p[m->main.class_label[c]] = (float)(rest > 0 ? (1 - pf) * main_p[c] / rest : 0);
        p[SPILL_LABEL_FOREIGN] = (float)pf;
    }
    return SPILL_OK;
}

spill_status classify_finish(page_work *w)
{
    if (!w->prob)  /* no segment */
        w->prob = arena_zalloc(w->a, SPILL_LABEL_COUNT, sizeof *w->prob);
    return w->prob ? smooth(w) : SPILL_E_NOMEM;
}
