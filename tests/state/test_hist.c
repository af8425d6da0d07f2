/**
 * @file test_hist.c
 * @brief Unit tests of state/hist.c: merge, order, retention, eviction, digests, encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../state/hist.h"

#define DAY_MS ((int64_t)86400000)

/** Builds a trip; strings are copied into zeroed fields. */
static pf_trip_t trip_make(int64_t departure_ms, const char *carrier, const char *flight,
                           uint8_t flags) {
        pf_trip_t trip;

        memset(&trip, 0, sizeof(trip));
        trip.departure_ms = departure_ms;
        memcpy(trip.carrier, carrier, strlen(carrier));
        memcpy(trip.flight_number, flight, strlen(flight));
        memcpy(trip.origin_airport, "FRA", 3);
        memcpy(trip.origin_country, "DEU", 3);
        memcpy(trip.destination_airport, "JFK", 3);
        memcpy(trip.destination_country, "USA", 3);
        trip.direction = 1;
        trip.flags = flags;
        return trip;
}

/** Encodes, decodes and re-encodes `hist`; checks bytes and structs are identical. */
static void assert_round_trip(const pf_hist_t *hist) {
        uint8_t buf[PF_HIST_ENCODED_MAX], buf2[PF_HIST_ENCODED_MAX];
        pf_hist_t decoded;
        size_t len, len2;

        len = pf_hist_encode(hist, buf, sizeof(buf));
        assert_true(len > 0);
        assert_int_equal(pf_hist_decode(buf, len, &decoded), PF_OK);
        assert_memory_equal(&decoded, hist, sizeof(decoded));
        len2 = pf_hist_encode(&decoded, buf2, sizeof(buf2));
        assert_int_equal(len2, len);
        assert_memory_equal(buf2, buf, len);
}

/*
 * Trips.
 */

static void test_init_empty(void **state) {
        pf_hist_t hist;
        uint8_t buf[PF_HIST_ENCODED_MAX];

        (void)state;
        pf_hist_init(&hist);
        assert_int_equal(hist.trip_count, 0);
        assert_int_equal(hist.doc_digest_count, 0);
        assert_true(hist.first_seen_ms == PF_HIST_SEEN_NONE_FIRST);
        assert_true(hist.last_seen_ms == PF_HIST_SEEN_NONE_LAST);
        assert_int_equal(pf_hist_encode(&hist, buf, sizeof(buf)), PF_HIST_HEADER_ENCODED_SIZE);
        assert_round_trip(&hist);
}

static void test_dedupe_merges_flags(void **state) {
        pf_trip_t pnr = trip_make(1000, "LH", "400", PF_TRIP_FLAG_PNR);
        pf_trip_t api = trip_make(1000, "LH", "400", PF_TRIP_FLAG_API);
        pf_hist_t hist, once;

        (void)state;
        pf_hist_init(&hist);
        assert_int_equal(pf_hist_add_trip(&hist, &pnr, 30 * DAY_MS), 1);
        memcpy(&once, &hist, sizeof(once));
        assert_int_equal(pf_hist_add_trip(&hist, &pnr, 30 * DAY_MS), 0);
        assert_memory_equal(&hist, &once, sizeof(hist)); /* idempotent */
        assert_int_equal(pf_hist_add_trip(&hist, &api, 30 * DAY_MS), 0);
        assert_int_equal(hist.trip_count, 1);
        assert_int_equal(hist.trips[0].flags, PF_TRIP_FLAG_PNR | PF_TRIP_FLAG_API);
        assert_true(hist.first_seen_ms == 1000 && hist.last_seen_ms == 1000);
        assert_round_trip(&hist);
}

static void test_normalises_trip(void **state) {
        pf_trip_t trip = trip_make(5, "LH", "400", 0xff);
        pf_hist_t hist;

        (void)state;
        memcpy(trip.carrier, "ABCD", 4);         /* unterminated: cut to "ABC" */
        memcpy(trip.origin_airport, "X\0YZ", 4); /* junk after the NUL: zeroed */
        trip.direction = 7;
        pf_hist_init(&hist);
        assert_int_equal(pf_hist_add_trip(&hist, &trip, 0), 1);
        assert_memory_equal(hist.trips[0].carrier, "ABC\0", 4);
        assert_memory_equal(hist.trips[0].origin_airport, "X\0\0\0", 4);
        assert_int_equal(hist.trips[0].direction, 1);
        assert_int_equal(hist.trips[0].flags, PF_TRIP_FLAGS_ALL);
        assert_round_trip(&hist);
}

static void test_ordering(void **state) {
        static const struct {
                int64_t departure_ms;
                const char *carrier, *flight;
        } in[] = {
                {3000, "LH", "400"}, {1000, "UA", "1"},  {2000, "LH", "401"}, {2000, "AF", "9"},
                {2000, "LH", "400"}, {-500, "BA", "77"}, {1000, "UA", "10"},
        };
        static const struct {
                int64_t departure_ms;
                const char *carrier, *flight;
        } want[] = {
                {-500, "BA", "77"},  {1000, "UA", "1"},   {1000, "UA", "10"},  {2000, "AF", "9"},
                {2000, "LH", "400"}, {2000, "LH", "401"}, {3000, "LH", "400"},
        };
        pf_hist_t hist;
        size_t i;

        (void)state;
        pf_hist_init(&hist);
        for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
                pf_trip_t trip = trip_make(in[i].departure_ms, in[i].carrier, in[i].flight, 0);
                assert_int_equal(pf_hist_add_trip(&hist, &trip, 0), 1);
        }
        assert_int_equal(hist.trip_count, sizeof(want) / sizeof(want[0]));
        for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                assert_true(hist.trips[i].departure_ms == want[i].departure_ms);
                assert_string_equal(hist.trips[i].carrier, want[i].carrier);
                assert_string_equal(hist.trips[i].flight_number, want[i].flight);
        }
        assert_true(hist.first_seen_ms == -500 && hist.last_seen_ms == 3000);
        assert_round_trip(&hist);
}

/** Departures applied in order, then the departures expected to remain. */
static const struct {
        const char *name;
        int64_t retention_ms;
        int64_t applied[6];
        size_t applied_count;
        int last_result; /* pf_hist_add_trip() result of the last trip applied */
        int64_t kept[6];
        size_t kept_count;
} retention_cases[] = {
        {"old trips dropped", 10 * DAY_MS, {0, 5 * DAY_MS, 20 * DAY_MS}, 3, 1, {20 * DAY_MS}, 1},
        {"boundary kept", 10 * DAY_MS, {0, 10 * DAY_MS}, 2, 1, {0, 10 * DAY_MS}, 2},
        {"one ms past boundary", 10 * DAY_MS, {0, 10 * DAY_MS + 1}, 2, 1, {10 * DAY_MS + 1}, 1},
        {"late old trip not stored",
         10 * DAY_MS,
         {30 * DAY_MS, 5 * DAY_MS},
         2,
         0,
         {30 * DAY_MS},
         1},
        {"late trip inside window",
         10 * DAY_MS,
         {30 * DAY_MS, 25 * DAY_MS},
         2,
         1,
         {25 * DAY_MS, 30 * DAY_MS},
         2},
        {"zero keeps all",
         0,
         {0, 500 * DAY_MS, 1000 * DAY_MS},
         3,
         1,
         {0, 500 * DAY_MS, 1000 * DAY_MS},
         3},
        {"negative keeps all", -1, {INT64_MIN, 0, INT64_MAX}, 3, 1, {INT64_MIN, 0, INT64_MAX}, 3},
        {"window before start of time", INT64_MAX, {INT64_MIN, -1}, 2, 1, {INT64_MIN, -1}, 2},
};

static void test_retention(void **state) {
        size_t c, i;

        (void)state;
        for (c = 0; c < sizeof(retention_cases) / sizeof(retention_cases[0]); c++) {
                pf_hist_t hist;
                int result = -1;

                print_message("retention case: %s\n", retention_cases[c].name);
                pf_hist_init(&hist);
                for (i = 0; i < retention_cases[c].applied_count; i++) {
                        pf_trip_t trip = trip_make(retention_cases[c].applied[i], "LH", "400", 0);
                        result = pf_hist_add_trip(&hist, &trip, retention_cases[c].retention_ms);
                }
                assert_int_equal(result, retention_cases[c].last_result);
                assert_int_equal(hist.trip_count, retention_cases[c].kept_count);
                for (i = 0; i < retention_cases[c].kept_count; i++)
                        assert_true(hist.trips[i].departure_ms == retention_cases[c].kept[i]);
                assert_round_trip(&hist);
        }
}

static void test_eviction_keeps_newest(void **state) {
        /* Forward, backward and interleaved insertion orders all keep departures 8..39. */
        static const int orders[] = {0, 1, 2};
        size_t o;

        (void)state;
        for (o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
                pf_hist_t hist;
                pf_trip_t old;
                int i;

                pf_hist_init(&hist);
                for (i = 0; i < 40; i++) {
                        int d = orders[o] == 0 ? i : orders[o] == 1 ? 39 - i : (i * 7) % 40;
                        pf_trip_t trip = trip_make(d * DAY_MS, "LH", "400", 0);
                        pf_hist_add_trip(&hist, &trip, 0);
                }
                assert_int_equal(hist.trip_count, PF_HIST_MAX_TRIPS);
                for (i = 0; i < PF_HIST_MAX_TRIPS; i++)
                        assert_true(hist.trips[i].departure_ms == (i + 8) * DAY_MS);
                assert_true(hist.first_seen_ms == 0 && hist.last_seen_ms == 39 * DAY_MS);

                old = trip_make(3 * DAY_MS, "LH", "400", 0); /* older than all: not stored */
                assert_int_equal(pf_hist_add_trip(&hist, &old, 0), 0);
                assert_true(hist.trips[0].departure_ms == 8 * DAY_MS);
                old = trip_make(20 * DAY_MS, "LH", "999", 0); /* in the middle: evicts day 8 */
                assert_int_equal(pf_hist_add_trip(&hist, &old, 0), 1);
                assert_true(hist.trips[0].departure_ms == 9 * DAY_MS);
                assert_int_equal(hist.trip_count, PF_HIST_MAX_TRIPS);
                assert_round_trip(&hist);
        }
}

/*
 * Documents.
 */

static void test_doc_digests(void **state) {
        static const uint64_t added[] = {11, 22, 22, 33, 44, 55, 33, 0};
        static const uint64_t want[] = {33, 44, 55, 0};
        pf_hist_t hist;
        size_t i;

        (void)state;
        pf_hist_init(&hist);
        for (i = 0; i < sizeof(added) / sizeof(added[0]); i++)
                pf_hist_add_doc(&hist, added[i]);
        assert_int_equal(hist.doc_digest_count, PF_HIST_MAX_DOCS);
        for (i = 0; i < PF_HIST_MAX_DOCS; i++)
                assert_true(hist.doc_digests[i] == want[i]);
        assert_round_trip(&hist);
}

/*
 * Encoding.
 */

/** A history with 2 digests and 2 trips; its encoding is the base of the rejection cases. */
static void hist_base(pf_hist_t *hist) {
        pf_trip_t a = trip_make(1000, "LH", "400", PF_TRIP_FLAG_PNR);
        pf_trip_t b = trip_make(2000, "LH", "401", PF_TRIP_FLAG_API);

        pf_hist_init(hist);
        pf_hist_add_trip(hist, &a, 0);
        pf_hist_add_trip(hist, &b, 0);
        hist->first_seen_ms = 500; /* as if an older trip had been applied and expired */
        pf_hist_add_doc(hist, 0x1122334455667788ull);
        pf_hist_add_doc(hist, 0x99aabbccddeeff00ull);
}

static void test_round_trip(void **state) {
        pf_hist_t hist;
        int i;

        (void)state;
        hist_base(&hist);
        assert_round_trip(&hist);

        pf_hist_init(&hist); /* full: 32 trips and 4 digests, negative times */
        for (i = 0; i < PF_HIST_MAX_TRIPS + 4; i++) {
                pf_trip_t trip = trip_make(-((int64_t)i) * DAY_MS, "AB", "1234567", (uint8_t)i);
                pf_hist_add_trip(&hist, &trip, 0);
                pf_hist_add_doc(&hist, (uint64_t)i * 0x9e3779b97f4a7c15ull);
        }
        assert_int_equal(hist.trip_count, PF_HIST_MAX_TRIPS);
        {
                uint8_t buf[PF_HIST_ENCODED_MAX];
                assert_int_equal(pf_hist_encode(&hist, buf, sizeof(buf)), PF_HIST_ENCODED_MAX);
        }
        assert_round_trip(&hist);
}

static void test_encode_small_cap(void **state) {
        uint8_t buf[PF_HIST_ENCODED_MAX];
        pf_hist_t hist;
        size_t len, cap;

        (void)state;
        hist_base(&hist);
        len = pf_hist_encode(&hist, buf, sizeof(buf));
        assert_int_equal(len, PF_HIST_HEADER_ENCODED_SIZE + 2 * 8 + 2 * PF_HIST_TRIP_ENCODED_SIZE);
        for (cap = 0; cap < len; cap++)
                assert_int_equal(pf_hist_encode(&hist, buf, cap), 0);
        assert_int_equal(pf_hist_encode(&hist, buf, len), len);
}

static void test_encode_rejects_invalid(void **state) {
        uint8_t buf[PF_HIST_ENCODED_MAX];
        pf_hist_t hist;

        (void)state;
        hist_base(&hist);
        hist.trips[1].departure_ms = 900; /* unsorted */
        assert_int_equal(pf_hist_encode(&hist, buf, sizeof(buf)), 0);
        hist_base(&hist);
        hist.trip_count = PF_HIST_MAX_TRIPS + 1;
        assert_int_equal(pf_hist_encode(&hist, buf, sizeof(buf)), 0);
        hist_base(&hist);
        memcpy(hist.trips[0].flight_number, "12345678", 8); /* unterminated */
        assert_int_equal(pf_hist_encode(&hist, buf, sizeof(buf)), 0);
}

static void test_decode_truncated_prefixes(void **state) {
        uint8_t buf[PF_HIST_ENCODED_MAX];
        pf_hist_t hist, empty;
        size_t len, n;

        (void)state;
        pf_hist_init(&empty);
        hist_base(&hist);
        len = pf_hist_encode(&hist, buf, sizeof(buf));
        for (n = 0; n < len; n++) {
                assert_int_equal(pf_hist_decode(buf, n, &hist), PF_ERR_TRUNCATED);
                assert_memory_equal(&hist, &empty, sizeof(hist)); /* left empty */
        }
        assert_int_equal(pf_hist_decode(NULL, 0, &hist), PF_ERR_TRUNCATED);
}

/* Offsets in the base encoding (see pf_hist_encode() for the layout). */
#define OFF_VERSION    0
#define OFF_DOC_COUNT  1
#define OFF_TRIP_COUNT 2
#define OFF_FIRST_SEEN 3
#define OFF_DIGEST(i)  (PF_HIST_HEADER_ENCODED_SIZE + 8 * (i))
#define OFF_TRIP(i)    (OFF_DIGEST(2) + PF_HIST_TRIP_ENCODED_SIZE * (i))
#define T_CARRIER      8
#define T_FLIGHT       12
#define T_DEST_COUNTRY 32
#define T_DIRECTION    36
#define T_FLAGS        37

/** One change to the base encoding and the error it must cause. */
static const struct {
        const char *name;
        size_t off;
        size_t n;
        uint8_t bytes[16];
        pf_err_t want;
} decode_cases[] = {
        {"version 0", OFF_VERSION, 1, {0}, PF_ERR_INVALID_VALUE},
        {"version 1 (old layout)", OFF_VERSION, 1, {1}, PF_ERR_INVALID_VALUE},
        {"version 3", OFF_VERSION, 1, {3}, PF_ERR_INVALID_VALUE},
        {"version 255", OFF_VERSION, 1, {255}, PF_ERR_INVALID_VALUE},
        {"trip count 33", OFF_TRIP_COUNT, 1, {33}, PF_ERR_INVALID_VALUE},
        {"trip count 255", OFF_TRIP_COUNT, 1, {255}, PF_ERR_INVALID_VALUE},
        {"doc count 5", OFF_DOC_COUNT, 1, {5}, PF_ERR_INVALID_VALUE},
        {"trip count 3: truncated", OFF_TRIP_COUNT, 1, {3}, PF_ERR_TRUNCATED},
        {"trip count 1: trailing", OFF_TRIP_COUNT, 1, {1}, PF_ERR_TRAILING_BYTES},
        {"unterminated carrier",
         OFF_TRIP(0) + T_CARRIER,
         4,
         {'L', 'H', 'X', 'Y'},
         PF_ERR_INVALID_VALUE},
        {"unterminated flight",
         OFF_TRIP(1) + T_FLIGHT,
         8,
         {'1', '2', '3', '4', '5', '6', '7', '8'},
         PF_ERR_INVALID_VALUE},
        {"unterminated last field",
         OFF_TRIP(1) + T_DEST_COUNTRY,
         4,
         {'U', 'S', 'A', 'X'},
         PF_ERR_INVALID_VALUE},
        {"junk after NUL", OFF_TRIP(0) + T_CARRIER + 3, 1, {'X'}, PF_ERR_INVALID_VALUE},
        {"direction 2", OFF_TRIP(0) + T_DIRECTION, 1, {2}, PF_ERR_INVALID_VALUE},
        {"unknown flag", OFF_TRIP(0) + T_FLAGS, 1, {0x10}, PF_ERR_INVALID_VALUE},
        {"unsorted trips", OFF_TRIP(1), 2, {0xe7, 0x03}, PF_ERR_INVALID_VALUE}, /* 999 */
        {"duplicate trip", /* departure 1000, "LH", "400" */
         OFF_TRIP(1),
         15,
         {0xe8, 0x03, 0, 0, 0, 0, 0, 0, 'L', 'H', 0, 0, '4', '0', '0'},
         PF_ERR_INVALID_VALUE},
        {"same departure, sorted", OFF_TRIP(1), 2, {0xe8, 0x03}, PF_OK}, /* 1000, "401" */
        {"duplicate digest",
         OFF_DIGEST(1),
         8,
         {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11},
         PF_ERR_INVALID_VALUE},
        {"trip before first seen",
         OFF_FIRST_SEEN,
         2,
         {0xe9, 0x03},
         PF_ERR_INVALID_VALUE},                                                           /* 1001 */
        {"first seen after last", OFF_FIRST_SEEN, 2, {0xd1, 0x07}, PF_ERR_INVALID_VALUE}, /* 2001 */
};

static void test_decode_rejects(void **state) {
        uint8_t base[PF_HIST_ENCODED_MAX + 1], buf[PF_HIST_ENCODED_MAX + 1];
        pf_hist_t hist;
        size_t len, c;

        (void)state;
        hist_base(&hist);
        len = pf_hist_encode(&hist, base, sizeof(base));
        assert_int_equal(pf_hist_decode(base, len, &hist), PF_OK);
        for (c = 0; c < sizeof(decode_cases) / sizeof(decode_cases[0]); c++) {
                print_message("decode case: %s\n", decode_cases[c].name);
                memcpy(buf, base, len);
                memcpy(buf + decode_cases[c].off, decode_cases[c].bytes, decode_cases[c].n);
                assert_int_equal(pf_hist_decode(buf, len, &hist), decode_cases[c].want);
        }
        memcpy(buf, base, len);
        buf[len] = 0;
        assert_int_equal(pf_hist_decode(buf, len + 1, &hist), PF_ERR_TRAILING_BYTES);
}

static void test_decode_seen_sentinels(void **state) {
        uint8_t buf[PF_HIST_ENCODED_MAX];
        pf_hist_t hist;
        size_t len;

        (void)state;
        hist_base(&hist); /* "never seen" with trips is inconsistent */
        len = pf_hist_encode(&hist, buf, sizeof(buf));
        memcpy(buf + OFF_FIRST_SEEN, "\xff\xff\xff\xff\xff\xff\xff\x7f", 8);
        memcpy(buf + OFF_FIRST_SEEN + 8, "\x00\x00\x00\x00\x00\x00\x00\x80", 8);
        assert_int_equal(pf_hist_decode(buf, len, &hist), PF_ERR_INVALID_VALUE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_init_empty),
                cmocka_unit_test(test_dedupe_merges_flags),
                cmocka_unit_test(test_normalises_trip),
                cmocka_unit_test(test_ordering),
                cmocka_unit_test(test_retention),
                cmocka_unit_test(test_eviction_keeps_newest),
                cmocka_unit_test(test_doc_digests),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_encode_small_cap),
                cmocka_unit_test(test_encode_rejects_invalid),
                cmocka_unit_test(test_decode_truncated_prefixes),
                cmocka_unit_test(test_decode_rejects),
                cmocka_unit_test(test_decode_seen_sentinels),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
