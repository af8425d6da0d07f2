/**
 * @file order.c
 * @brief Event-time order for stage 2 (see order.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "order.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t pf_order_env_magic[4] = {'P', 'F', 'O', 1};
static const uint8_t pf_order_mark_magic[4] = {'P', 'F', 'W', 1};
#define PF_ORDER_BLOB_VERSION 1

static void put64(uint8_t *p, int64_t v) {
        uint64_t u = (uint64_t)v;
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t)(u >> (56 - 8 * i));
}

static int64_t get64(const uint8_t *p) {
        uint64_t u = 0;
        for (int i = 0; i < 8; i++)
                u = u << 8 | p[i];
        return (int64_t)u;
}

static void put32(uint8_t *p, int32_t v) {
        uint32_t u = (uint32_t)v;
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t)(u >> (24 - 8 * i));
}

static int32_t get32(const uint8_t *p) {
        return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
                         (uint32_t)p[3]);
}

/* ------------------------------------------------------------------ envelope and marker */

size_t pf_order_env_write(uint8_t out[PF_ORDER_ENV_HEAD_MAX], int64_t time, const char *id) {
        size_t id_len = strnlen(id, PF_EVENT_ID_MAX - 1);
        memcpy(out, pf_order_env_magic, 4);
        put64(out + 4, time);
        out[12] = (uint8_t)id_len;
        memcpy(out + 13, id, id_len);
        return 13 + id_len;
}

int pf_order_env_read(const void *buf, size_t len, int64_t *time, const char **id, size_t *id_len,
                      const uint8_t **payload, size_t *payload_len) {
        const uint8_t *p = buf;
        if (!buf || len < 13 || memcmp(p, pf_order_env_magic, 4) != 0)
                return -1;
        size_t n = p[12];
        if (n >= PF_EVENT_ID_MAX || len < 13 + n)
                return -1;
        *time = get64(p + 4);
        *id = (const char *)p + 13;
        *id_len = n;
        *payload = p + 13 + n;
        *payload_len = len - 13 - n;
        return 0;
}

void pf_order_mark_write(uint8_t out[PF_ORDER_MARK_LEN], int input, int32_t partition, int64_t w,
                         int idle) {
        memcpy(out, pf_order_mark_magic, 4);
        out[4] = (uint8_t)input;
        put32(out + 5, partition);
        put64(out + 9, w);
        out[17] = idle ? 1 : 0;
}

int pf_order_mark_read(const void *buf, size_t len, int *input, int32_t *partition, int64_t *w,
                       int *idle) {
        const uint8_t *p = buf;
        if (!buf || len != PF_ORDER_MARK_LEN || memcmp(p, pf_order_mark_magic, 4) != 0 ||
            p[4] >= PF_ORDER_INPUTS || p[17] > 1)
                return -1;
        int32_t part = get32(p + 5);
        if (part < 0 || part >= PF_ORDER_INPUT_PARTS)
                return -1;
        *input = p[4];
        *partition = part;
        *w = get64(p + 9);
        *idle = p[17];
        return 0;
}

/* ------------------------------------------------------------------ stage 1 sources */

static int src_ok(int input, int32_t partition) {
        return input >= 0 && input < PF_ORDER_INPUTS && partition >= 0 &&
               partition < PF_ORDER_INPUT_PARTS;
}

void pf_order_sources_init(pf_order_sources_t *s, int64_t lateness_ms) {
        s->lateness_ms = lateness_ms;
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                for (int p = 0; p < PF_ORDER_INPUT_PARTS; p++)
                        s->src[i][p] = (pf_order_src_t){PF_ORDER_TIME_MIN, PF_ORDER_TIME_MIN, 0, 0};
}

int pf_order_source_event(pf_order_sources_t *s, int input, int32_t partition, int64_t time) {
        if (!src_ok(input, partition))
                return 0;
        pf_order_src_t *src = &s->src[input][partition];
        if (time > src->max_time) {
                src->max_time = time;
                src->dirty = 1;
        }
        if (src->idle) {
                src->idle = 0;
                src->dirty = 1;
        }
        return src->dirty;
}

int pf_order_source_eof(pf_order_sources_t *s, int input, int32_t partition) {
        if (!src_ok(input, partition))
                return 0;
        pf_order_src_t *src = &s->src[input][partition];
        if (!src->idle) {
                src->idle = 1;
                src->dirty = 1;
        }
        return src->dirty;
}

void pf_order_source_forget(pf_order_sources_t *s, int input, int32_t partition) {
        if (src_ok(input, partition))
                s->src[input][partition] =
                        (pf_order_src_t){PF_ORDER_TIME_MIN, PF_ORDER_TIME_MIN, 0, 0};
}

int64_t pf_order_source_watermark(const pf_order_sources_t *s, int input, int32_t partition) {
        if (!src_ok(input, partition))
                return PF_ORDER_TIME_MIN;
        int64_t t = s->src[input][partition].max_time;
        if (t == PF_ORDER_TIME_MIN || t < PF_ORDER_TIME_MIN + s->lateness_ms)
                return PF_ORDER_TIME_MIN;
        return t - s->lateness_ms;
}

int64_t pf_order_source_promise(pf_order_sources_t *s, int input, int32_t partition,
                                int64_t now_ms) {
        int64_t w = pf_order_source_watermark(s, input, partition);
        if (!src_ok(input, partition))
                return w;
        pf_order_src_t *src = &s->src[input][partition];
        if (src->idle && now_ms - s->lateness_ms > w)
                w = now_ms - s->lateness_ms;
        if (w > src->promised)
                src->promised = w;
        return src->promised; /* never lower than before: stage 2 keeps the highest anyway */
}

int pf_order_sources_refresh(pf_order_sources_t *s, int64_t now_ms) {
        int64_t newest = PF_ORDER_TIME_MIN;
        int due = 0;
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                for (int p = 0; p < PF_ORDER_INPUT_PARTS; p++)
                        if (s->src[i][p].max_time > newest)
                                newest = s->src[i][p].max_time;
        int64_t bound = now_ms - s->lateness_ms;
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                for (int p = 0; p < PF_ORDER_INPUT_PARTS; p++) {
                        pf_order_src_t *src = &s->src[i][p];
                        if (src->idle && src->promised < newest && src->promised < bound) {
                                src->dirty = 1;
                                due = 1;
                        }
                }
        return due;
}

/* ------------------------------------------------------------------ stage 2 partition */

typedef struct pf_order_wm_s {
        int64_t w;
        uint8_t seen, idle;
} pf_order_wm_t;

struct pf_order_part_s {
        int32_t required[PF_ORDER_INPUTS];
        size_t max_pending;
        pf_order_rec_t **heap;
        size_t n, cap;
        /* committed state */
        int has_rel;
        int64_t rel_time;
        uint8_t rel_id_len;
        char rel_id[PF_EVENT_ID_MAX];
        int64_t pos; /* consumer position at the last commit, -1 before */
        pf_order_wm_t wm[PF_ORDER_INPUTS][PF_ORDER_INPUT_PARTS];
        int64_t frontier;
};

/** Order of keys: time, then id bytes, then id length. */
static int key_cmp(int64_t t1, const char *id1, size_t n1, int64_t t2, const char *id2, size_t n2) {
        if (t1 != t2)
                return t1 < t2 ? -1 : 1;
        int c = memcmp(id1, id2, n1 < n2 ? n1 : n2);
        if (c)
                return c;
        return n1 < n2 ? -1 : n1 > n2;
}

static int rec_less(const pf_order_rec_t *a, const pf_order_rec_t *b) {
        return key_cmp(a->time, a->id, a->id_len, b->time, b->id, b->id_len) < 0;
}

static void part_frontier(pf_order_part_t *p) {
        int64_t f = PF_ORDER_TIME_MAX;
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                for (int32_t s = 0; s < PF_ORDER_INPUT_PARTS; s++) {
                        const pf_order_wm_t *wm = &p->wm[i][s];
                        int64_t w;
                        if (wm->seen)
                                w = wm->idle ? PF_ORDER_TIME_MAX : wm->w;
                        else if (s < p->required[i])
                                w = PF_ORDER_TIME_MIN;
                        else
                                continue;
                        if (w < f)
                                f = w;
                }
        p->frontier = f;
}

static void part_clear_heap(pf_order_part_t *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->heap[i]);
        p->n = 0;
}

void pf_order_part_reset(pf_order_part_t *p) {
        part_clear_heap(p);
        p->has_rel = 0;
        p->rel_time = 0;
        p->rel_id_len = 0;
        p->pos = -1;
        memset(p->wm, 0, sizeof(p->wm));
        part_frontier(p);
}

pf_order_part_t *pf_order_part_new(const int32_t sources[PF_ORDER_INPUTS], size_t max_pending) {
        pf_order_part_t *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                p->required[i] = sources[i] < 0                      ? 0
                                 : sources[i] > PF_ORDER_INPUT_PARTS ? PF_ORDER_INPUT_PARTS
                                                                     : sources[i];
        p->max_pending = max_pending ? max_pending : 1;
        pf_order_part_reset(p);
        return p;
}

void pf_order_part_destroy(pf_order_part_t *p) {
        if (!p)
                return;
        part_clear_heap(p);
        free(p->heap);
        free(p);
}

int pf_order_part_load(pf_order_part_t *p, const void *blob, size_t len) {
        const uint8_t *b = blob;
        pf_order_part_reset(p);
        if (!blob || len < 2 + 8 + 1 || b[0] != PF_ORDER_BLOB_VERSION || b[1] > 1)
                goto bad;
        size_t at = 1;
        p->has_rel = b[at++];
        p->rel_time = get64(b + at);
        at += 8;
        p->rel_id_len = b[at++];
        if (p->rel_id_len >= PF_EVENT_ID_MAX || len < at + p->rel_id_len + 8 + 4)
                goto bad;
        memcpy(p->rel_id, b + at, p->rel_id_len);
        at += p->rel_id_len;
        p->pos = get64(b + at);
        at += 8;
        int32_t n = get32(b + at);
        at += 4;
        if (n < 0 || (size_t)n > (len - at) / 14 || len != at + (size_t)n * 14)
                goto bad;
        for (int32_t k = 0; k < n; k++, at += 14) {
                int input = b[at];
                int32_t s = get32(b + at + 1);
                if (!src_ok(input, s) || b[at + 13] > 1)
                        goto bad;
                pf_order_wm_t *wm = &p->wm[input][s];
                wm->seen = 1;
                wm->w = get64(b + at + 5);
                wm->idle = b[at + 13];
        }
        part_frontier(p);
        return 0;
bad:
        pf_order_part_reset(p);
        return -1;
}

size_t pf_order_part_encode(const pf_order_part_t *p, uint8_t *out, size_t cap) {
        size_t at = 0;
        if (cap < (size_t)(1 + 1 + 8 + 1 + 8 + 4) + p->rel_id_len)
                return 0;
        out[at++] = PF_ORDER_BLOB_VERSION;
        out[at++] = (uint8_t)p->has_rel;
        put64(out + at, p->rel_time);
        at += 8;
        out[at++] = p->rel_id_len;
        memcpy(out + at, p->rel_id, p->rel_id_len);
        at += p->rel_id_len;
        put64(out + at, p->pos);
        at += 8;
        size_t count_at = at;
        at += 4;
        int32_t n = 0;
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                for (int32_t s = 0; s < PF_ORDER_INPUT_PARTS; s++) {
                        const pf_order_wm_t *wm = &p->wm[i][s];
                        if (!wm->seen)
                                continue;
                        if (at + 14 > cap)
                                return 0;
                        out[at] = (uint8_t)i;
                        put32(out + at + 1, s);
                        put64(out + at + 5, wm->w);
                        out[at + 13] = wm->idle;
                        at += 14;
                        n++;
                }
        put32(out + count_at, n);
        return at;
}

/** @returns <0, 0, >0 as (time, id) compares with the last released key (none: greater). */
static int cmp_rel(const pf_order_part_t *p, int64_t time, const char *id, size_t id_len) {
        if (!p->has_rel)
                return 1;
        return key_cmp(time, id, id_len, p->rel_time, p->rel_id, p->rel_id_len);
}

static int heap_push(pf_order_part_t *p, pf_order_rec_t *r) {
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 256;
                pf_order_rec_t **h = realloc(p->heap, cap * sizeof(*h));
                if (!h)
                        return -1;
                p->heap = h;
                p->cap = cap;
        }
        size_t i = p->n++;
        while (i > 0) {
                size_t up = (i - 1) / 2;
                if (!rec_less(r, p->heap[up]))
                        break;
                p->heap[i] = p->heap[up];
                i = up;
        }
        p->heap[i] = r;
        return 0;
}

static pf_order_rec_t *heap_pop(pf_order_part_t *p) {
        pf_order_rec_t *top = p->heap[0];
        pf_order_rec_t *last = p->heap[--p->n];
        size_t i = 0;
        for (;;) {
                size_t c = 2 * i + 1;
                if (c >= p->n)
                        break;
                if (c + 1 < p->n && rec_less(p->heap[c + 1], p->heap[c]))
                        c++;
                if (!rec_less(p->heap[c], last))
                        break;
                p->heap[i] = p->heap[c];
                i = c;
        }
        if (p->n)
                p->heap[i] = last;
        return top;
}

pf_order_verdict_t pf_order_part_offer(pf_order_part_t *p, int64_t offset, int64_t time,
                                       const char *id, size_t id_len, const char key[32],
                                       const void *payload, size_t len, int64_t ts) {
        if (id_len >= PF_EVENT_ID_MAX)
                id_len = PF_EVENT_ID_MAX - 1;
        int c = cmp_rel(p, time, id, id_len);
        if (offset < p->pos) /* read again after a restart: applied before unless still pending */
                if (c <= 0)
                        return PF_ORDER_SKIP;
        if (offset >= p->pos && c <= 0)
                return PF_ORDER_LATE;
        pf_order_rec_t *r = malloc(sizeof(*r) + len);
        if (!r)
                return PF_ORDER_NOMEM;
        r->time = time;
        r->offset = offset;
        r->ts = ts;
        r->len = len;
        r->id_len = (uint8_t)id_len;
        memcpy(r->id, id, id_len);
        memcpy(r->key, key, sizeof(r->key));
        memcpy(r->payload, payload, len);
        if (heap_push(p, r)) {
                free(r);
                return PF_ORDER_NOMEM;
        }
        return PF_ORDER_HOLD;
}

int pf_order_part_mark(pf_order_part_t *p, int64_t offset, int input, int32_t partition, int64_t w,
                       int idle) {
        if (offset < p->pos || !src_ok(input, partition))
                return 0; /* already in the committed state */
        pf_order_wm_t *wm = &p->wm[input][partition];
        if (!wm->seen || w > wm->w)
                wm->w = w;
        wm->seen = 1;
        wm->idle = (uint8_t)(idle != 0);
        part_frontier(p);
        return 1;
}

int pf_order_part_ready(const pf_order_part_t *p) {
        return p->n > 0 && (p->heap[0]->time < p->frontier || p->n > p->max_pending);
}

pf_order_rec_t *pf_order_part_pop(pf_order_part_t *p, int *forced) {
        if (!pf_order_part_ready(p))
                return NULL;
        *forced = !(p->heap[0]->time < p->frontier);
        pf_order_rec_t *r = heap_pop(p);
        p->has_rel = 1;
        p->rel_time = r->time;
        p->rel_id_len = r->id_len;
        memcpy(p->rel_id, r->id, r->id_len);
        return r;
}

size_t pf_order_part_pending(const pf_order_part_t *p) {
        return p->n;
}

int64_t pf_order_part_next_time(const pf_order_part_t *p) {
        return p->n ? p->heap[0]->time : INT64_MAX;
}

int pf_order_part_over_cap(const pf_order_part_t *p) {
        return p->n > p->max_pending;
}

int64_t pf_order_part_progress(const pf_order_part_t *p) {
        int64_t next = pf_order_part_next_time(p);
        return next < p->frontier ? next : p->frontier;
}

int64_t pf_order_part_position(const pf_order_part_t *p) {
        return p->pos;
}

int64_t pf_order_part_frontier(const pf_order_part_t *p) {
        return p->frontier;
}

int64_t pf_order_part_commit_offset(pf_order_part_t *p, int64_t position) {
        if (position < 0)
                return position; /* nothing read yet */
        int64_t lo = position;
        for (size_t i = 0; i < p->n; i++)
                if (p->heap[i]->offset < lo)
                        lo = p->heap[i]->offset;
        if (position > p->pos)
                p->pos = position;
        return lo;
}
