/*
 * classify.c - the classifier: per-segment label probabilities.
 *
 * Input: feature vectors (features.c) and a loaded model (model.c).  Output:
 * page_work.prob, SPILL_LABEL_COUNT probabilities per segment, from libsvm's
 * probability estimates on the features scaled as in training; then one
 * smoothing pass, since boilerplate and spillover come in runs: the
 * content/boilerplate/spillover part of each segment's distribution is mixed
 * with that of the nearest lines before and after it.  Foreign and garbage
 * mass stays the segment's own.  Labels are decided by score.c.
 */
#include <string.h>

#include <svm.h>

#include "internal.h"

/* Scaled like svm-scale to [-1, 1] on the training range; values far
 * outside it are clamped so one odd page cannot dominate a kernel. */
static double scale(const spill_model *m, size_t f, float x)
{
    double lo = m->scale_lo[f], hi = m->scale_hi[f];
    if (hi <= lo)
        return 0.0;
    double v = -1.0 + 2.0 * (x - lo) / (hi - lo);
    if (v > 3.0)
        v = 3.0;
    if (v < -3.0)
        v = -3.0;
    return v;
}

enum { LINE_CLASSES = 3 };  /* content, boilerplate, spillover */

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

static spill_status smooth(page_work *w)
{
    double a = w->model->smooth;
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

spill_status classify_page(page_work *w)
{
    const spill_model *m = w->model;
    size_t ns = w->scripts.n_segs, nf = features_count();
    w->prob = arena_zalloc(w->a, (ns ? ns : 1) * SPILL_LABEL_COUNT, sizeof *w->prob);
    struct svm_node *x = arena_alloc(w->a, (nf + 1) * sizeof *x);
    if (!w->prob || !x)
        return SPILL_E_NOMEM;
    double est[SPILL_LABEL_COUNT];
    for (size_t s = 0; s < ns; s++) {
        const float *v = w->feat + s * nf;
        for (size_t f = 0; f < nf; f++) {
            x[f].index = (int)f + 1;
            x[f].value = scale(m, f, v[f]);
        }
        x[nf].index = -1;
        svm_predict_probability(m->svm, x, est);
        float *p = w->prob + s * SPILL_LABEL_COUNT;
        for (int c = 0; c < m->n_classes; c++)
            p[m->class_label[c]] = (float)est[c];
    }
    return smooth(w);
}
