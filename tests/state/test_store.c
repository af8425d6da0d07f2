/**
 * @file test_store.c
 * @brief Tests of state/store.c against a real RocksDB in a temporary directory.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <rocksdb/c.h>

#include "../../state/store.h"

/** Per-test fixture: a fresh temporary directory and the state dir below it. */
typedef struct fixture_s {
        char tmp[64];
        char dir[128]; /* <tmp>/state/sub: pf_store_open() creates the parents */
        char errstr[512];
} fixture_t;

static int setup(void **state) {
        fixture_t *fx = calloc(1, sizeof(*fx));

        if (fx == NULL)
                return -1;
        snprintf(fx->tmp, sizeof(fx->tmp), "/tmp/pf_test_store_XXXXXX");
        if (mkdtemp(fx->tmp) == NULL) {
                free(fx);
                return -1;
        }
        snprintf(fx->dir, sizeof(fx->dir), "%s/state/sub", fx->tmp);
        *state = fx;
        return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static int teardown(void **state) {
        fixture_t *fx = *state;
        int rc = nftw(fx->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

        free(fx);
        return rc;
}

static pf_store_t *open_ok(fixture_t *fx, int32_t partition) {
        pf_store_t *store = pf_store_open(fx->dir, partition, NULL, fx->errstr, sizeof(fx->errstr));

        if (store == NULL)
                print_error("pf_store_open: %s\n", fx->errstr);
        assert_non_null(store);
        return store;
}

static void key_make(uint8_t key[PF_STORE_KEY_LEN], unsigned i) {
        size_t b;

        for (b = 0; b < PF_STORE_KEY_LEN; b++)
                key[b] = (uint8_t)(i * 37u + b);
        key[0] = (uint8_t)(i >> 8);
        key[1] = (uint8_t)i;
}

/** A small valid history whose content depends on i. */
static void hist_make(pf_hist_t *hist, unsigned i) {
        pf_trip_t trip;

        memset(&trip, 0, sizeof(trip));
        trip.departure_ms = 1700000000000 + (int64_t)i * 3600000;
        memcpy(trip.carrier, "LH", 2);
        snprintf(trip.flight_number, sizeof(trip.flight_number), "%u", i % 10000);
        memcpy(trip.origin_country, "DEU", 3);
        trip.flags = PF_TRIP_FLAG_API;
        pf_hist_init(hist);
        pf_hist_add_trip(hist, &trip, 0);
        pf_hist_add_doc(hist, 0xabcdef00u + i);
}

/*
 * Opening.
 */

static void test_open_creates_dir(void **state) {
        fixture_t *fx = *state;
        char path[256];
        struct stat st;
        pf_store_t *store = open_ok(fx, 7);

        assert_int_equal(pf_store_partition(store), 7);
        snprintf(path, sizeof(path), "%s/p7", fx->dir);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0700);
        pf_store_destroy(store);
}

static void test_open_errors(void **state) {
        fixture_t *fx = *state;
        pf_store_t *store;
        char file[256];
        FILE *fp;

        assert_null(pf_store_open(NULL, 0, NULL, fx->errstr, sizeof(fx->errstr)));
        assert_true(fx->errstr[0] != '\0');
        assert_null(pf_store_open(fx->dir, -1, NULL, NULL, 0)); /* errstr may be NULL */

        /* A file where the state directory should be. */
        snprintf(file, sizeof(file), "%s/file", fx->tmp);
        fp = fopen(file, "w");
        assert_non_null(fp);
        fclose(fp);
        fx->errstr[0] = '\0';
        assert_null(pf_store_open(file, 0, NULL, fx->errstr, sizeof(fx->errstr)));
        assert_non_null(strstr(fx->errstr, "cannot create"));

        /* RocksDB's lock: the same partition cannot be open twice. */
        store = open_ok(fx, 0);
        fx->errstr[0] = '\0';
        assert_null(pf_store_open(fx->dir, 0, NULL, fx->errstr, sizeof(fx->errstr)));
        assert_non_null(strstr(fx->errstr, "lock"));
        pf_store_destroy(store);
        store = open_ok(fx, 0); /* and can be reopened once closed */
        pf_store_destroy(store);
}

static void test_null_is_noop(void **state) {
        uint64_t keys = 1, bytes = 1;

        (void)state;
        pf_store_destroy(NULL);
        assert_int_equal(pf_store_partition(NULL), -1);
        pf_store_stats(NULL, &keys, &bytes);
        assert_true(keys == 0 && bytes == 0);
}

/*
 * Histories.
 */

static void test_put_get_delete(void **state) {
        fixture_t *fx = *state;
        pf_store_conf_t conf = {1 << 20, 1 << 20};
        pf_store_t *store = pf_store_open(fx->dir, 1, &conf, fx->errstr, sizeof(fx->errstr));
        uint8_t key[PF_STORE_KEY_LEN], other[PF_STORE_KEY_LEN];
        pf_hist_t hist, got, empty;
        int found = -1;

        assert_non_null(store);
        key_make(key, 1);
        key_make(other, 2);
        hist_make(&hist, 1);
        pf_hist_init(&empty);

        assert_int_equal(
                pf_store_get(store, key, sizeof(key), &got, &found, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        assert_int_equal(found, 0);
        assert_memory_equal(&got, &empty, sizeof(got));

        assert_int_equal(
                pf_store_put(store, key, sizeof(key), &hist, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        assert_int_equal(
                pf_store_get(store, key, sizeof(key), &got, &found, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        assert_int_equal(found, 1);
        assert_memory_equal(&got, &hist, sizeof(got));
        assert_int_equal(pf_store_get(store, other, sizeof(other), &got, &found, fx->errstr,
                                      sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(found, 0);

        assert_int_equal(pf_store_delete(store, key, sizeof(key), fx->errstr, sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(
                pf_store_get(store, key, sizeof(key), &got, &found, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        assert_int_equal(found, 0);
        assert_int_equal(pf_store_delete(store, key, sizeof(key), fx->errstr, sizeof(fx->errstr)),
                         PF_OK); /* missing key */
        pf_store_destroy(store);
}

static void test_bad_arguments(void **state) {
        fixture_t *fx = *state;
        pf_store_t *store = open_ok(fx, 0);
        uint8_t key[PF_STORE_KEY_LEN + 1];
        pf_hist_t hist;
        int64_t value;
        int found;
        static const size_t bad_lens[] = {0, 1, PF_STORE_KEY_LEN - 1, PF_STORE_KEY_LEN + 1};
        size_t i;

        key_make(key, 3);
        hist_make(&hist, 3);
        for (i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++) {
                assert_int_equal(pf_store_get(store, key, bad_lens[i], &hist, &found, fx->errstr,
                                              sizeof(fx->errstr)),
                                 PF_ERR_INVALID_VALUE);
                assert_int_equal(found, 0);
                hist_make(&hist, 3);
                assert_int_equal(pf_store_put(store, key, bad_lens[i], &hist, fx->errstr,
                                              sizeof(fx->errstr)),
                                 PF_ERR_INVALID_VALUE);
                assert_int_equal(
                        pf_store_delete(store, key, bad_lens[i], fx->errstr, sizeof(fx->errstr)),
                        PF_ERR_INVALID_VALUE);
        }
        hist.trip_count = PF_HIST_MAX_TRIPS + 1; /* breaks an invariant: refused */
        assert_int_equal(
                pf_store_put(store, key, PF_STORE_KEY_LEN, &hist, fx->errstr, sizeof(fx->errstr)),
                PF_ERR_INVALID_VALUE);

        assert_int_equal(pf_store_meta_put(store, "", 1, fx->errstr, sizeof(fx->errstr)),
                         PF_ERR_INVALID_VALUE);
        assert_int_equal(pf_store_meta_put(store, "0123456789abcdef0123456789abcdefX", 1,
                                           fx->errstr, sizeof(fx->errstr)),
                         PF_ERR_INVALID_VALUE); /* 33 bytes */
        assert_int_equal(
                pf_store_meta_get(store, NULL, &value, &found, fx->errstr, sizeof(fx->errstr)),
                PF_ERR_INVALID_VALUE);
        pf_store_destroy(store);
}

static void test_survives_reopen(void **state) {
        fixture_t *fx = *state;
        pf_store_t *store = open_ok(fx, 2);
        uint8_t key[PF_STORE_KEY_LEN];
        pf_hist_t hist, got;
        int64_t offset;
        int found;
        unsigned i;

        for (i = 0; i < 100; i++) {
                key_make(key, i);
                hist_make(&hist, i);
                assert_int_equal(pf_store_put(store, key, sizeof(key), &hist, fx->errstr,
                                              sizeof(fx->errstr)),
                                 PF_OK);
        }
        assert_int_equal(
                pf_store_meta_put(store, "changelog_offset", 4242, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        pf_store_destroy(store);

        store = open_ok(fx, 2);
        for (i = 0; i < 100; i++) {
                key_make(key, i);
                hist_make(&hist, i);
                assert_int_equal(pf_store_get(store, key, sizeof(key), &got, &found, fx->errstr,
                                              sizeof(fx->errstr)),
                                 PF_OK);
                assert_int_equal(found, 1);
                assert_memory_equal(&got, &hist, sizeof(got));
        }
        assert_int_equal(pf_store_meta_get(store, "changelog_offset", &offset, &found, fx->errstr,
                                           sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(found, 1);
        assert_true(offset == 4242);
        pf_store_destroy(store);
}

/*
 * Metadata.
 */

static void test_meta(void **state) {
        static const struct {
                const char *name;
                int64_t value;
        } cases[] = {
                {"changelog_offset", 0},
                {"a", -1},
                {"min", INT64_MIN},
                {"max", INT64_MAX},
                {"0123456789", 123456789}, /* 0xFF "meta:" + 10 bytes would be 16 bytes long */
                {"0123456789abcdef0123456789abcdef", 32},
        };
        fixture_t *fx = *state;
        pf_store_t *store = open_ok(fx, 0);
        int64_t value = 99;
        int found = -1;
        size_t i;

        assert_int_equal(pf_store_meta_get(store, "changelog_offset", &value, &found, fx->errstr,
                                           sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(found, 0);
        assert_true(value == 0);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                assert_int_equal(pf_store_meta_put(store, cases[i].name, cases[i].value, fx->errstr,
                                                   sizeof(fx->errstr)),
                                 PF_OK);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(pf_store_meta_get(store, cases[i].name, &value, &found, fx->errstr,
                                                   sizeof(fx->errstr)),
                                 PF_OK);
                assert_int_equal(found, 1);
                assert_true(value == cases[i].value);
        }
        pf_store_destroy(store);
}

static void test_blob(void **state) {
        fixture_t *fx = *state;
        pf_store_t *store = open_ok(fx, 0);
        pf_store_batch_t *batch = pf_store_batch_new();
        uint8_t buf[64];
        size_t len = 99;
        int found = -1;

        assert_int_equal(pf_store_blob_get(store, "order", buf, sizeof(buf), &len, &found,
                                           fx->errstr, sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(found, 0);
        assert_int_equal(len, 0);
        assert_int_equal(pf_store_batch_blob(batch, "order", "\x01\x00state", 7), PF_OK);
        assert_int_equal(pf_store_batch_blob(batch, "", "x", 1), PF_ERR_INVALID_VALUE);
        assert_int_equal(pf_store_batch_write(store, batch, fx->errstr, sizeof(fx->errstr)), PF_OK);
        assert_int_equal(pf_store_blob_get(store, "order", buf, sizeof(buf), &len, &found,
                                           fx->errstr, sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(found, 1);
        assert_int_equal(len, 7);
        assert_memory_equal(buf, "\x01\x00state", 7);
        /* a value larger than the caller's buffer is an error, not a silent cut */
        assert_int_equal(pf_store_blob_get(store, "order", buf, 3, &len, &found, fx->errstr,
                                           sizeof(fx->errstr)),
                         PF_ERR_INVALID_VALUE);
        /* an empty value deletes */
        assert_int_equal(pf_store_batch_blob(batch, "order", NULL, 0), PF_OK);
        assert_int_equal(pf_store_batch_write(store, batch, fx->errstr, sizeof(fx->errstr)), PF_OK);
        assert_int_equal(pf_store_blob_get(store, "order", buf, sizeof(buf), &len, &found,
                                           fx->errstr, sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(found, 0);
        pf_store_batch_destroy(batch);
        pf_store_destroy(store);
}

/*
 * Iteration.
 */

typedef struct collect_s {
        uint8_t keys[64][PF_STORE_KEY_LEN];
        size_t count;
        size_t stop_after; /* 0: never */
} collect_t;

static int collect(void *opaque, const uint8_t *key, size_t keylen, const pf_hist_t *hist) {
        collect_t *col = opaque;

        assert_int_equal(keylen, PF_STORE_KEY_LEN);
        assert_int_equal(hist->trip_count, 1);
        assert_true(col->count < 64);
        memcpy(col->keys[col->count++], key, keylen);
        return col->stop_after != 0 && col->count == col->stop_after;
}

static void test_foreach(void **state) {
        fixture_t *fx = *state;
        pf_store_t *store = open_ok(fx, 0);
        uint8_t key[PF_STORE_KEY_LEN];
        collect_t col;
        pf_hist_t hist;
        unsigned i;
        size_t k;

        for (i = 0; i < 40; i++) { /* keys not written in key order, and one 0xFF... key */
                unsigned n = (i * 17u) % 40u;
                key_make(key, n);
                if (n == 39)
                        memcpy(key, "\377meta:0123456789", PF_STORE_KEY_LEN);
                hist_make(&hist, n);
                assert_int_equal(pf_store_put(store, key, sizeof(key), &hist, fx->errstr,
                                              sizeof(fx->errstr)),
                                 PF_OK);
        }
        assert_int_equal(pf_store_meta_put(store, "0123456789", 7, fx->errstr, sizeof(fx->errstr)),
                         PF_OK);

        memset(&col, 0, sizeof(col));
        assert_int_equal(pf_store_foreach(store, collect, &col, fx->errstr, sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(col.count, 40); /* the metadata key is skipped */
        for (k = 1; k < col.count; k++)
                assert_true(memcmp(col.keys[k - 1], col.keys[k], PF_STORE_KEY_LEN) < 0);
        assert_memory_equal(col.keys[39], "\377meta:0123456789", PF_STORE_KEY_LEN);

        memset(&col, 0, sizeof(col));
        col.stop_after = 3;
        assert_int_equal(pf_store_foreach(store, collect, &col, fx->errstr, sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(col.count, 3);
        pf_store_destroy(store);
}

static void test_partitions_are_separate(void **state) {
        fixture_t *fx = *state;
        pf_store_t *p0 = open_ok(fx, 0);
        pf_store_t *p1 = open_ok(fx, 1);
        uint8_t key[PF_STORE_KEY_LEN];
        pf_hist_t hist;
        int64_t value;
        int found;

        key_make(key, 5);
        hist_make(&hist, 5);
        assert_int_equal(pf_store_put(p0, key, sizeof(key), &hist, fx->errstr, sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(
                pf_store_meta_put(p0, "changelog_offset", 1, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        assert_int_equal(
                pf_store_get(p1, key, sizeof(key), &hist, &found, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        assert_int_equal(found, 0);
        assert_int_equal(pf_store_meta_get(p1, "changelog_offset", &value, &found, fx->errstr,
                                           sizeof(fx->errstr)),
                         PF_OK);
        assert_int_equal(found, 0);
        assert_int_equal(
                pf_store_get(p0, key, sizeof(key), &hist, &found, fx->errstr, sizeof(fx->errstr)),
                PF_OK);
        assert_int_equal(found, 1);
        pf_store_destroy(p1);
        pf_store_destroy(p0);
}

static void test_stats(void **state) {
        fixture_t *fx = *state;
        pf_store_t *store = open_ok(fx, 0);
        uint8_t key[PF_STORE_KEY_LEN];
        uint64_t keys, bytes;
        pf_hist_t hist;
        unsigned i;

        pf_store_stats(store, &keys, &bytes);
        assert_true(keys == 0);
        for (i = 0; i < 50; i++) {
                key_make(key, i);
                hist_make(&hist, i);
                assert_int_equal(pf_store_put(store, key, sizeof(key), &hist, fx->errstr,
                                              sizeof(fx->errstr)),
                                 PF_OK);
        }
        pf_store_stats(store, &keys, &bytes); /* all in the memtable */
        assert_true(keys > 0);
        assert_true(bytes > 0);
        pf_store_destroy(store);

        store = open_ok(fx, 0); /* all in an SST file */
        pf_store_stats(store, &keys, &bytes);
        assert_true(keys > 0);
        assert_true(bytes > 0);
        pf_store_destroy(store);
}

/*
 * Corruption: values written behind the store's back.
 */

static void raw_put(fixture_t *fx, int32_t partition, const uint8_t *key, size_t keylen,
                    const char *value, size_t value_len) {
        rocksdb_options_t *options = rocksdb_options_create();
        rocksdb_writeoptions_t *write_options = rocksdb_writeoptions_create();
        char path[256];
        char *err = NULL;
        rocksdb_t *db;

        snprintf(path, sizeof(path), "%s/p%d", fx->dir, (int)partition);
        db = rocksdb_open(options, path, &err);
        assert_null(err);
        rocksdb_put(db, write_options, (const char *)key, keylen, value, value_len, &err);
        assert_null(err);
        rocksdb_close(db);
        rocksdb_writeoptions_destroy(write_options);
        rocksdb_options_destroy(options);
}

static void test_corrupt_values(void **state) {
        fixture_t *fx = *state;
        static const struct {
                const char *name;
                const char *value;
                size_t len;
                pf_err_t want;
        } cases[] = {
                {"empty", "", 0, PF_ERR_TRUNCATED},
                {"short header", "\001\000\000", 3, PF_ERR_TRUNCATED},
                {"bad version",
                 "\007\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000"
                 "\000\000\000",
                 19, PF_ERR_INVALID_VALUE},
        };
        uint8_t key[PF_STORE_KEY_LEN];
        char meta_key[38];
        pf_store_t *store;
        pf_hist_t hist;
        collect_t col;
        int64_t value;
        int found;
        size_t i;

        key_make(key, 9);
        pf_store_destroy(open_ok(fx, 0));
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                print_message("corrupt case: %s\n", cases[i].name);
                raw_put(fx, 0, key, sizeof(key), cases[i].value, cases[i].len);
                store = open_ok(fx, 0);
                fx->errstr[0] = '\0';
                found = -1;
                assert_int_equal(pf_store_get(store, key, sizeof(key), &hist, &found, fx->errstr,
                                              sizeof(fx->errstr)),
                                 cases[i].want);
                assert_int_equal(found, 0);
                assert_non_null(strstr(fx->errstr, "corrupt"));
                memset(&col, 0, sizeof(col));
                assert_int_equal(
                        pf_store_foreach(store, collect, &col, fx->errstr, sizeof(fx->errstr)),
                        cases[i].want);
                assert_int_equal(col.count, 0);
                pf_store_destroy(store);
        }

        /* A metadata value that is not 8 bytes. */
        memset(meta_key, 0, sizeof(meta_key));
        memcpy(meta_key, "\377meta:x", 7);
        raw_put(fx, 0, (const uint8_t *)meta_key, sizeof(meta_key), "1234", 4);
        store = open_ok(fx, 0);
        assert_int_equal(
                pf_store_meta_get(store, "x", &value, &found, fx->errstr, sizeof(fx->errstr)),
                PF_ERR_INVALID_VALUE);
        assert_int_equal(found, 0);
        pf_store_destroy(store);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_open_creates_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
                cmocka_unit_test(test_null_is_noop),
                cmocka_unit_test_setup_teardown(test_put_get_delete, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
                cmocka_unit_test_setup_teardown(test_survives_reopen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blob, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreach, setup, teardown),
                cmocka_unit_test_setup_teardown(test_partitions_are_separate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_values, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
