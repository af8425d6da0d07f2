/**
 * @file flags.c
 * @brief The shared flags table: open addressing on the digest, two earliest flaggers each.
 */
#include "flags.h"

#include <stdlib.h>
#include <string.h>

#define FLAGS_VERSION 1

typedef struct flags_slot_s {
        uint64_t digest; /* 0: empty */
        uint64_t flagger[2];
        int64_t time[2];
        uint8_t n; /* flaggers kept, 1 or 2 (any time, INT64_MIN too, is a flag's time) */
        uint8_t kind;
} flags_slot_t;

struct pf_flags_s {
        flags_slot_t *slots;
        size_t cap;     /* a power of two */
        unsigned shift; /* 64 - log2(cap) */
        size_t count;
        int64_t delay_ms;
        int32_t parts;
        int64_t progress[PF_FLAGS_MAX_PARTS];
};

pf_flags_t *pf_flags_new(int64_t delay_ms) {
        pf_flags_t *f = calloc(1, sizeof(*f));
        if (!f)
                return NULL;
        f->cap = 1024;
        f->shift = 64 - 10;
        if (!(f->slots = calloc(f->cap, sizeof(*f->slots)))) {
                free(f);
                return NULL;
        }
        f->delay_ms = delay_ms < 0 ? 0 : delay_ms;
        for (size_t i = 0; i < PF_FLAGS_MAX_PARTS; i++)
                f->progress[i] = PF_FLAGS_NONE;
        return f;
}

void pf_flags_destroy(pf_flags_t *f) {
        if (!f)
                return;
        free(f->slots);
        free(f);
}

int64_t pf_flags_delay(const pf_flags_t *f) {
        return f->delay_ms;
}

static size_t flags_home(const pf_flags_t *f, uint64_t digest) {
        return (size_t)((digest * 0x9e3779b97f4a7c15ull) >> f->shift);
}

static flags_slot_t *flags_find(const pf_flags_t *f, uint64_t digest) {
        for (size_t i = flags_home(f, digest);; i = (i + 1) & (f->cap - 1)) {
                flags_slot_t *s = &f->slots[i];
                if (s->digest == digest || s->digest == 0)
                        return s;
        }
}

static int flags_grow(pf_flags_t *f) {
        flags_slot_t *old = f->slots;
        size_t old_cap = f->cap;
        flags_slot_t *slots = calloc(old_cap * 2, sizeof(*slots));
        if (!slots)
                return -1;
        f->slots = slots;
        f->cap = old_cap * 2;
        f->shift--;
        for (size_t i = 0; i < old_cap; i++)
                if (old[i].digest)
                        *flags_find(f, old[i].digest) = old[i];
        free(old);
        return 0;
}

/** (time, flagger) order: the earlier flag first, ties by flagger, so the kept pair is unique. */
static int flags_before(int64_t ta, uint64_t fa, int64_t tb, uint64_t fb) {
        return ta < tb || (ta == tb && fa < fb);
}

int pf_flags_add(pf_flags_t *f, uint64_t digest, uint64_t flagger, uint8_t kind, int64_t time) {
        if (digest == 0)
                return 0;
        if ((f->count + 1) * 2 > f->cap && flags_grow(f))
                return -1;
        flags_slot_t *s = flags_find(f, digest);
        if (s->digest == 0) {
                s->digest = digest;
                s->kind = kind;
                s->flagger[0] = flagger;
                s->time[0] = time;
                s->flagger[1] = 0;
                s->time[1] = PF_FLAGS_NONE;
                s->n = 1;
                f->count++;
                return 0;
        }
        int n = s->n;
        for (int i = 0; i < n; i++)
                if (s->flagger[i] == flagger) {
                        if (time < s->time[i])
                                s->time[i] = time;
                        goto order;
                }
        if (n == 1) {
                s->flagger[1] = flagger;
                s->time[1] = time;
                s->n = 2;
        } else if (flags_before(time, flagger, s->time[1], s->flagger[1])) {
                s->flagger[1] = flagger;
                s->time[1] = time;
        }
order:
        if (s->n == 2 && flags_before(s->time[1], s->flagger[1], s->time[0], s->flagger[0])) {
                uint64_t fl = s->flagger[0];
                int64_t t = s->time[0];
                s->flagger[0] = s->flagger[1];
                s->time[0] = s->time[1];
                s->flagger[1] = fl;
                s->time[1] = t;
        }
        return 0;
}

int pf_flags_visible(const pf_flags_t *f, uint64_t digest, uint64_t self, int64_t t) {
        if (digest == 0 || t < INT64_MIN + f->delay_ms + 1)
                return 0;
        const flags_slot_t *s = flags_find(f, digest);
        if (s->digest == 0)
                return 0;
        int64_t before = t - f->delay_ms;
        for (int i = 0; i < s->n; i++)
                if (s->flagger[i] != self && s->time[i] < before)
                        return 1;
        return 0;
}

size_t pf_flags_count(const pf_flags_t *f) {
        return f->count;
}

void pf_flags_set_parts(pf_flags_t *f, int32_t parts) {
        f->parts = parts < 0 ? 0 : parts > PF_FLAGS_MAX_PARTS ? PF_FLAGS_MAX_PARTS : parts;
}

void pf_flags_progress(pf_flags_t *f, int32_t p, int64_t time) {
        if (p >= 0 && p < PF_FLAGS_MAX_PARTS && time > f->progress[p])
                f->progress[p] = time;
}

int64_t pf_flags_progress_of(const pf_flags_t *f, int32_t p) {
        return p >= 0 && p < PF_FLAGS_MAX_PARTS ? f->progress[p] : PF_FLAGS_NONE;
}

int32_t pf_flags_parts(const pf_flags_t *f) {
        return f->parts;
}

int64_t pf_flags_progress_min(const pf_flags_t *f) {
        int64_t m = INT64_MAX;
        for (int32_t p = 0; p < f->parts; p++)
                if (f->progress[p] < m)
                        m = f->progress[p];
        return m;
}

int64_t pf_flags_gate_at(const pf_flags_t *f, int64_t lowest) {
        if (lowest == PF_FLAGS_NONE)
                return PF_FLAGS_NONE;
        return lowest > INT64_MAX - f->delay_ms ? INT64_MAX : lowest + f->delay_ms;
}

int64_t pf_flags_gate(const pf_flags_t *f) {
        return pf_flags_gate_at(f, pf_flags_progress_min(f));
}

int pf_flags_may_apply(const pf_flags_t *f, int64_t t) {
        int64_t gate = pf_flags_gate(f);
        return gate != PF_FLAGS_NONE && t <= gate;
}

/* ---- Records: big-endian integers ---- */

static void flags_put64(uint8_t *p, uint64_t v) {
        for (int i = 7; i >= 0; i--, v >>= 8)
                p[i] = (uint8_t)v;
}

static uint64_t flags_get64(const uint8_t *p) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v = v << 8 | p[i];
        return v;
}

void pf_flags_rec_flag(uint8_t key[PF_FLAGS_KEY_LEN], uint8_t val[PF_FLAGS_VAL_LEN],
                       uint64_t digest, uint64_t flagger, uint8_t kind, int64_t time) {
        key[0] = 'F';
        flags_put64(key + 1, digest);
        flags_put64(key + 9, flagger);
        val[0] = FLAGS_VERSION;
        val[1] = kind;
        flags_put64(val + 2, (uint64_t)time);
}

void pf_flags_rec_progress(uint8_t key[PF_FLAGS_PG_KEY_LEN], uint8_t val[PF_FLAGS_PG_VAL_LEN],
                           int32_t partition, int64_t time) {
        uint32_t p = (uint32_t)partition;
        memcpy(key, "~pg", 3);
        key[3] = (uint8_t)(p >> 24);
        key[4] = (uint8_t)(p >> 16);
        key[5] = (uint8_t)(p >> 8);
        key[6] = (uint8_t)p;
        val[0] = FLAGS_VERSION;
        flags_put64(val + 1, (uint64_t)time);
}

int pf_flags_rec_parse(const void *key, size_t key_len, const void *val, size_t val_len,
                       pf_flags_rec_t *rec) {
        const uint8_t *k = key, *v = val;
        memset(rec, 0, sizeof(*rec));
        if (!k || !v)
                return -1;
        if (key_len == PF_FLAGS_KEY_LEN && k[0] == 'F') {
                if (val_len != PF_FLAGS_VAL_LEN || v[0] != FLAGS_VERSION || v[1] < PF_FLAG_PHONE ||
                    v[1] > PF_FLAG_BOOKING)
                        return -1;
                rec->digest = flags_get64(k + 1);
                rec->flagger = flags_get64(k + 9);
                rec->kind = v[1];
                rec->time = (int64_t)flags_get64(v + 2);
                return rec->digest ? 0 : -1;
        }
        if (key_len == PF_FLAGS_PG_KEY_LEN && memcmp(k, "~pg", 3) == 0) {
                uint32_t p =
                        (uint32_t)k[3] << 24 | (uint32_t)k[4] << 16 | (uint32_t)k[5] << 8 | k[6];
                if (val_len != PF_FLAGS_PG_VAL_LEN || v[0] != FLAGS_VERSION ||
                    p >= PF_FLAGS_MAX_PARTS)
                        return -1;
                rec->progress = 1;
                rec->partition = (int32_t)p;
                rec->time = (int64_t)flags_get64(v + 1);
                return 0;
        }
        return -1;
}
