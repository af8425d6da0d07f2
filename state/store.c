/**
 * @file store.c
 * @brief RocksDB-backed travel-history store, one database per partition.
 *
 * RocksDB C API habits kept here:
 *  - every `char *err` starts NULL (RocksDB frees a non-NULL one before storing a new message)
 *    and is copied to errstr then released with rocksdb_free();
 *  - the filter policy is owned by the block-based options once set (never destroy it), while the
 *    cache handle is a shared_ptr wrapper that we still destroy ourselves;
 *  - read/write options are made once per store; a lookup allocates only RocksDB's own
 *    PinnableSlice wrapper (rocksdb_get_pinned), which saves copying the value.
 */
#define _POSIX_C_SOURCE 200809L /* mkdir, strnlen */

#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <rocksdb/c.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define PF_STORE_BLOOM_BITS_PER_KEY 10
#define PF_STORE_LOG_FILES_KEEP     4
#define PF_STORE_LOG_FILE_MAX_BYTES ((size_t)8 << 20)

/** Metadata key: 0xFF "meta:" + name zero-padded to PF_STORE_META_NAME_MAX. */
#define PF_STORE_META_PREFIX     "\377meta:" /* octal: "\xffme..." would read as one hex escape */
#define PF_STORE_META_PREFIX_LEN 6
#define PF_STORE_META_KEY_LEN    (PF_STORE_META_PREFIX_LEN + PF_STORE_META_NAME_MAX)

struct pf_store_s {
        rocksdb_t *db;
        rocksdb_options_t *options;
        rocksdb_block_based_table_options_t *table_options; /* owns the filter policy */
        rocksdb_cache_t *cache;
        rocksdb_readoptions_t *read_options;
        rocksdb_readoptions_t *scan_options; /* foreach: does not fill the block cache */
        rocksdb_writeoptions_t *write_options;
        int32_t partition;
};

/*
 * Errors.
 */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static pf_err_t
pf_store_fail(pf_err_t err, char *errstr, size_t errstr_size, const char *fmt, ...) {
        va_list ap;

        if (errstr == NULL || errstr_size == 0)
                return err;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
        return err;
}

/**
 * @brief Turns a RocksDB error into PF_ERR_STATE: copies it to errstr and frees it.
 * @returns PF_OK when rocksdb_err is NULL, else PF_ERR_STATE.
 */
static pf_err_t pf_store_rocksdb_fail(char *rocksdb_err, const char *what, char *errstr,
                                      size_t errstr_size) {
        if (rocksdb_err == NULL)
                return PF_OK;
        pf_store_fail(PF_ERR_STATE, errstr, errstr_size, "%s: %s", what, rocksdb_err);
        rocksdb_free(rocksdb_err);
        return PF_ERR_STATE;
}

static pf_err_t pf_store_check_key(const uint8_t *key, size_t keylen, char *errstr,
                                   size_t errstr_size) {
        if (key == NULL || keylen != PF_STORE_KEY_LEN)
                return pf_store_fail(PF_ERR_INVALID_VALUE, errstr, errstr_size,
                                     "traveller key must be %d bytes, got %zu", PF_STORE_KEY_LEN,
                                     key == NULL ? (size_t)0 : keylen);
        return PF_OK;
}

/*
 * Opening and closing.
 */

/**
 * @brief mkdir -p with mode 0700 for the directories it creates.
 * @returns 0, or -1 with errno set.
 */
static int pf_store_mkdirs(const char *path) {
        char buf[PATH_MAX];
        size_t len = strnlen(path, sizeof(buf));
        struct stat st;
        size_t i;

        if (len == 0 || len == sizeof(buf)) {
                errno = len == 0 ? ENOENT : ENAMETOOLONG;
                return -1;
        }
        memcpy(buf, path, len + 1);
        for (i = 1; i <= len; i++) {
                if (buf[i] != '/' && buf[i] != '\0')
                        continue;
                buf[i] = '\0';
                if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                        return -1;
                if (stat(buf, &st) != 0)
                        return -1;
                if (!S_ISDIR(st.st_mode)) {
                        errno = ENOTDIR;
                        return -1;
                }
                buf[i] = i < len ? '/' : '\0';
        }
        return 0;
}

/** Frees everything pf_store_open() may have made; the database must be closed already. */
static void pf_store_free(pf_store_t *store) {
        if (store->write_options != NULL)
                rocksdb_writeoptions_destroy(store->write_options);
        if (store->scan_options != NULL)
                rocksdb_readoptions_destroy(store->scan_options);
        if (store->read_options != NULL)
                rocksdb_readoptions_destroy(store->read_options);
        if (store->options != NULL)
                rocksdb_options_destroy(store->options);
        if (store->table_options != NULL)
                rocksdb_block_based_options_destroy(store->table_options);
        if (store->cache != NULL)
                rocksdb_cache_destroy(store->cache);
        free(store);
}

/** Fills store->options and its table options / cache from conf. */
static void pf_store_options_make(pf_store_t *store, const pf_store_conf_t *conf) {
        size_t cache_bytes = conf != NULL && conf->block_cache_bytes != 0
                                     ? conf->block_cache_bytes
                                     : PF_STORE_DEFAULT_BLOCK_CACHE_BYTES;
        size_t buffer_bytes = conf != NULL && conf->write_buffer_bytes != 0
                                      ? conf->write_buffer_bytes
                                      : PF_STORE_DEFAULT_WRITE_BUFFER_BYTES;

        store->cache = rocksdb_cache_create_lru(cache_bytes);
        store->table_options = rocksdb_block_based_options_create();
        rocksdb_block_based_options_set_block_cache(store->table_options, store->cache);
        /* Set-and-forget: the table options take ownership of the policy. */
        rocksdb_block_based_options_set_filter_policy(
                store->table_options,
                rocksdb_filterpolicy_create_bloom_full(PF_STORE_BLOOM_BITS_PER_KEY));
        /* Index and filter blocks count against the cache, so the cache bounds them too. */
        rocksdb_block_based_options_set_cache_index_and_filter_blocks(store->table_options, 1);
        rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(
                store->table_options, 1);

        store->options = rocksdb_options_create();
        rocksdb_options_set_create_if_missing(store->options, 1);
        rocksdb_options_set_block_based_table_factory(store->options, store->table_options);
        rocksdb_options_set_write_buffer_size(store->options, buffer_bytes);
        rocksdb_options_set_compression(store->options, rocksdb_lz4_compression);
        rocksdb_options_set_keep_log_file_num(store->options, PF_STORE_LOG_FILES_KEEP);
        rocksdb_options_set_max_log_file_size(store->options, PF_STORE_LOG_FILE_MAX_BYTES);

        store->read_options = rocksdb_readoptions_create();
        store->scan_options = rocksdb_readoptions_create();
        rocksdb_readoptions_set_fill_cache(store->scan_options, 0);
        store->write_options = rocksdb_writeoptions_create();
        rocksdb_writeoptions_set_sync(store->write_options, 0);
        rocksdb_writeoptions_disable_WAL(store->write_options, 0);
}

/**
 * @brief Opens the database, falling back to no compression when the library lacks LZ4
 *        (RocksDB only finds out at open time: "Compression type LZ4 is not linked ...").
 * @returns the database, or NULL with *err set (caller frees it).
 */
static rocksdb_t *pf_store_db_open(rocksdb_options_t *options, const char *path, char **err) {
        rocksdb_t *db = rocksdb_open(options, path, err);

        if (db == NULL && *err != NULL && strstr(*err, "not linked with the binary") != NULL) {
                rocksdb_free(*err);
                *err = NULL;
                rocksdb_options_set_compression(options, rocksdb_no_compression);
                db = rocksdb_open(options, path, err);
        }
        return db;
}

pf_store_t *pf_store_open(const char *dir, int32_t partition, const pf_store_conf_t *conf,
                          char *errstr, size_t errstr_size) {
        pf_store_t *store = NULL;
        char path[PATH_MAX];
        char *err = NULL;
        int n;

        if (dir == NULL || partition < 0) {
                pf_store_fail(PF_ERR_INVALID_VALUE, errstr, errstr_size,
                              "store: a directory and a partition >= 0 are required");
                goto fail;
        }
        n = snprintf(path, sizeof(path), "%s/p%" PRId32, dir, partition);
        if (n < 0 || (size_t)n >= sizeof(path)) {
                pf_store_fail(PF_ERR_INVALID_VALUE, errstr, errstr_size,
                              "store: state directory path is too long");
                goto fail;
        }
        if (pf_store_mkdirs(path) != 0) {
                pf_store_fail(PF_ERR_IO, errstr, errstr_size, "store: cannot create %s: %s", path,
                              strerror(errno));
                goto fail;
        }
        if ((store = calloc(1, sizeof(*store))) == NULL) {
                pf_store_fail(PF_ERR_NOMEM, errstr, errstr_size, "store: out of memory");
                goto fail;
        }
        store->partition = partition;
        pf_store_options_make(store, conf);
        store->db = pf_store_db_open(store->options, path, &err);
        if (store->db == NULL) {
                pf_store_fail(PF_ERR_STATE, errstr, errstr_size, "store: cannot open %s: %s", path,
                              err != NULL ? err : "unknown RocksDB error");
                goto fail;
        }
        return store;

fail:
        if (err != NULL)
                rocksdb_free(err);
        if (store != NULL)
                pf_store_free(store);
        return NULL;
}

void pf_store_destroy(pf_store_t *store) {
        rocksdb_flushoptions_t *flush_options;
        char *err = NULL;

        if (store == NULL)
                return;
        /* Not needed for durability (the WAL has every write), but it makes the next open skip
         * the WAL replay. A failure here leaves the WAL to do its job, so it is only dropped. */
        flush_options = rocksdb_flushoptions_create();
        rocksdb_flushoptions_set_wait(flush_options, 1);
        rocksdb_flush(store->db, flush_options, &err);
        if (err != NULL)
                rocksdb_free(err);
        rocksdb_flushoptions_destroy(flush_options);
        rocksdb_close(store->db);
        pf_store_free(store);
}

int32_t pf_store_partition(const pf_store_t *store) {
        return store != NULL ? store->partition : -1;
}

/*
 * Traveller histories.
 */

pf_err_t pf_store_get(pf_store_t *store, const uint8_t *key, size_t keylen, pf_hist_t *hist,
                      int *found, char *errstr, size_t errstr_size) {
        rocksdb_pinnableslice_t *slice = NULL;
        const char *value;
        size_t value_len;
        char *err = NULL;
        pf_err_t perr;

        *found = 0;
        pf_hist_init(hist);
        if ((perr = pf_store_check_key(key, keylen, errstr, errstr_size)) != PF_OK)
                return perr;
        slice = rocksdb_get_pinned(store->db, store->read_options, (const char *)key, keylen, &err);
        if (err != NULL) {
                perr = pf_store_rocksdb_fail(err, "store: get", errstr, errstr_size);
                goto done;
        }
        if (slice == NULL)
                return PF_OK; /* not found */
        value = rocksdb_pinnableslice_value(slice, &value_len);
        perr = pf_hist_decode((const uint8_t *)value, value_len, hist);
        if (perr != PF_OK) {
                pf_store_fail(perr, errstr, errstr_size,
                              "store: corrupt history value (%zu bytes): %s", value_len,
                              pf_err2str(perr));
                goto done;
        }
        *found = 1;

done:
        if (slice != NULL)
                rocksdb_pinnableslice_destroy(slice);
        return perr;
}

pf_err_t pf_store_put(pf_store_t *store, const uint8_t *key, size_t keylen, const pf_hist_t *hist,
                      char *errstr, size_t errstr_size) {
        uint8_t value[PF_HIST_ENCODED_MAX];
        size_t value_len;
        char *err = NULL;
        pf_err_t perr;

        if ((perr = pf_store_check_key(key, keylen, errstr, errstr_size)) != PF_OK)
                return perr;
        value_len = pf_hist_encode(hist, value, sizeof(value));
        if (value_len == 0)
                return pf_store_fail(PF_ERR_INVALID_VALUE, errstr, errstr_size,
                                     "store: history breaks an invariant, not stored");
        rocksdb_put(store->db, store->write_options, (const char *)key, keylen, (const char *)value,
                    value_len, &err);
        return pf_store_rocksdb_fail(err, "store: put", errstr, errstr_size);
}

pf_err_t pf_store_delete(pf_store_t *store, const uint8_t *key, size_t keylen, char *errstr,
                         size_t errstr_size) {
        char *err = NULL;
        pf_err_t perr;

        if ((perr = pf_store_check_key(key, keylen, errstr, errstr_size)) != PF_OK)
                return perr;
        rocksdb_delete(store->db, store->write_options, (const char *)key, keylen, &err);
        return pf_store_rocksdb_fail(err, "store: delete", errstr, errstr_size);
}

/*
 * Metadata.
 */

/** Builds the metadata key of `name` into key[PF_STORE_META_KEY_LEN]. */
static pf_err_t pf_store_meta_key(const char *name, char *key, char *errstr, size_t errstr_size) {
        size_t len = name != NULL ? strnlen(name, PF_STORE_META_NAME_MAX + 1) : 0;

        if (len == 0 || len > PF_STORE_META_NAME_MAX)
                return pf_store_fail(PF_ERR_INVALID_VALUE, errstr, errstr_size,
                                     "store: metadata name must be 1 to %d bytes",
                                     PF_STORE_META_NAME_MAX);
        memset(key, 0, PF_STORE_META_KEY_LEN);
        memcpy(key, PF_STORE_META_PREFIX, PF_STORE_META_PREFIX_LEN);
        memcpy(key + PF_STORE_META_PREFIX_LEN, name, len);
        return PF_OK;
}

pf_err_t pf_store_meta_put(pf_store_t *store, const char *name, int64_t value, char *errstr,
                           size_t errstr_size) {
        char key[PF_STORE_META_KEY_LEN];
        uint8_t buf[8];
        uint64_t u = (uint64_t)value;
        char *err = NULL;
        pf_err_t perr;
        int i;

        if ((perr = pf_store_meta_key(name, key, errstr, errstr_size)) != PF_OK)
                return perr;
        for (i = 0; i < 8; i++)
                buf[i] = (uint8_t)(u >> (8 * i));
        rocksdb_put(store->db, store->write_options, key, sizeof(key), (const char *)buf,
                    sizeof(buf), &err);
        return pf_store_rocksdb_fail(err, "store: meta put", errstr, errstr_size);
}

pf_err_t pf_store_meta_get(pf_store_t *store, const char *name, int64_t *value, int *found,
                           char *errstr, size_t errstr_size) {
        rocksdb_pinnableslice_t *slice = NULL;
        char key[PF_STORE_META_KEY_LEN];
        const uint8_t *buf;
        size_t len;
        uint64_t u = 0;
        char *err = NULL;
        pf_err_t perr;
        int i;

        *value = 0;
        *found = 0;
        if ((perr = pf_store_meta_key(name, key, errstr, errstr_size)) != PF_OK)
                return perr;
        slice = rocksdb_get_pinned(store->db, store->read_options, key, sizeof(key), &err);
        if (err != NULL) {
                perr = pf_store_rocksdb_fail(err, "store: meta get", errstr, errstr_size);
                goto done;
        }
        if (slice == NULL)
                return PF_OK;
        buf = (const uint8_t *)rocksdb_pinnableslice_value(slice, &len);
        if (len != sizeof(u)) {
                perr = pf_store_fail(PF_ERR_INVALID_VALUE, errstr, errstr_size,
                                     "store: corrupt metadata value (%zu bytes, expected 8)", len);
                goto done;
        }
        for (i = 0; i < 8; i++)
                u |= (uint64_t)buf[i] << (8 * i);
        *value = u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
        *found = 1;

done:
        if (slice != NULL)
                rocksdb_pinnableslice_destroy(slice);
        return perr;
}

pf_err_t pf_store_blob_get(pf_store_t *store, const char *name, void *buf, size_t cap, size_t *len,
                           int *found, char *errstr, size_t errstr_size) {
        rocksdb_pinnableslice_t *slice = NULL;
        char key[PF_STORE_META_KEY_LEN];
        const char *val;
        size_t n;
        char *err = NULL;
        pf_err_t perr;

        *len = 0;
        *found = 0;
        if ((perr = pf_store_meta_key(name, key, errstr, errstr_size)) != PF_OK)
                return perr;
        slice = rocksdb_get_pinned(store->db, store->read_options, key, sizeof(key), &err);
        if (err != NULL)
                return pf_store_rocksdb_fail(err, "store: blob get", errstr, errstr_size);
        if (slice == NULL)
                return PF_OK;
        val = rocksdb_pinnableslice_value(slice, &n);
        if (n > cap) {
                perr = pf_store_fail(PF_ERR_INVALID_VALUE, errstr, errstr_size,
                                     "store: metadata value of %zu bytes exceeds %zu", n, cap);
        } else {
                memcpy(buf, val, n);
                *len = n;
                *found = 1;
        }
        rocksdb_pinnableslice_destroy(slice);
        return perr;
}

/*
 * Statistics and iteration.
 */

void pf_store_stats(pf_store_t *store, uint64_t *keys, uint64_t *bytes) {
        uint64_t sst = 0, mem = 0;

        *keys = 0;
        *bytes = 0;
        if (store == NULL)
                return;
        if (rocksdb_property_int(store->db, "rocksdb.estimate-num-keys", keys) != 0)
                *keys = 0;
        if (rocksdb_property_int(store->db, "rocksdb.estimate-live-data-size", &sst) != 0)
                sst = 0;
        if (rocksdb_property_int(store->db, "rocksdb.cur-size-all-mem-tables", &mem) != 0)
                mem = 0;
        *bytes = sst + mem;
}

pf_err_t pf_store_foreach(pf_store_t *store,
                          int (*fn)(void *opaque, const uint8_t *key, size_t keylen,
                                    const pf_hist_t *hist),
                          void *opaque, char *errstr, size_t errstr_size) {
        rocksdb_iterator_t *iter;
        pf_hist_t hist;
        char *err = NULL;
        pf_err_t perr = PF_OK;

        iter = rocksdb_create_iterator(store->db, store->scan_options);
        for (rocksdb_iter_seek_to_first(iter); rocksdb_iter_valid(iter); rocksdb_iter_next(iter)) {
                size_t keylen, value_len;
                const char *key = rocksdb_iter_key(iter, &keylen);
                const char *value;

                if (keylen != PF_STORE_KEY_LEN)
                        continue; /* metadata */
                value = rocksdb_iter_value(iter, &value_len);
                perr = pf_hist_decode((const uint8_t *)value, value_len, &hist);
                if (perr != PF_OK) {
                        pf_store_fail(perr, errstr, errstr_size,
                                      "store: corrupt history value (%zu bytes): %s", value_len,
                                      pf_err2str(perr));
                        goto done;
                }
                if (fn(opaque, (const uint8_t *)key, keylen, &hist) != 0)
                        goto done;
        }
        /* An invalid iterator means either the end or an error. */
        rocksdb_iter_get_error(iter, &err);
        perr = pf_store_rocksdb_fail(err, "store: iterate", errstr, errstr_size);

done:
        rocksdb_iter_destroy(iter);
        return perr;
}

/*
 * Batches.
 */

struct pf_store_batch_s {
        rocksdb_writebatch_t *wb;
        size_t count;
};

pf_store_batch_t *pf_store_batch_new(void) {
        pf_store_batch_t *batch = calloc(1, sizeof(*batch));
        if (batch == NULL)
                return NULL;
        batch->wb = rocksdb_writebatch_create();
        return batch;
}

void pf_store_batch_destroy(pf_store_batch_t *batch) {
        if (batch == NULL)
                return;
        rocksdb_writebatch_destroy(batch->wb);
        free(batch);
}

pf_err_t pf_store_batch_put(pf_store_batch_t *batch, const uint8_t *key, size_t keylen,
                            const pf_hist_t *hist) {
        uint8_t value[PF_HIST_ENCODED_MAX];
        size_t value_len;

        if (pf_store_check_key(key, keylen, NULL, 0) != PF_OK)
                return PF_ERR_INVALID_VALUE;
        value_len = pf_hist_encode(hist, value, sizeof(value));
        if (value_len == 0)
                return PF_ERR_INVALID_VALUE;
        rocksdb_writebatch_put(batch->wb, (const char *)key, keylen, (const char *)value,
                               value_len);
        batch->count++;
        return PF_OK;
}

pf_err_t pf_store_batch_put_raw(pf_store_batch_t *batch, const uint8_t *key, size_t keylen,
                                const void *value, size_t value_len) {
        pf_hist_t hist;

        if (pf_store_check_key(key, keylen, NULL, 0) != PF_OK)
                return PF_ERR_INVALID_VALUE;
        if (value == NULL || value_len == 0) {
                rocksdb_writebatch_delete(batch->wb, (const char *)key, keylen);
        } else {
                /* Changelog bytes are untrusted: only a valid encoding is stored. */
                if (pf_hist_decode(value, value_len, &hist) != PF_OK)
                        return PF_ERR_INVALID_VALUE;
                rocksdb_writebatch_put(batch->wb, (const char *)key, keylen, (const char *)value,
                                       value_len);
        }
        batch->count++;
        return PF_OK;
}

pf_err_t pf_store_batch_blob(pf_store_batch_t *batch, const char *name, const void *value,
                             size_t len) {
        char key[PF_STORE_META_KEY_LEN];

        if (pf_store_meta_key(name, key, NULL, 0) != PF_OK)
                return PF_ERR_INVALID_VALUE;
        if (len == 0)
                rocksdb_writebatch_delete(batch->wb, key, sizeof(key));
        else
                rocksdb_writebatch_put(batch->wb, key, sizeof(key), (const char *)value, len);
        batch->count++;
        return PF_OK;
}

pf_err_t pf_store_batch_meta(pf_store_batch_t *batch, const char *name, int64_t value) {
        char key[PF_STORE_META_KEY_LEN];
        uint8_t buf[8];
        uint64_t u = (uint64_t)value;

        if (pf_store_meta_key(name, key, NULL, 0) != PF_OK)
                return PF_ERR_INVALID_VALUE;
        for (int i = 0; i < 8; i++)
                buf[i] = (uint8_t)(u >> (8 * i));
        rocksdb_writebatch_put(batch->wb, key, sizeof(key), (const char *)buf, sizeof(buf));
        batch->count++;
        return PF_OK;
}

size_t pf_store_batch_count(const pf_store_batch_t *batch) {
        return batch->count;
}

pf_err_t pf_store_batch_write(pf_store_t *store, pf_store_batch_t *batch, char *errstr,
                              size_t errstr_size) {
        char *err = NULL;

        if (batch->count == 0)
                return PF_OK;
        rocksdb_write(store->db, store->write_options, batch->wb, &err);
        rocksdb_writebatch_clear(batch->wb);
        batch->count = 0;
        return pf_store_rocksdb_fail(err, "store: batch write", errstr, errstr_size);
}
