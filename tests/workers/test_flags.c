/**
 * @file test_flags.c
 * @brief Tests of the shared flags table: visibility after the delay (boundaries, extreme times),
 * the asking traveller's own flags, growth, the progress gate, and the flags topic's records. The
 * central property: keeping only the two earliest flaggers per digest answers "flagged by someone
 * else before t - delay" exactly as a table keeping every record would, whatever the order of
 * the records, and later flags never change an answer the gate has already allowed.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../workers/flags.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next_rand(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

static void test_visible_delay(void **state) {
        (void)state;
        pf_flags_t *f = pf_flags_new(1000);
        assert_non_null(f);
        assert_int_equal(pf_flags_delay(f), 1000);
        assert_int_equal(pf_flags_add(f, 42, 7, PF_FLAG_PHONE, 5000), 0);
        assert_int_equal(pf_flags_count(f), 1);
        /* visible only when 5000 < t - 1000 */
        assert_false(pf_flags_visible(f, 42, 8, 5000));
        assert_false(pf_flags_visible(f, 42, 8, 5999));
        assert_false(pf_flags_visible(f, 42, 8, 6000)); /* t = f + delay */
        assert_true(pf_flags_visible(f, 42, 8, 6001));  /* t = f + delay + 1 */
        assert_true(pf_flags_visible(f, 42, 8, INT64_MAX));
        assert_false(pf_flags_visible(f, 42, 8, INT64_MIN));
        /* other digests, and the zero digest, are not flagged */
        assert_false(pf_flags_visible(f, 43, 8, INT64_MAX));
        assert_false(pf_flags_visible(f, 0, 8, INT64_MAX));
        /* an earlier flag of the same flagger counts, a later one does not */
        assert_int_equal(pf_flags_add(f, 42, 7, PF_FLAG_PHONE, 9000), 0);
        assert_false(pf_flags_visible(f, 42, 8, 6000));
        assert_int_equal(pf_flags_add(f, 42, 7, PF_FLAG_PHONE, 4000), 0);
        assert_false(pf_flags_visible(f, 42, 8, 5000));
        assert_true(pf_flags_visible(f, 42, 8, 5001));
        assert_int_equal(pf_flags_count(f), 1);
        pf_flags_destroy(f);

        /* delay 0: visible strictly after the flag */
        f = pf_flags_new(0);
        assert_non_null(f);
        assert_int_equal(pf_flags_delay(f), 0);
        assert_int_equal(pf_flags_add(f, 1, 2, PF_FLAG_BOOKING, -10), 0);
        assert_false(pf_flags_visible(f, 1, 3, -11));
        assert_false(pf_flags_visible(f, 1, 3, -10));
        assert_true(pf_flags_visible(f, 1, 3, -9));
        pf_flags_destroy(f);

        /* a negative delay is taken as 0 */
        f = pf_flags_new(-5);
        assert_non_null(f);
        assert_int_equal(pf_flags_delay(f), 0);
        pf_flags_destroy(f);
        pf_flags_destroy(NULL);
}

/** f < t - delay, without overflow, written differently from the module. */
static int model_before(int64_t f, int64_t t, int64_t delay) {
        if (f >= t)
                return 0;
        return (uint64_t)t - (uint64_t)f > (uint64_t)delay;
}

static void test_visible_extremes(void **state) {
        (void)state;
        const int64_t delays[] = {0, 1, PF_FLAGS_DELAY_MS, INT64_MAX / 2, INT64_MAX - 1, INT64_MAX};
        const int64_t times[] = {INT64_MIN, INT64_MIN + 1, -PF_FLAGS_DELAY_MS, -1,       0,
                                 1,         INT64_MAX / 2, INT64_MAX - 1,      INT64_MAX};
        const size_t nd = sizeof(delays) / sizeof(delays[0]), nt = sizeof(times) / sizeof(times[0]);
        for (size_t i = 0; i < nd; i++) {
                int64_t d = delays[i];
                pf_flags_t *f = pf_flags_new(d);
                assert_non_null(f);
                /* digest j + 1: flagged by traveller 10 at times[j] */
                for (size_t j = 0; j < nt; j++)
                        assert_int_equal(pf_flags_add(f, j + 1, 10, PF_FLAG_EMAIL, times[j]), 0);
                for (size_t j = 0; j < nt; j++) {
                        int64_t fl = times[j];
                        /* the boundary, where flag + delay + 1 is representable */
                        if (fl <= INT64_MAX - 1 - d) {
                                assert_false(pf_flags_visible(f, j + 1, 11, fl + d));
                                assert_true(pf_flags_visible(f, j + 1, 11, fl + d + 1));
                                assert_false(pf_flags_visible(f, j + 1, 10, fl + d + 1));
                        } else {
                                assert_false(pf_flags_visible(f, j + 1, 11, INT64_MAX));
                        }
                        /* every query time against the model */
                        for (size_t k = 0; k < nt; k++) {
                                assert_int_equal(pf_flags_visible(f, j + 1, 11, times[k]),
                                                 model_before(fl, times[k], d));
                                assert_false(pf_flags_visible(f, j + 1, 10, times[k]));
                        }
                }
                pf_flags_destroy(f);
        }

        /* INT64_MIN is a time like any other, not "no flag", also as a second flagger */
        pf_flags_t *f = pf_flags_new(0);
        assert_non_null(f);
        assert_int_equal(pf_flags_add(f, 9, 1, PF_FLAG_PHONE, 5), 0);
        assert_int_equal(pf_flags_add(f, 9, 2, PF_FLAG_PHONE, INT64_MIN), 0);
        assert_int_equal(pf_flags_add(f, 9, 3, PF_FLAG_PHONE, 3), 0);
        assert_true(pf_flags_visible(f, 9, 3, 0));  /* flagger 2 at INT64_MIN */
        assert_true(pf_flags_visible(f, 9, 1, 0));  /* flagger 2 */
        assert_false(pf_flags_visible(f, 9, 2, 3)); /* 3 and 5 are not before 3 */
        assert_true(pf_flags_visible(f, 9, 2, 4));  /* flagger 3 */
        assert_int_equal(pf_flags_add(f, 8, 1, PF_FLAG_PHONE, INT64_MIN), 0);
        assert_true(pf_flags_visible(f, 8, 2, INT64_MIN + 1));
        assert_false(pf_flags_visible(f, 8, 1, INT64_MAX));
        pf_flags_destroy(f);
}

static void test_self(void **state) {
        (void)state;
        pf_flags_t *f = pf_flags_new(10);
        assert_non_null(f);
        assert_int_equal(pf_flags_add(f, 77, 1, PF_FLAG_PHONE, 100), 0);
        assert_false(pf_flags_visible(f, 77, 1, INT64_MAX)); /* never its own */
        assert_true(pf_flags_visible(f, 77, 2, 111));
        assert_true(pf_flags_visible(f, 77, 0, 111)); /* 0 is a traveller like any other */
        /* a second flagger, later: the first sees it once it is old enough */
        assert_int_equal(pf_flags_add(f, 77, 2, PF_FLAG_PHONE, 200), 0);
        assert_false(pf_flags_visible(f, 77, 1, 210));
        assert_true(pf_flags_visible(f, 77, 1, 211));
        assert_false(pf_flags_visible(f, 77, 2, 110));
        assert_true(pf_flags_visible(f, 77, 2, 111));
        /* a third flagger, earliest of all: everyone sees someone from 61 on */
        assert_int_equal(pf_flags_add(f, 77, 3, PF_FLAG_PHONE, 50), 0);
        for (uint64_t self = 0; self < 5; self++) {
                assert_false(pf_flags_visible(f, 77, self, 60));
                assert_int_equal(pf_flags_visible(f, 77, self, 61), self != 3);
        }
        assert_false(pf_flags_visible(f, 77, 3, 110));
        assert_true(pf_flags_visible(f, 77, 3, 111));
        /* flagger 0 */
        assert_int_equal(pf_flags_add(f, 78, 0, PF_FLAG_EMAIL, 0), 0);
        assert_false(pf_flags_visible(f, 78, 0, 1000));
        assert_true(pf_flags_visible(f, 78, 1, 1000));
        assert_int_equal(pf_flags_count(f), 2);
        pf_flags_destroy(f);
}

/* ---- The two-earliest property against a table that keeps every record ---- */

typedef struct {
        uint64_t digest, flagger;
        int64_t time;
} rec_t;

#define MAX_RECS 32

static int model_visible(const rec_t *r, size_t n, int64_t delay, uint64_t digest, uint64_t self,
                         int64_t t) {
        for (size_t i = 0; i < n; i++)
                if (r[i].digest == digest && r[i].flagger != self &&
                    model_before(r[i].time, t, delay))
                        return 1;
        return 0;
}

static int64_t rand_time(void) {
        static const int64_t extremes[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX - 1, INT64_MAX};
        uint64_t r = next_rand();
        if (r % 40 == 0)
                return extremes[(r >> 8) % 4];
        return (int64_t)((r >> 8) % 41) - 20;
}

static int64_t rand_delay(void) {
        static const int64_t delays[] = {0, 1, 3, 7, INT64_MAX};
        return delays[next_rand() % 5];
}

static rec_t rand_rec(const rec_t *have, size_t n) {
        rec_t r;
        if (n && next_rand() % 4 == 0) {
                r = have[next_rand() % n]; /* a duplicate, sometimes with another time */
                if (next_rand() % 2)
                        r.time = rand_time();
                return r;
        }
        r.digest = 1 + next_rand() % 3;
        r.flagger = next_rand() % 5;
        r.time = rand_time();
        return r;
}

static pf_flags_t *table_of(const rec_t *r, size_t n, int64_t delay) {
        pf_flags_t *f = pf_flags_new(delay);
        assert_non_null(f);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(
                        pf_flags_add(f, r[i].digest, r[i].flagger, PF_FLAG_PHONE, r[i].time), 0);
        return f;
}

/** The query times: every time in a window around the records, and the extremes. */
static size_t query_times(int64_t *out, int64_t delay) {
        size_t n = 0;
        for (int64_t t = -30; t <= 40; t++)
                out[n++] = t;
        out[n++] = INT64_MIN;
        out[n++] = INT64_MIN + 1;
        out[n++] = INT64_MAX - 1;
        out[n++] = INT64_MAX;
        if (delay < INT64_MAX - 2) {
                out[n++] = INT64_MIN + delay;
                out[n++] = INT64_MIN + delay + 1;
                out[n++] = INT64_MIN + delay + 2;
        }
        return n;
}

static void check_against_model(const pf_flags_t *f, const rec_t *r, size_t n, int64_t delay) {
        int64_t ts[128];
        size_t nt = query_times(ts, delay);
        for (uint64_t digest = 0; digest <= 4; digest++)
                for (uint64_t self = 0; self <= 5; self++)
                        for (size_t i = 0; i < nt; i++) {
                                int want = model_visible(r, n, delay, digest, self, ts[i]);
                                int got = pf_flags_visible(f, digest, self, ts[i]);
                                if (want != got) {
                                        fprintf(stderr,
                                                "digest %llu self %llu t %lld delay %lld: "
                                                "want %d got %d; records:\n",
                                                (unsigned long long)digest,
                                                (unsigned long long)self, (long long)ts[i],
                                                (long long)delay, want, got);
                                        for (size_t k = 0; k < n; k++)
                                                fprintf(stderr, "  %llu %llu %lld\n",
                                                        (unsigned long long)r[k].digest,
                                                        (unsigned long long)r[k].flagger,
                                                        (long long)r[k].time);
                                }
                                assert_int_equal(want, got);
                        }
}

static void test_two_earliest_model(void **state) {
        (void)state;
        rec_t r[MAX_RECS], shuffled[MAX_RECS];
        for (int round = 0; round < 3000; round++) {
                int64_t delay = rand_delay();
                size_t n = 1 + next_rand() % 16;
                for (size_t i = 0; i < n; i++)
                        r[i] = rand_rec(r, i);
                pf_flags_t *f = table_of(r, n, delay);
                check_against_model(f, r, n, delay);
                size_t digests = 0;
                for (uint64_t d = 1; d <= 3; d++)
                        for (size_t i = 0; i < n; i++)
                                if (r[i].digest == d) {
                                        digests++;
                                        break;
                                }
                assert_int_equal(pf_flags_count(f), digests);

                /* another order, same answers */
                memcpy(shuffled, r, n * sizeof(*r));
                for (size_t i = n; i > 1; i--) {
                        size_t j = next_rand() % i;
                        rec_t tmp = shuffled[i - 1];
                        shuffled[i - 1] = shuffled[j];
                        shuffled[j] = tmp;
                }
                pf_flags_t *g = table_of(shuffled, n, delay);
                int64_t ts[128];
                size_t nt = query_times(ts, delay);
                for (uint64_t d = 0; d <= 4; d++)
                        for (uint64_t self = 0; self <= 5; self++)
                                for (size_t i = 0; i < nt; i++)
                                        assert_int_equal(pf_flags_visible(f, d, self, ts[i]),
                                                         pf_flags_visible(g, d, self, ts[i]));
                pf_flags_destroy(g);
                pf_flags_destroy(f);
        }
}

/** Flags at T or later never change an answer at t with t - delay <= T: what the gate relies on. */
static void test_later_flags_change_nothing(void **state) {
        (void)state;
        rec_t r[MAX_RECS];
        int64_t ts[128];
        int before[5][6][128];
        for (int round = 0; round < 2000; round++) {
                int64_t delay = (int64_t)(next_rand() % 8);
                int64_t T = (int64_t)(next_rand() % 41) - 20;
                size_t n = 1 + next_rand() % 12;
                for (size_t i = 0; i < n; i++)
                        r[i] = rand_rec(r, i);
                pf_flags_t *f = table_of(r, n, delay);
                size_t nt = 0;
                /* every t with t - delay <= T, down to below every record, and INT64_MIN */
                for (int64_t t = T + delay; t >= T + delay - 50; t--)
                        ts[nt++] = t;
                ts[nt++] = INT64_MIN;
                for (uint64_t d = 0; d <= 4; d++)
                        for (uint64_t self = 0; self <= 5; self++)
                                for (size_t i = 0; i < nt; i++)
                                        before[d][self][i] = pf_flags_visible(f, d, self, ts[i]);
                size_t extra = 1 + next_rand() % 12;
                for (size_t i = 0; i < extra; i++) {
                        uint64_t x = next_rand();
                        int64_t t = x % 10 == 0 ? INT64_MAX : T + (int64_t)((x >> 8) % 20);
                        uint64_t digest = 1 + (x >> 16) % 4;
                        uint64_t flagger = (x >> 24) % 6;
                        if (i < n && x % 3 == 0) { /* a known flagger, again, later */
                                digest = r[i].digest;
                                flagger = r[i].flagger;
                        }
                        assert_int_equal(pf_flags_add(f, digest, flagger, PF_FLAG_EMAIL, t), 0);
                }
                for (uint64_t d = 0; d <= 4; d++)
                        for (uint64_t self = 0; self <= 5; self++)
                                for (size_t i = 0; i < nt; i++)
                                        assert_int_equal(before[d][self][i],
                                                         pf_flags_visible(f, d, self, ts[i]));
                pf_flags_destroy(f);
        }
}

/* ---- Growth ---- */

#define GROW_N 200000

static uint64_t grow_digest(size_t i, int seq) {
        /* sequential, or spread by an odd multiplier (a bijection, so distinct and never 0) */
        return seq ? (uint64_t)i + 1 : ((uint64_t)i + 1) * 0xd1b54a32d192ed03ull;
}

static void test_growth(void **state) {
        (void)state;
        for (int seq = 0; seq < 2; seq++) {
                pf_flags_t *f = pf_flags_new(0);
                assert_non_null(f);
                for (size_t i = 0; i < GROW_N; i++)
                        assert_int_equal(pf_flags_add(f, grow_digest(i, seq), (uint64_t)i,
                                                      PF_FLAG_BOOKING, (int64_t)i),
                                         0);
                assert_int_equal(pf_flags_count(f), GROW_N);
                for (size_t i = 0; i < GROW_N; i++) {
                        uint64_t d = grow_digest(i, seq);
                        assert_false(pf_flags_visible(f, d, (uint64_t)i, INT64_MAX));
                        assert_false(pf_flags_visible(f, d, (uint64_t)i + 1, (int64_t)i));
                        assert_true(pf_flags_visible(f, d, (uint64_t)i + 1, (int64_t)i + 1));
                }
                /* not inserted */
                for (size_t i = GROW_N; i < GROW_N + 1000; i++)
                        assert_false(
                                pf_flags_visible(f, grow_digest(i, seq), UINT64_MAX, INT64_MAX));
                /* again: idempotent */
                for (size_t i = 0; i < GROW_N; i += 7)
                        assert_int_equal(pf_flags_add(f, grow_digest(i, seq), (uint64_t)i,
                                                      PF_FLAG_BOOKING, (int64_t)i + 5),
                                         0);
                assert_int_equal(pf_flags_count(f), GROW_N);
                assert_true(pf_flags_visible(f, grow_digest(7, seq), 0, 8));
                pf_flags_destroy(f);
        }
}

static void test_zero_digest(void **state) {
        (void)state;
        pf_flags_t *f = pf_flags_new(0);
        assert_non_null(f);
        assert_int_equal(pf_flags_add(f, 0, 1, PF_FLAG_PHONE, 0), 0);
        assert_int_equal(pf_flags_count(f), 0);
        assert_false(pf_flags_visible(f, 0, 2, INT64_MAX));
        assert_int_equal(pf_flags_add(f, 5, 1, PF_FLAG_PHONE, 0), 0);
        assert_int_equal(pf_flags_add(f, 0, 1, PF_FLAG_PHONE, 0), 0);
        assert_int_equal(pf_flags_count(f), 1);
        assert_false(pf_flags_visible(f, 0, 2, INT64_MAX));
        assert_true(pf_flags_visible(f, 5, 2, INT64_MAX));
        pf_flags_destroy(f);
}

/* ---- Progress and the gate ---- */

static void test_progress(void **state) {
        (void)state;
        pf_flags_t *f = pf_flags_new(100);
        assert_non_null(f);
        /* no partitions: nothing holds the gate */
        assert_true(pf_flags_progress_min(f) == INT64_MAX);
        assert_true(pf_flags_may_apply(f, 0));
        assert_true(pf_flags_may_apply(f, INT64_MAX));
        assert_true(pf_flags_may_apply(f, INT64_MIN));

        pf_flags_set_parts(f, 3);
        /* every partition unknown */
        assert_true(pf_flags_progress_min(f) == PF_FLAGS_NONE);
        assert_false(pf_flags_may_apply(f, INT64_MIN));
        assert_false(pf_flags_may_apply(f, 0));
        pf_flags_progress(f, 0, 1000);
        pf_flags_progress(f, 1, 2000);
        /* partition 2 unknown: it holds the gate */
        assert_true(pf_flags_progress_min(f) == PF_FLAGS_NONE);
        assert_false(pf_flags_may_apply(f, INT64_MIN));
        assert_false(pf_flags_may_apply(f, 500));
        pf_flags_progress(f, 2, 1500);
        assert_int_equal(pf_flags_progress_min(f), 1000);
        /* t - 100 <= 1000 */
        assert_true(pf_flags_may_apply(f, 1100));
        assert_false(pf_flags_may_apply(f, 1101));
        assert_true(pf_flags_may_apply(f, INT64_MIN));
        assert_false(pf_flags_may_apply(f, INT64_MAX));
        /* max semantics: a lower value is ignored */
        pf_flags_progress(f, 0, 900);
        assert_int_equal(pf_flags_progress_min(f), 1000);
        pf_flags_progress(f, 0, 1000);
        assert_int_equal(pf_flags_progress_min(f), 1000);
        pf_flags_progress(f, 0, 3000);
        assert_int_equal(pf_flags_progress_min(f), 1500);
        assert_true(pf_flags_may_apply(f, 1600));
        assert_false(pf_flags_may_apply(f, 1601));
        /* out of range partitions are ignored */
        pf_flags_progress(f, -1, 0);
        pf_flags_progress(f, PF_FLAGS_MAX_PARTS, 0);
        assert_int_equal(pf_flags_progress_min(f), 1500);
        /* a partition beyond parts counts once parts grows */
        pf_flags_progress(f, 3, 1200);
        assert_int_equal(pf_flags_progress_min(f), 1500);
        pf_flags_set_parts(f, 4);
        assert_int_equal(pf_flags_progress_min(f), 1200);
        pf_flags_set_parts(f, 5);
        assert_true(pf_flags_progress_min(f) == PF_FLAGS_NONE);
        assert_false(pf_flags_may_apply(f, 0));
        pf_flags_set_parts(f, 4);
        assert_int_equal(pf_flags_progress_min(f), 1200);
        /* parts = 0 again, and out-of-range counts are clamped */
        pf_flags_set_parts(f, 0);
        assert_true(pf_flags_progress_min(f) == INT64_MAX);
        assert_true(pf_flags_may_apply(f, INT64_MAX));
        pf_flags_set_parts(f, -3);
        assert_true(pf_flags_may_apply(f, INT64_MAX));
        pf_flags_set_parts(f, PF_FLAGS_MAX_PARTS + 10);
        assert_true(pf_flags_progress_min(f) == PF_FLAGS_NONE);
        for (int32_t p = 0; p < PF_FLAGS_MAX_PARTS; p++)
                pf_flags_progress(f, p, 5000 + p);
        assert_int_equal(pf_flags_progress_min(f), 5000); /* partition 0 */
        pf_flags_progress(f, 0, 4000);
        assert_int_equal(pf_flags_progress_min(f), 5000);
        assert_true(pf_flags_may_apply(f, 5100));
        assert_false(pf_flags_may_apply(f, 5101));
        pf_flags_destroy(f);
}

static void test_progress_extremes(void **state) {
        (void)state;
        const int64_t delays[] = {0, 1, PF_FLAGS_DELAY_MS, INT64_MAX};
        for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
                int64_t d = delays[i];
                pf_flags_t *f = pf_flags_new(d);
                assert_non_null(f);
                pf_flags_set_parts(f, 1);
                pf_flags_progress(f, 0, INT64_MIN); /* not above "unknown" */
                assert_true(pf_flags_progress_min(f) == PF_FLAGS_NONE);
                assert_false(pf_flags_may_apply(f, INT64_MIN));
                pf_flags_progress(f, 0, INT64_MIN + 1);
                assert_true(pf_flags_progress_min(f) == INT64_MIN + 1);
                assert_true(pf_flags_may_apply(f, INT64_MIN));
                /* t - delay <= INT64_MIN + 1 (0 and 1 when the delay is INT64_MAX) */
                assert_true(pf_flags_may_apply(f, INT64_MIN + 1 + d));
                assert_false(pf_flags_may_apply(f, INT64_MIN + 2 + d));
                pf_flags_progress(f, 0, INT64_MAX);
                assert_true(pf_flags_progress_min(f) == INT64_MAX);
                assert_true(pf_flags_may_apply(f, INT64_MAX));
                assert_true(pf_flags_may_apply(f, INT64_MIN));
                assert_true(pf_flags_may_apply(f, 0));
                pf_flags_destroy(f);
        }
}

/* ---- Records ---- */

static void test_rec_roundtrip(void **state) {
        (void)state;
        uint8_t key[PF_FLAGS_KEY_LEN], val[PF_FLAGS_VAL_LEN];
        uint8_t pkey[PF_FLAGS_PG_KEY_LEN], pval[PF_FLAGS_PG_VAL_LEN];
        pf_flags_rec_t rec;
        const int64_t times[] = {0, -1, 1, INT64_MIN, INT64_MAX, 1700000000000};
        for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
                for (uint8_t kind = PF_FLAG_PHONE; kind <= PF_FLAG_BOOKING; kind++) {
                        uint64_t digest = 0x0102030405060708ull + i, flagger = UINT64_MAX - i;
                        pf_flags_rec_flag(key, val, digest, flagger, kind, times[i]);
                        assert_int_equal(key[0], 'F');
                        assert_int_equal(key[1], 0x01);
                        assert_int_equal(key[8], 0x08 + i);
                        assert_int_equal(val[0], 1);
                        assert_int_equal(val[1], kind);
                        assert_int_equal(
                                pf_flags_rec_parse(key, sizeof(key), val, sizeof(val), &rec), 0);
                        assert_int_equal(rec.progress, 0);
                        assert_true(rec.digest == digest);
                        assert_true(rec.flagger == flagger);
                        assert_int_equal(rec.kind, kind);
                        assert_true(rec.time == times[i]);
                }
        const int32_t parts[] = {0, 1, 255, 256, 65535, PF_FLAGS_MAX_PARTS - 1};
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
                for (size_t j = 0; j < sizeof(times) / sizeof(times[0]); j++) {
                        pf_flags_rec_progress(pkey, pval, parts[i] % PF_FLAGS_MAX_PARTS, times[j]);
                        assert_memory_equal(pkey, "~pg", 3);
                        assert_int_equal(pval[0], 1);
                        memset(&rec, 0xa5, sizeof(rec));
                        assert_int_equal(
                                pf_flags_rec_parse(pkey, sizeof(pkey), pval, sizeof(pval), &rec),
                                0);
                        assert_int_equal(rec.progress, 1);
                        assert_int_equal(rec.partition, parts[i] % PF_FLAGS_MAX_PARTS);
                        assert_true(rec.time == times[j]);
                        assert_true(rec.digest == 0);
                }
        /* big-endian on the wire */
        pf_flags_rec_progress(pkey, pval, 0x0102, 0x1122334455667788);
        assert_memory_equal(pkey, "~pg\x00\x00\x01\x02", PF_FLAGS_PG_KEY_LEN);
        assert_memory_equal(pval, "\x01\x11\x22\x33\x44\x55\x66\x77\x88", PF_FLAGS_PG_VAL_LEN);
        pf_flags_rec_flag(key, val, 0x0a0b, 0x0c, PF_FLAG_EMAIL, -2);
        assert_memory_equal(key, "F\0\0\0\0\0\0\x0a\x0b\0\0\0\0\0\0\0\x0c", PF_FLAGS_KEY_LEN);
        assert_memory_equal(val, "\x01\x02\xff\xff\xff\xff\xff\xff\xff\xfe", PF_FLAGS_VAL_LEN);
}

static void test_rec_reject(void **state) {
        (void)state;
        uint8_t key[PF_FLAGS_KEY_LEN + 1], val[PF_FLAGS_VAL_LEN + 1];
        uint8_t pkey[PF_FLAGS_PG_KEY_LEN + 1], pval[PF_FLAGS_PG_VAL_LEN + 1];
        pf_flags_rec_t rec;
        memset(key, 0, sizeof(key));
        memset(val, 0, sizeof(val));
        pf_flags_rec_flag(key, val, 99, 3, PF_FLAG_PHONE, 12345);
        pf_flags_rec_progress(pkey, pval, 7, 12345);
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec), 0);
        assert_int_equal(
                pf_flags_rec_parse(pkey, PF_FLAGS_PG_KEY_LEN, pval, PF_FLAGS_PG_VAL_LEN, &rec), 0);

        /* wrong lengths */
        for (size_t kl = 0; kl <= PF_FLAGS_KEY_LEN + 1; kl++)
                for (size_t vl = 0; vl <= PF_FLAGS_VAL_LEN + 1; vl++)
                        if (kl != PF_FLAGS_KEY_LEN || vl != PF_FLAGS_VAL_LEN)
                                assert_int_equal(pf_flags_rec_parse(key, kl, val, vl, &rec), -1);
        for (size_t kl = 0; kl <= PF_FLAGS_PG_KEY_LEN + 1; kl++)
                for (size_t vl = 0; vl <= PF_FLAGS_PG_VAL_LEN + 1; vl++)
                        if (kl != PF_FLAGS_PG_KEY_LEN || vl != PF_FLAGS_PG_VAL_LEN)
                                assert_int_equal(pf_flags_rec_parse(pkey, kl, pval, vl, &rec), -1);
        /* one kind's key with the other's value */
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, pval, PF_FLAGS_PG_VAL_LEN, &rec),
                         -1);
        assert_int_equal(pf_flags_rec_parse(pkey, PF_FLAGS_PG_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec),
                         -1);

        /* NULL key or value (a tombstone) */
        assert_int_equal(pf_flags_rec_parse(NULL, 0, val, PF_FLAGS_VAL_LEN, &rec), -1);
        assert_int_equal(pf_flags_rec_parse(NULL, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec),
                         -1);
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, NULL, 0, &rec), -1);
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, NULL, PF_FLAGS_VAL_LEN, &rec),
                         -1);
        assert_int_equal(pf_flags_rec_parse(pkey, PF_FLAGS_PG_KEY_LEN, NULL, 0, &rec), -1);
        assert_int_equal(pf_flags_rec_parse(NULL, 0, NULL, 0, &rec), -1);

        /* wrong version */
        for (int v = 0; v < 256; v++) {
                if (v == 1)
                        continue;
                val[0] = (uint8_t)v;
                pval[0] = (uint8_t)v;
                assert_int_equal(
                        pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec), -1);
                assert_int_equal(pf_flags_rec_parse(pkey, PF_FLAGS_PG_KEY_LEN, pval,
                                                    PF_FLAGS_PG_VAL_LEN, &rec),
                                 -1);
        }
        val[0] = 1;
        pval[0] = 1;

        /* bad kind */
        for (int k = 0; k < 256; k++) {
                val[1] = (uint8_t)k;
                int want = k >= PF_FLAG_PHONE && k <= PF_FLAG_BOOKING ? 0 : -1;
                assert_int_equal(
                        pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec),
                        want);
        }
        val[1] = PF_FLAG_PHONE;

        /* zero digest; a zero flagger is fine */
        pf_flags_rec_flag(key, val, 0, 3, PF_FLAG_PHONE, 1);
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec),
                         -1);
        pf_flags_rec_flag(key, val, 1, 0, PF_FLAG_PHONE, 1);
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec), 0);
        pf_flags_rec_flag(key, val, 1ull << 63, 0, PF_FLAG_PHONE, 1);
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec), 0);
        assert_true(rec.digest == 1ull << 63);

        /* wrong key prefix */
        key[0] = 'f';
        assert_int_equal(pf_flags_rec_parse(key, PF_FLAGS_KEY_LEN, val, PF_FLAGS_VAL_LEN, &rec),
                         -1);
        key[0] = 'F';
        pkey[2] = 'G';
        assert_int_equal(
                pf_flags_rec_parse(pkey, PF_FLAGS_PG_KEY_LEN, pval, PF_FLAGS_PG_VAL_LEN, &rec), -1);

        /* partition >= PF_FLAGS_MAX_PARTS, including what would be negative as int32 */
        const int32_t bad[] = {PF_FLAGS_MAX_PARTS, PF_FLAGS_MAX_PARTS + 1, 65536, INT32_MAX, -1,
                               INT32_MIN};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                pf_flags_rec_progress(pkey, pval, bad[i], 1);
                assert_int_equal(pf_flags_rec_parse(pkey, PF_FLAGS_PG_KEY_LEN, pval,
                                                    PF_FLAGS_PG_VAL_LEN, &rec),
                                 -1);
        }
        pf_flags_rec_progress(pkey, pval, PF_FLAGS_MAX_PARTS - 1, 1);
        assert_int_equal(
                pf_flags_rec_parse(pkey, PF_FLAGS_PG_KEY_LEN, pval, PF_FLAGS_PG_VAL_LEN, &rec), 0);
        assert_int_equal(rec.partition, PF_FLAGS_MAX_PARTS - 1);
}

/** Random bytes of random lengths: never a crash, and whatever parses re-encodes to itself. */
static void test_rec_random(void **state) {
        (void)state;
        int ok_flag = 0, ok_progress = 0;
        for (int round = 0; round < 200000; round++) {
                uint8_t kb[32], vb[32];
                for (size_t i = 0; i < sizeof(kb); i++) {
                        kb[i] = (uint8_t)next_rand();
                        vb[i] = (uint8_t)next_rand();
                }
                uint64_t x = next_rand();
                size_t kl = x % 4 == 0   ? (x >> 8) % 20
                            : x % 4 == 1 ? PF_FLAGS_KEY_LEN
                                         : PF_FLAGS_PG_KEY_LEN;
                size_t vl = (x >> 16) % 3 == 0       ? (x >> 24) % 14
                            : kl == PF_FLAGS_KEY_LEN ? PF_FLAGS_VAL_LEN
                                                     : PF_FLAGS_PG_VAL_LEN;
                /* make the prefixes and versions likely, so some records parse */
                if ((x >> 32) % 2) {
                        if (kl == PF_FLAGS_KEY_LEN)
                                kb[0] = 'F';
                        else if (kl >= 3)
                                memcpy(kb, "~pg", 3);
                        if (kl == PF_FLAGS_PG_KEY_LEN && (x >> 33) % 2)
                                kb[3] = kb[4] = 0;
                        if (vl > 0 && (x >> 34) % 4)
                                vb[0] = 1;
                        if (vl > 1 && kl == PF_FLAGS_KEY_LEN && (x >> 36) % 2)
                                vb[1] = (uint8_t)(1 + (x >> 37) % 3);
                }
                /* exact-size copies, so ASan sees any read past the lengths */
                uint8_t *k = malloc(kl ? kl : 1), *v = malloc(vl ? vl : 1);
                assert_non_null(k);
                assert_non_null(v);
                memcpy(k, kb, kl);
                memcpy(v, vb, vl);
                pf_flags_rec_t rec;
                if (pf_flags_rec_parse(k, kl, v, vl, &rec) == 0) {
                        if (rec.progress) {
                                uint8_t k2[PF_FLAGS_PG_KEY_LEN], v2[PF_FLAGS_PG_VAL_LEN];
                                assert_int_equal(kl, PF_FLAGS_PG_KEY_LEN);
                                assert_int_equal(vl, PF_FLAGS_PG_VAL_LEN);
                                assert_in_range(rec.partition, 0, PF_FLAGS_MAX_PARTS - 1);
                                pf_flags_rec_progress(k2, v2, rec.partition, rec.time);
                                assert_memory_equal(k2, k, kl);
                                assert_memory_equal(v2, v, vl);
                                ok_progress++;
                        } else {
                                uint8_t k2[PF_FLAGS_KEY_LEN], v2[PF_FLAGS_VAL_LEN];
                                assert_int_equal(kl, PF_FLAGS_KEY_LEN);
                                assert_int_equal(vl, PF_FLAGS_VAL_LEN);
                                assert_true(rec.digest != 0);
                                pf_flags_rec_flag(k2, v2, rec.digest, rec.flagger, rec.kind,
                                                  rec.time);
                                assert_memory_equal(k2, k, kl);
                                assert_memory_equal(v2, v, vl);
                                ok_flag++;
                        }
                }
                free(k);
                free(v);
        }
        /* the sweep reached both kinds of valid record, not only the rejections */
        assert_true(ok_flag > 100);
        assert_true(ok_progress > 100);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_visible_delay),
                cmocka_unit_test(test_visible_extremes),
                cmocka_unit_test(test_self),
                cmocka_unit_test(test_two_earliest_model),
                cmocka_unit_test(test_later_flags_change_nothing),
                cmocka_unit_test(test_growth),
                cmocka_unit_test(test_zero_digest),
                cmocka_unit_test(test_progress),
                cmocka_unit_test(test_progress_extremes),
                cmocka_unit_test(test_rec_roundtrip),
                cmocka_unit_test(test_rec_reject),
                cmocka_unit_test(test_rec_random),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
