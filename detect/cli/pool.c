/*
 * pool.c - worker threads with output in input order.
 *
 * The calling thread reads records and submits them; workers process them
 * (each with its own state, e.g. a spill_ctx) into a buffer of output bytes
 * and, optionally, a result; the calling thread hands finished results to
 * `emit` and writes finished buffers strictly in submission order.
 * Records in flight are bounded by a ring of SLOTS_PER_THREAD slots a
 * thread and by the bytes of their texts (BYTES_PER_THREAD a thread; one
 * record of any size when nothing else is in flight), so memory stays
 * bounded however long the input.  The ring is deep so that small records
 * keep both threads busy while one of them is on a giant page, whose
 * result the ordered output waits for.  With one job
 * there are no threads: records are processed as they are submitted, and
 * the output is the same bytes either way.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SLOTS_PER_THREAD 16
#define BYTES_PER_THREAD ((size_t)8 << 20)
/* An output buffer a giant record grew is given back once written. */
#define KEEP_OUT ((size_t)1 << 20)

typedef enum { SLOT_FREE, SLOT_TODO, SLOT_BUSY, SLOT_DONE } slot_state;

typedef struct slot {
    slot_state state;
    spill_record *rec;
    size_t bytes;  /* its record's text, counted in flight until written */
    spill_buf out;
    void *result;
    int status;
} slot;

typedef struct worker {
    cli_pool *pool;
    void *state;
    pthread_t thread;
} worker;

struct cli_pool {
    cli_work_fn fn;
    cli_emit_fn emit;
    void *emit_user;
    cli_output *out;
    int jobs;
    worker *workers;
    slot *slots;
    size_t n_slots;
    size_t head;   /* next slot to write */
    size_t tail;   /* next slot to fill */
    size_t next;   /* next slot to process */
    size_t bytes;  /* text of the records in flight */
    size_t max_bytes;
    bool closing;
    int worst;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    spill_buf inline_out;
};

static void *work(void *arg)
{
    worker *w = arg;
    cli_pool *p = w->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->next == p->tail && !p->closing)
            pthread_cond_wait(&p->changed, &p->lock);
        if (p->next == p->tail && p->closing)
            break;
        slot *s = &p->slots[p->next % p->n_slots];
        p->next++;
        s->state = SLOT_BUSY;
        pthread_mutex_unlock(&p->lock);
        s->out.len = 0;
        s->result = NULL;
        s->status = p->fn(w->state, s->rec, &s->out, &s->result);
        spill_record_free(s->rec);
        s->rec = NULL;
        pthread_mutex_lock(&p->lock);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

cli_pool *cli_pool_new(int jobs, cli_work_fn fn, void **states, cli_output *out,
                       cli_emit_fn emit, void *emit_user)
{
    cli_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->fn = fn;
    p->emit = emit;
    p->emit_user = emit_user;
    p->out = out;
    p->jobs = jobs < 1 ? 1 : jobs;
    if (p->jobs == 1) {
        p->workers = calloc(1, sizeof *p->workers);
        if (!p->workers) {
            free(p);
            return NULL;
        }
        p->workers[0].state = states[0];
        return p;
    }
    p->n_slots = (size_t)p->jobs * SLOTS_PER_THREAD;
    p->max_bytes = (size_t)p->jobs * BYTES_PER_THREAD;
    p->slots = calloc(p->n_slots, sizeof *p->slots);
    p->workers = calloc((size_t)p->jobs, sizeof *p->workers);
    if (!p->slots || !p->workers) {
        free(p->slots);
        free(p->workers);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    for (int i = 0; i < p->jobs; i++) {
        p->workers[i].pool = p;
        p->workers[i].state = states[i];
        if (pthread_create(&p->workers[i].thread, NULL, work, &p->workers[i])) {
            /* Fewer threads than asked: run with those that started. */
            p->jobs = i;
            break;
        }
    }
    if (p->jobs == 0) {
        /* No thread at all: process in the calling thread. */
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->changed);
        free(p->slots);
        p->slots = NULL;
        p->jobs = 1;
        p->workers[0].state = states[0];
    }
    return p;
}

static int write_out(cli_pool *p, spill_buf *b, void *result, int status)
{
    if (p->emit)
        status = p->emit(p->emit_user, result, status);
    if (b->len && p->out && !cli_output_write(p->out, b->data, b->len))
        status = EXIT_USAGE;
    b->len = 0;
    if (status > p->worst)
        p->worst = status;
    return status;
}

/* Writes finished slots from the head, in order.  Called with the lock. */
static int drain(cli_pool *p, bool wait_all)
{
    int status = EXIT_DONE;
    for (;;) {
        while (p->head < p->tail && p->slots[p->head % p->n_slots].state != SLOT_DONE &&
               (wait_all || p->tail - p->head == p->n_slots || p->bytes >= p->max_bytes))
            pthread_cond_wait(&p->changed, &p->lock);
        if (p->head == p->tail || p->slots[p->head % p->n_slots].state != SLOT_DONE)
            return status;
        slot *s = &p->slots[p->head % p->n_slots];
        pthread_mutex_unlock(&p->lock);
        int st = write_out(p, &s->out, s->result, s->status);
        if (s->out.cap > KEEP_OUT)
            spill_buf_free(&s->out);
        pthread_mutex_lock(&p->lock);
        s->state = SLOT_FREE;
        p->bytes -= s->bytes;
        p->head++;
        if (st == EXIT_USAGE)
            status = EXIT_USAGE;
    }
}

int cli_pool_submit(cli_pool *p, spill_record *rec)
{
    if (p->jobs <= 1 || !p->slots) {
        void *result = NULL;
        int st = p->fn(p->workers[0].state, rec, &p->inline_out, &result);
        spill_record_free(rec);
        return write_out(p, &p->inline_out, result, st) == EXIT_USAGE ? EXIT_USAGE : EXIT_DONE;
    }
    pthread_mutex_lock(&p->lock);
    /* A full ring waits for its oldest record to be written. */
    int st = drain(p, false);
    slot *s = &p->slots[p->tail % p->n_slots];
    s->rec = rec;
    s->bytes = rec ? rec->text_len : 0;
    p->bytes += s->bytes;
    s->state = SLOT_TODO;
    p->tail++;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return st;
}

int cli_pool_finish(cli_pool *p)
{
    if (!p)
        return EXIT_USAGE;
    int worst;
    if (p->jobs > 1 && p->slots) {
        pthread_mutex_lock(&p->lock);
        drain(p, true);
        p->closing = true;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        for (int i = 0; i < p->jobs; i++)
            pthread_join(p->workers[i].thread, NULL);
        for (size_t i = 0; i < p->n_slots; i++)
            spill_buf_free(&p->slots[i].out);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->changed);
    }
    worst = p->worst;
    spill_buf_free(&p->inline_out);
    free(p->slots);
    free(p->workers);
    free(p);
    return worst;
}
