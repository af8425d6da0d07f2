/**
 * @file test_hcache.c
 * @brief Unit tests of state/hcache.c: hits, misses, replacement, eviction, partition drops, and
 *        that a history too large for a slot never leaves an older one behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../state/hcache.h"

#define DAY_MS ((int64_t)86400000)

static void key_make(uint8_t key[PF_HCACHE_KEY_BYTES], uint32_t n) {
        memset(key, 0, PF_HCACHE_KEY_BYTES);
        uint64_t h = (n + 1) * 0x9e3779b97f4a7c15ULL;
        memcpy(key, &h, sizeof(h));
        memcpy(key + 8, &n, sizeof(n));
}

/** A history of `trips` distinct trips. */
static void hist_make(pf_hist_t *hist, int trips) { /* trips <= PF_HIST_MAX_TRIPS */
        pf_hist_init(hist);
        for (int i = 0; i < trips; i++) {
                pf_trip_t t;
                memset(&t, 0, sizeof(t));
                t.departure_ms = 1764460800000LL - (int64_t)i * DAY_MS;
                memcpy(t.carrier, "LH", 2);
                snprintf(t.flight_number, sizeof(t.flight_number), "%d", (400 + i) % 10000);
                memcpy(t.origin_airport, "FRA", 3);
                memcpy(t.origin_country, "DEU", 3);
                memcpy(t.destination_airport, "JFK", 3);
                memcpy(t.destination_country, "USA", 3);
                t.direction = 1;
                t.flags = PF_TRIP_FLAG_PNR;
                assert_int_equal(pf_hist_add_trip(hist, &t, 400 * DAY_MS) >= 0, 1);
        }
}

static void test_null_and_zero(void **state) {
        (void)state;
        uint8_t key[PF_HCACHE_KEY_BYTES];
        pf_hist_t h;
        key_make(key, 1);
        assert_null(pf_hcache_new(0));
        hist_make(&h, 1);
        pf_hcache_put(NULL, 0, key, &h); /* no-ops */
        assert_int_equal(pf_hcache_get(NULL, 0, key, &h), 0);
        pf_hcache_drop_partition(NULL, 0);
        pf_hcache_destroy(NULL);
}

static void test_round_trip_and_keys(void **state) {
        (void)state;
        pf_hcache_t *c = pf_hcache_new(1 << 20);
        assert_non_null(c);
        uint8_t k1[PF_HCACHE_KEY_BYTES], k2[PF_HCACHE_KEY_BYTES];
        key_make(k1, 1);
        key_make(k2, 2);
        pf_hist_t in, out;
        hist_make(&in, 3);
        assert_int_equal(pf_hcache_get(c, 0, k1, &out), 0);
        pf_hcache_put(c, 0, k1, &in);
        assert_int_equal(pf_hcache_get(c, 0, k1, &out), 1);
        assert_int_equal(out.trip_count, 3);
        assert_memory_equal(&out.trips[0], &in.trips[0], sizeof(in.trips[0]));
        /* Same key, other partition; other key, same partition: misses. */
        assert_int_equal(pf_hcache_get(c, 1, k1, &out), 0);
        assert_int_equal(pf_hcache_get(c, 0, k2, &out), 0);
        /* A newer history replaces the older one in place. */
        hist_make(&in, 5);
        pf_hcache_put(c, 0, k1, &in);
        assert_int_equal(pf_hcache_get(c, 0, k1, &out), 1);
        assert_int_equal(out.trip_count, 5);
        pf_hcache_stats_t st;
        pf_hcache_stats(c, &st);
        assert_int_equal(st.entries, 1);
        assert_int_equal(st.hits, 2);
        assert_int_equal(st.misses, 3);
        pf_hcache_destroy(c);
}

static void test_too_large_drops_older(void **state) {
        (void)state;
        pf_hcache_t *c = pf_hcache_new(1 << 20);
        uint8_t k[PF_HCACHE_KEY_BYTES];
        key_make(k, 7);
        pf_hist_t small, big, out;
        hist_make(&small, 2);
        hist_make(&big, PF_HIST_MAX_TRIPS);
        uint8_t buf[PF_HIST_ENCODED_MAX];
        /* The test needs a history whose encoding exceeds a slot. */
        assert_true(pf_hist_encode(&big, buf, sizeof(buf)) > PF_HCACHE_SLOT);
        pf_hcache_put(c, 3, k, &small);
        assert_int_equal(pf_hcache_get(c, 3, k, &out), 1);
        pf_hcache_put(c, 3, k, &big);
        /* The stale two-trip history must not be served for the traveller. */
        assert_int_equal(pf_hcache_get(c, 3, k, &out), 0);
        pf_hcache_stats_t st;
        pf_hcache_stats(c, &st);
        assert_int_equal(st.too_large, 1);
        assert_int_equal(st.entries, 0);
        pf_hcache_destroy(c);
}

static void test_partition_drop_and_clear(void **state) {
        (void)state;
        pf_hcache_t *c = pf_hcache_new(4 << 20);
        pf_hist_t h, out;
        hist_make(&h, 1);
        uint8_t k[PF_HCACHE_KEY_BYTES];
        for (uint32_t i = 0; i < 200; i++) {
                key_make(k, i);
                pf_hcache_put(c, (int32_t)(i % 2), k, &h);
        }
        pf_hcache_drop_partition(c, 1);
        size_t kept = 0;
        for (uint32_t i = 0; i < 200; i++) {
                key_make(k, i);
                int hit = pf_hcache_get(c, (int32_t)(i % 2), k, &out);
                if (i % 2)
                        assert_int_equal(hit, 0);
                kept += (size_t)hit;
        }
        assert_true(kept > 0);
        pf_hcache_clear(c);
        for (uint32_t i = 0; i < 200; i += 2) {
                key_make(k, i);
                assert_int_equal(pf_hcache_get(c, 0, k, &out), 0);
        }
        pf_hcache_destroy(c);
}

/** A cache of one set (two slots): the least recently used entry is the one evicted. */
static void test_lru_eviction(void **state) {
        (void)state;
        pf_hcache_t *c = pf_hcache_new(2 * PF_HCACHE_SLOT);
        pf_hcache_stats_t st;
        pf_hcache_stats(c, &st);
        assert_int_equal(st.capacity, 2);
        pf_hist_t h, out;
        hist_make(&h, 1);
        uint8_t a[PF_HCACHE_KEY_BYTES], b[PF_HCACHE_KEY_BYTES], d[PF_HCACHE_KEY_BYTES];
        key_make(a, 1);
        key_make(b, 2);
        key_make(d, 3);
        pf_hcache_put(c, 0, a, &h);
        pf_hcache_put(c, 0, b, &h);
        assert_int_equal(pf_hcache_get(c, 0, a, &out), 1); /* a is now the more recent */
        pf_hcache_put(c, 0, d, &h);                        /* evicts b */
        assert_int_equal(pf_hcache_get(c, 0, a, &out), 1);
        assert_int_equal(pf_hcache_get(c, 0, b, &out), 0);
        assert_int_equal(pf_hcache_get(c, 0, d, &out), 1);
        pf_hcache_destroy(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_null_and_zero),
                cmocka_unit_test(test_round_trip_and_keys),
                cmocka_unit_test(test_too_large_drops_older),
                cmocka_unit_test(test_partition_drop_and_clear),
                cmocka_unit_test(test_lru_eviction),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
