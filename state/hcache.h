/**
 * @file hcache.h
 * @brief A bounded in-memory cache of committed traveller histories, in front of RocksDB.
 *
 * A traveller's PNR pushes and API events arrive within a few days of each other, so most history
 * reads are for a traveller seen shortly before. The cache keeps the encoded history of recently
 * committed travellers (pf_hist_encode form, so a hit costs a decode of a few hundred bytes instead
 * of a RocksDB point lookup).
 *
 * It only ever holds state that is committed: the pipeline fills it after a transaction's state
 * is written to RocksDB (pf_pipeline_apply), never from the uncommitted overlay. An aborted
 * transaction therefore leaves it valid. A partition's entries are dropped when the partition is
 * released or restored, since RocksDB is then written behind the cache's back.
 *
 * Layout: fixed 1 KiB slots in two-way sets (no allocation after pf_hcache_new); a history whose
 * encoding does not fit a slot is not cached. Replacement evicts the less recently used slot of
 * the set. Not thread-safe: one per pipeline.
 */
#ifndef PF_HCACHE_H
#define PF_HCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

#define PF_HCACHE_KEY_BYTES 16
#define PF_HCACHE_SLOT      1024 /**< bytes per slot, header included */

typedef struct pf_hcache_s pf_hcache_t;

typedef struct pf_hcache_stats_s {
        uint64_t hits;
        uint64_t misses;
        uint64_t too_large; /**< histories not cached because their encoding exceeds a slot */
        size_t entries;     /**< slots in use */
        size_t capacity;    /**< slots */
        size_t bytes;       /**< memory held */
} pf_hcache_stats_t;

/** @returns a cache of about `bytes` (at least two slots), or NULL if bytes is 0 or on no memory.
 */
pf_hcache_t *pf_hcache_new(size_t bytes);
void pf_hcache_destroy(pf_hcache_t *cache); /* NULL is a no-op */

/**
 * Looks up (partition, key). On a hit the history is decoded into *hist and 1 is returned; on a
 * miss (or an entry that no longer decodes, which is then dropped) 0. NULL cache: always 0.
 */
int pf_hcache_get(pf_hcache_t *cache, int32_t partition, const uint8_t *key, pf_hist_t *hist);

/** Stores the committed history of (partition, key), replacing any older entry of the key. */
void pf_hcache_put(pf_hcache_t *cache, int32_t partition, const uint8_t *key,
                   const pf_hist_t *hist);

/** Drops every entry of a partition. */
void pf_hcache_drop_partition(pf_hcache_t *cache, int32_t partition);

/** Drops everything. */
void pf_hcache_clear(pf_hcache_t *cache);

void pf_hcache_stats(const pf_hcache_t *cache, pf_hcache_stats_t *stats);

#endif
