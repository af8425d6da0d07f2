/* A bounded cache of committed traveller histories in front of RocksDB: see hcache.h. */
#include "hcache.h"

#include <stdlib.h>
#include <string.h>

#define PF_HCACHE_HEADER 28
#define PF_HCACHE_VALUE  (PF_HCACHE_SLOT - PF_HCACHE_HEADER)

typedef struct pf_hcache_slot_s {
        uint8_t key[PF_HCACHE_KEY_BYTES];
        int32_t partition;
        uint16_t len; /* 0: free */
        uint16_t pad;
        uint32_t used; /* clock of the last use, for LRU within the set */
        uint8_t value[PF_HCACHE_VALUE];
} pf_hcache_slot_t;

_Static_assert(sizeof(pf_hcache_slot_t) == PF_HCACHE_SLOT, "slot layout");

struct pf_hcache_s {
        pf_hcache_slot_t *slots; /* [2 * sets] */
        size_t sets;             /* a power of two */
        uint32_t clock;
        size_t entries;
        uint64_t hits, misses, too_large;
};

pf_hcache_t *pf_hcache_new(size_t bytes) {
        if (bytes == 0)
                return NULL;
        size_t sets = 1;
        while (sets * 2 * 2 * sizeof(pf_hcache_slot_t) <= bytes)
                sets *= 2;
        pf_hcache_t *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        /* calloc: every slot starts free (len 0); the pages are only touched when used. */
        c->slots = calloc(sets * 2, sizeof(*c->slots));
        if (!c->slots) {
                free(c);
                return NULL;
        }
        c->sets = sets;
        return c;
}

void pf_hcache_destroy(pf_hcache_t *cache) {
        if (!cache)
                return;
        free(cache->slots);
        free(cache);
}

static pf_hcache_slot_t *hcache_set(pf_hcache_t *c, int32_t partition, const uint8_t *key) {
        uint64_t h;
        memcpy(&h, key, sizeof(h)); /* keys are keyed hashes already: their bits are uniform */
        h ^= (uint64_t)(uint32_t)partition * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
        return &c->slots[2 * (size_t)(h & (c->sets - 1))];
}

static int hcache_is(const pf_hcache_slot_t *s, int32_t partition, const uint8_t *key) {
        return s->len && s->partition == partition && memcmp(s->key, key, PF_HCACHE_KEY_BYTES) == 0;
}

static void hcache_free_slot(pf_hcache_t *c, pf_hcache_slot_t *s) {
        if (s->len) {
                s->len = 0;
                c->entries--;
        }
}

int pf_hcache_get(pf_hcache_t *cache, int32_t partition, const uint8_t *key, pf_hist_t *hist) {
        if (!cache)
                return 0;
        pf_hcache_slot_t *set = hcache_set(cache, partition, key);
        for (int i = 0; i < 2; i++) {
                pf_hcache_slot_t *s = &set[i];
                if (!hcache_is(s, partition, key))
                        continue;
                if (pf_hist_decode(s->value, s->len, hist) != PF_OK) {
                        hcache_free_slot(cache, s); /* cannot happen unless memory is corrupt */
                        break;
                }
                s->used = ++cache->clock;
                cache->hits++;
                return 1;
        }
        cache->misses++;
        return 0;
}

void pf_hcache_put(pf_hcache_t *cache, int32_t partition, const uint8_t *key,
                   const pf_hist_t *hist) {
        if (!cache)
                return;
        pf_hcache_slot_t *set = hcache_set(cache, partition, key);
        pf_hcache_slot_t *s = NULL;
        for (int i = 0; i < 2 && !s; i++)
                if (hcache_is(&set[i], partition, key))
                        s = &set[i];
        if (!s) {
                if (!set[0].len)
                        s = &set[0];
                else if (!set[1].len)
                        s = &set[1];
                else /* both used: evict the one used longer ago (the clock wraps) */
                        s = (int32_t)(set[0].used - set[1].used) < 0 ? &set[0] : &set[1];
                hcache_free_slot(cache, s);
        }
        size_t len = pf_hist_encode(hist, s->value, sizeof(s->value));
        if (len == 0) {
                /* Too large (or not encodable): the key must not keep an older history. */
                hcache_free_slot(cache, s);
                cache->too_large++;
                return;
        }
        if (!s->len)
                cache->entries++;
        memcpy(s->key, key, PF_HCACHE_KEY_BYTES);
        s->partition = partition;
        s->len = (uint16_t)len;
        s->used = ++cache->clock;
}

void pf_hcache_drop_partition(pf_hcache_t *cache, int32_t partition) {
        if (!cache || !cache->entries)
                return;
        for (size_t i = 0; i < cache->sets * 2; i++)
                if (cache->slots[i].len && cache->slots[i].partition == partition)
                        hcache_free_slot(cache, &cache->slots[i]);
}

void pf_hcache_clear(pf_hcache_t *cache) {
        if (!cache || !cache->entries)
                return;
        for (size_t i = 0; i < cache->sets * 2; i++)
                cache->slots[i].len = 0;
        cache->entries = 0;
}

void pf_hcache_stats(const pf_hcache_t *cache, pf_hcache_stats_t *stats) {
        memset(stats, 0, sizeof(*stats));
        if (!cache)
                return;
        stats->hits = cache->hits;
        stats->misses = cache->misses;
        stats->too_large = cache->too_large;
        stats->entries = cache->entries;
        stats->capacity = cache->sets * 2;
        stats->bytes = cache->sets * 2 * sizeof(pf_hcache_slot_t) + sizeof(*cache);
}
