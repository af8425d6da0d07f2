/**
 * @file store.h
 * @brief Travel-history store: one RocksDB database per owned Kafka partition.
 *
 * The partition is the unit of state: when the worker is assigned a partition it opens that
 * partition's store, when the partition is revoked it destroys it. A store lives in
 * <dir>/p<partition> and maps 16-byte traveller keys to pf_hist_encode() values; a few metadata
 * values (e.g. the changelog offset) live beside them under keys that cannot collide.
 *
 * Threads: after pf_store_open() returns, get/put/delete/meta/stats/foreach may be called from
 * several threads at once (RocksDB serialises what it must). pf_store_destroy() must not race
 * with any other call on the same store. RocksDB takes a file lock: the same partition directory
 * cannot be open twice, even within one process, so destroy the old store before reopening it.
 *
 * Values hold personal data: error strings never include keys or values.
 */
#ifndef PF_STORE_H
#define PF_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../workers/err.h"
#include "hist.h"

/** Length of a traveller key (a keyed digest); get/put/delete reject any other length. */
#define PF_STORE_KEY_LEN 16

/** Longest metadata name, in bytes (without the NUL). */
#define PF_STORE_META_NAME_MAX 32

#define PF_STORE_DEFAULT_BLOCK_CACHE_BYTES  ((size_t)32 << 20)
#define PF_STORE_DEFAULT_WRITE_BUFFER_BYTES ((size_t)16 << 20)

typedef struct pf_store_s pf_store_t;

/**
 * @brief Tuning of one store. Each store has its own cache and memtables, so a worker owning N
 *        partitions uses about N x (block_cache_bytes + 2 x write_buffer_bytes) at most.
 */
typedef struct pf_store_conf_s {
        size_t block_cache_bytes;  /**< LRU block cache capacity; 0 = 32 MiB */
        size_t write_buffer_bytes; /**< memtable size before a flush; 0 = 16 MiB */
} pf_store_conf_t;

/**
 * @brief Opens (creating if needed) the store of one partition at <dir>/p<partition>.
 *
 * Missing directories are created with their parents (mode 0700: the data is personal).
 * Compression is LZ4 when the RocksDB library has it, else none; the WAL is on, without fsync
 * per write (the changelog topic is the durable copy).
 *
 * @param dir         state directory shared by all partitions (borrowed).
 * @param partition   the Kafka partition, >= 0.
 * @param conf        tuning; NULL means all defaults.
 * @param errstr      receives the reason on failure; may be NULL.
 * @param errstr_size size of errstr.
 * @returns the store (caller destroys it with pf_store_destroy()), or NULL on failure.
 */
pf_store_t *pf_store_open(const char *dir, int32_t partition, const pf_store_conf_t *conf,
                          char *errstr, size_t errstr_size);

/**
 * @brief Flushes the memtable, closes the database and frees the store. NULL is a no-op.
 */
void pf_store_destroy(pf_store_t *store);

/**
 * @brief Reads a traveller's history.
 *
 * @param key    PF_STORE_KEY_LEN bytes.
 * @param hist   receives the history, or the empty history (pf_hist_init()) when not found or on
 *               error.
 * @param found  set to 1 if the key holds a history, else 0.
 * @returns PF_OK (see *found);
 *          PF_ERR_INVALID_VALUE when keylen is not PF_STORE_KEY_LEN;
 *          PF_ERR_STATE on a RocksDB error;
 *          the pf_hist_decode() error (PF_ERR_TRUNCATED, PF_ERR_INVALID_VALUE,
 *          PF_ERR_TRAILING_BYTES) when the stored value is corrupt.
 *          errstr is filled on every error.
 */
pf_err_t pf_store_get(pf_store_t *store, const uint8_t *key, size_t keylen, pf_hist_t *hist,
                      int *found, char *errstr, size_t errstr_size);

/**
 * @brief Writes a traveller's history (replacing any previous one).
 * @returns PF_OK; PF_ERR_INVALID_VALUE when keylen is not PF_STORE_KEY_LEN or `hist` breaks an
 *          invariant of hist.h (pf_hist_encode() refuses it); PF_ERR_STATE on a RocksDB error.
 */
pf_err_t pf_store_put(pf_store_t *store, const uint8_t *key, size_t keylen, const pf_hist_t *hist,
                      char *errstr, size_t errstr_size);

/**
 * @brief Deletes a traveller's history; deleting a missing key succeeds.
 * @returns PF_OK; PF_ERR_INVALID_VALUE when keylen is not PF_STORE_KEY_LEN; PF_ERR_STATE on a
 *          RocksDB error.
 */
pf_err_t pf_store_delete(pf_store_t *store, const uint8_t *key, size_t keylen, char *errstr,
                         size_t errstr_size);

/**
 * @brief Stores a named 64-bit metadata value, e.g. "changelog_offset".
 *
 * Stored under 0xFF "meta:" + name zero-padded to PF_STORE_META_NAME_MAX bytes: 38-byte keys,
 * which no 16-byte traveller key can equal, and which pf_store_foreach() skips.
 *
 * @param name 1 to PF_STORE_META_NAME_MAX bytes.
 * @returns PF_OK; PF_ERR_INVALID_VALUE for a bad name; PF_ERR_STATE on a RocksDB error.
 */
pf_err_t pf_store_meta_put(pf_store_t *store, const char *name, int64_t value, char *errstr,
                           size_t errstr_size);

/**
 * @brief Reads a metadata value written by pf_store_meta_put().
 * @param value set to the value when found, else to 0.
 * @param found set to 1 when found, else 0.
 * @returns PF_OK (see *found); PF_ERR_INVALID_VALUE for a bad name or a stored value that is not
 *          8 bytes; PF_ERR_STATE on a RocksDB error.
 */
pf_err_t pf_store_meta_get(pf_store_t *store, const char *name, int64_t *value, int *found,
                           char *errstr, size_t errstr_size);

/**
 * @brief Reads a metadata value of any length (written with pf_store_batch_blob()).
 * @returns PF_OK (see *found); PF_ERR_INVALID_VALUE for a bad name or a value over @p cap bytes;
 *          PF_ERR_STATE on a RocksDB error.
 */
pf_err_t pf_store_blob_get(pf_store_t *store, const char *name, void *buf, size_t cap, size_t *len,
                           int *found, char *errstr, size_t errstr_size);

/**
 * @brief Estimated number of keys and bytes, for metrics.
 *
 * keys is "rocksdb.estimate-num-keys" (metadata keys included); bytes is
 * "rocksdb.estimate-live-data-size" (data in SST files) plus "rocksdb.cur-size-all-mem-tables"
 * (data not flushed yet), so it is not 0 before the first flush. Both are 0 for a NULL store or
 * when RocksDB cannot tell. Estimates only: deleted and overwritten keys may still count.
 */
void pf_store_stats(pf_store_t *store, uint64_t *keys, uint64_t *bytes);

/** @returns the partition the store was opened for, or -1 for NULL. */
int32_t pf_store_partition(const pf_store_t *store);

/**
 * @brief Calls fn for every traveller key, in key (memcmp) order, over a consistent snapshot.
 *
 * Metadata keys are skipped. Iterating does not fill the block cache. key and hist are only
 * valid during the call. fn must not destroy the store; it may put or delete (the iteration
 * keeps seeing the snapshot taken when it started).
 *
 * @param fn     returns 0 to continue, non-zero to stop (pf_store_foreach() then returns PF_OK).
 * @param opaque passed to fn.
 * @returns PF_OK; PF_ERR_STATE on a RocksDB error; the pf_hist_decode() error for a corrupt value
 *          (iteration stops there).
 */
pf_err_t pf_store_foreach(pf_store_t *store,
                          int (*fn)(void *opaque, const uint8_t *key, size_t keylen,
                                    const pf_hist_t *hist),
                          void *opaque, char *errstr, size_t errstr_size);

/**
 * @brief A set of writes applied to one store atomically (a RocksDB WriteBatch).
 *
 * The worker stages a transaction's state changes and applies them only after the Kafka
 * transaction commits, so the store never holds the effect of an aborted transaction; the batch
 * also carries the changelog offset the store is then consistent with.
 */
typedef struct pf_store_batch_s pf_store_batch_t;

pf_store_batch_t *pf_store_batch_new(void);
void pf_store_batch_destroy(pf_store_batch_t *batch); /* NULL is a no-op */

/** @brief Adds a history put. @returns PF_OK or PF_ERR_INVALID_VALUE (bad key or history). */
pf_err_t pf_store_batch_put(pf_store_batch_t *batch, const uint8_t *key, size_t keylen,
                            const pf_hist_t *hist);

/** @brief Adds a raw put of an already encoded history (from a changelog); empty = delete. */
pf_err_t pf_store_batch_put_raw(pf_store_batch_t *batch, const uint8_t *key, size_t keylen,
                                const void *value, size_t value_len);

/** @brief Adds a metadata put. */
pf_err_t pf_store_batch_meta(pf_store_batch_t *batch, const char *name, int64_t value);

/** @brief Adds a metadata put of any length under @p name (@p len 0 deletes it). */
pf_err_t pf_store_batch_blob(pf_store_batch_t *batch, const char *name, const void *value,
                             size_t len);

/** @returns the number of operations in the batch. */
size_t pf_store_batch_count(const pf_store_batch_t *batch);

/** @brief Writes the batch atomically and clears it. */
pf_err_t pf_store_batch_write(pf_store_t *store, pf_store_batch_t *batch, char *errstr,
                              size_t errstr_size);

#endif /* PF_STORE_H */
