/**
 * @file test_order.c
 * @brief Tests of event-time order: envelope and marker formats, release in key order behind the
 * frontier, late and forced events, and the restart contract (commit offset, stored state, skip
 * of what was applied). The central property: however two ordered sources interleave, and
 * wherever a restart falls, the events are applied in one and the same order, each exactly once.
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

#include "../../workers/order.h"

static const char KEY[32] = "0123456789abcdef0123456789abcdef";

static void test_envelope(void **state) {
        (void)state;
        uint8_t buf[PF_ORDER_ENV_HEAD_MAX + 8];
        size_t head = pf_order_env_write(buf, -1234567, "ev-42");
        memcpy(buf + head, "\x00\x01\x02", 3);
        int64_t t;
        const char *id;
        size_t id_len, len;
        const uint8_t *payload;
        assert_int_equal(pf_order_env_read(buf, head + 3, &t, &id, &id_len, &payload, &len), 0);
        assert_int_equal(t, -1234567);
        assert_int_equal(id_len, 5);
        assert_memory_equal(id, "ev-42", 5);
        assert_int_equal(len, 3);
        assert_memory_equal(payload, "\x00\x01\x02", 3);
        /* truncated, wrong magic, an id longer than the buffer */
        assert_int_equal(pf_order_env_read(buf, head - 1, &t, &id, &id_len, &payload, &len), -1);
        assert_int_equal(pf_order_env_read(buf, 5, &t, &id, &id_len, &payload, &len), -1);
        buf[0] = 'X';
        assert_int_equal(pf_order_env_read(buf, head + 3, &t, &id, &id_len, &payload, &len), -1);
        buf[0] = 'P';
        buf[12] = 200;
        assert_int_equal(pf_order_env_read(buf, head + 3, &t, &id, &id_len, &payload, &len), -1);
        assert_int_equal(pf_order_env_read(NULL, 0, &t, &id, &id_len, &payload, &len), -1);
}

static void test_marker(void **state) {
        (void)state;
        uint8_t m[PF_ORDER_MARK_LEN];
        int input, idle;
        int32_t part;
        int64_t w;
        pf_order_mark_write(m, 1, 17, INT64_MIN + 5, 1);
        assert_int_equal(pf_order_mark_read(m, sizeof(m), &input, &part, &w, &idle), 0);
        assert_int_equal(input, 1);
        assert_int_equal(part, 17);
        assert_true(w == INT64_MIN + 5);
        assert_int_equal(idle, 1);
        assert_int_equal(pf_order_mark_read(m, sizeof(m) - 1, &input, &part, &w, &idle), -1);
        m[4] = PF_ORDER_INPUTS; /* no such input topic */
        assert_int_equal(pf_order_mark_read(m, sizeof(m), &input, &part, &w, &idle), -1);
        pf_order_mark_write(m, 0, PF_ORDER_INPUT_PARTS, 0, 0);
        assert_int_equal(pf_order_mark_read(m, sizeof(m), &input, &part, &w, &idle), -1);
}

static void test_sources(void **state) {
        (void)state;
        static pf_order_sources_t s;
        pf_order_sources_init(&s, 1000);
        assert_true(pf_order_source_watermark(&s, 0, 3) == PF_ORDER_TIME_MIN);
        pf_order_source_event(&s, 0, 3, 5000);
        assert_true(s.src[0][3].dirty);
        assert_int_equal(pf_order_source_watermark(&s, 0, 3), 4000);
        s.src[0][3].dirty = 0;
        pf_order_source_event(&s, 0, 3, 4500); /* older: the watermark stays */
        assert_false(s.src[0][3].dirty);
        assert_int_equal(pf_order_source_watermark(&s, 0, 3), 4000);
        pf_order_source_eof(&s, 0, 3);
        assert_true(s.src[0][3].dirty && s.src[0][3].idle);
        s.src[0][3].dirty = 0;
        pf_order_source_event(&s, 0, 3, 4600); /* data again: no longer idle */
        assert_true(s.src[0][3].dirty && !s.src[0][3].idle);
        pf_order_source_forget(&s, 0, 3);
        assert_true(pf_order_source_watermark(&s, 0, 3) == PF_ORDER_TIME_MIN);
        pf_order_source_event(&s, 5, 3, 1); /* out of range: ignored, no crash */
        pf_order_source_eof(&s, 0, -1);
}

/** A source read to its end promises the wall clock minus the lateness, renewed while needed. */
static void test_idle_promise(void **state) {
        (void)state;
        static pf_order_sources_t s;
        pf_order_sources_init(&s, 1000);
        pf_order_source_event(&s, 0, 1, 5000);
        assert_int_equal(pf_order_source_promise(&s, 0, 1, 100000), 4000); /* busy: from data */
        pf_order_source_eof(&s, 0, 1);
        assert_int_equal(pf_order_source_promise(&s, 0, 1, 10000), 9000); /* idle: the clock */
        assert_int_equal(pf_order_source_promise(&s, 0, 1, 9500), 9000);  /* never lower */
        /* A live event after the promise, stamped at its send, is not older than it. */
        pf_order_source_event(&s, 0, 1, 9800);
        assert_int_equal(pf_order_source_promise(&s, 0, 1, 9800), 9000);
        pf_order_source_eof(&s, 0, 1);
        for (int i = 0; i < PF_ORDER_INPUTS; i++)
                for (int p = 0; p < PF_ORDER_INPUT_PARTS; p++)
                        s.src[i][p].dirty = 0;
        /* Newer events elsewhere (20000) and the clock has moved on: the promise is renewed. */
        pf_order_source_event(&s, 1, 0, 20000);
        s.src[1][0].dirty = 0;
        assert_int_equal(pf_order_sources_refresh(&s, 9500), 0); /* the clock has not moved */
        assert_int_equal(pf_order_sources_refresh(&s, 15000), 1);
        assert_true(s.src[0][1].dirty);
        assert_int_equal(pf_order_source_promise(&s, 0, 1, 15000), 14000);
        s.src[0][1].dirty = 0;
        /* A replay: the clock is far past every event, so one promise is enough. */
        assert_int_equal(pf_order_source_promise(&s, 0, 1, 1000000), 999000);
        s.src[0][1].dirty = 0;
        assert_int_equal(pf_order_sources_refresh(&s, 2000000), 0);
}

static pf_order_verdict_t offer(pf_order_part_t *p, int64_t off, int64_t t, const char *id) {
        return pf_order_part_offer(p, off, t, id, strlen(id), KEY, id, strlen(id) + 1, 0);
}

/** Pops everything releasable; appends the ids to out (space separated). */
static void drain(pf_order_part_t *p, char *out, size_t cap, int *forced_total) {
        pf_order_rec_t *r;
        int forced;
        while ((r = pf_order_part_pop(p, &forced))) {
                assert_int_equal(r->len, r->id_len + 1u); /* the bytes offered come back */
                assert_memory_equal(r->payload, r->id, r->id_len);
                size_t n = strlen(out);
                snprintf(out + n, cap - n, "%s%.*s", n ? " " : "", (int)r->id_len, r->id);
                if (forced_total)
                        *forced_total += forced;
                free(r);
        }
}

static void test_release_order(void **state) {
        (void)state;
        char got[256] = "";
        int32_t sources[PF_ORDER_INPUTS] = {2, 0};
        pf_order_part_t *p = pf_order_part_new(sources, 1000);
        assert_non_null(p);
        assert_int_equal(offer(p, 0, 30, "c"), PF_ORDER_HOLD);
        assert_int_equal(offer(p, 1, 10, "a"), PF_ORDER_HOLD);
        assert_int_equal(offer(p, 2, 20, "b2"), PF_ORDER_HOLD);
        assert_int_equal(offer(p, 3, 20, "b1"), PF_ORDER_HOLD); /* same time: id decides */
        assert_false(pf_order_part_ready(p));                   /* no watermark yet */
        assert_int_equal(pf_order_part_mark(p, 4, 0, 0, 25, 0), 1);
        assert_false(pf_order_part_ready(p)); /* source 1 still silent */
        assert_int_equal(pf_order_part_mark(p, 5, 0, 1, 100, 0), 1);
        assert_int_equal(pf_order_part_frontier(p), 25);
        drain(p, got, sizeof(got), NULL);
        assert_string_equal(got, "a b1 b2");
        assert_int_equal(pf_order_part_pending(p), 1);
        /* a watermark never moves back, but idleness lifts the source out of the minimum */
        pf_order_part_mark(p, 6, 0, 0, 5, 0);
        assert_int_equal(pf_order_part_frontier(p), 25);
        pf_order_part_mark(p, 7, 0, 0, 25, 1);
        assert_int_equal(pf_order_part_frontier(p), 100);
        drain(p, got, sizeof(got), NULL);
        assert_string_equal(got, "a b1 b2 c");
        /* an event behind what was released is late; one ahead is held */
        assert_int_equal(offer(p, 8, 20, "z"), PF_ORDER_LATE);
        assert_int_equal(offer(p, 9, 30, "c"), PF_ORDER_LATE); /* equal key: applied already */
        assert_int_equal(offer(p, 10, 31, "d"), PF_ORDER_HOLD);
        pf_order_part_destroy(p);
}

static void test_forced(void **state) {
        (void)state;
        char got[256] = "";
        int forced = 0;
        int32_t sources[PF_ORDER_INPUTS] = {1, 1};
        pf_order_part_t *p = pf_order_part_new(sources, 2);
        offer(p, 0, 3, "c");
        offer(p, 1, 1, "a");
        assert_false(pf_order_part_ready(p));
        offer(p, 2, 2, "b");
        drain(p, got, sizeof(got), &forced);
        assert_string_equal(got, "a"); /* back under the cap after one */
        assert_int_equal(forced, 1);
        pf_order_part_destroy(p);
}

static void test_state_roundtrip(void **state) {
        (void)state;
        static uint8_t blob[PF_ORDER_BLOB_MAX];
        int32_t sources[PF_ORDER_INPUTS] = {3, 2};
        pf_order_part_t *p = pf_order_part_new(sources, 100);
        pf_order_part_mark(p, 0, 0, 0, 50, 0);
        pf_order_part_mark(p, 1, 0, 1, 60, 1);
        pf_order_part_mark(p, 2, 0, 2, 70, 0);
        pf_order_part_mark(p, 3, 1, 0, 80, 1);
        pf_order_part_mark(p, 4, 1, 1, 90, 0);
        offer(p, 5, 10, "x");
        offer(p, 6, 55, "y");
        char got[64] = "";
        drain(p, got, sizeof(got), NULL);
        assert_string_equal(got, "x");
        assert_int_equal(pf_order_part_commit_offset(p, 7), 6); /* y still pending */
        size_t len = pf_order_part_encode(p, blob, sizeof(blob));
        assert_true(len > 0);
        assert_int_equal(pf_order_part_encode(p, blob, 10), 0); /* too small: refused */
        pf_order_part_t *q = pf_order_part_new(sources, 100);
        assert_int_equal(pf_order_part_load(q, blob, len), 0);
        assert_int_equal(pf_order_part_frontier(q), 50);
        assert_int_equal(pf_order_part_pending(q), 0);
        /* read again from the committed offset 6: y (pending then) is held, markers below 7
         * are in the state already, and x would be skipped */
        assert_int_equal(offer(q, 6, 55, "y"), PF_ORDER_HOLD);
        assert_int_equal(offer(q, 5, 10, "x"), PF_ORDER_SKIP);
        assert_int_equal(pf_order_part_mark(q, 2, 0, 2, 999, 1), 0);
        assert_int_equal(pf_order_part_mark(q, 7, 0, 0, 999, 0), 1);
        assert_int_equal(pf_order_part_frontier(q), 70);
        got[0] = '\0';
        drain(q, got, sizeof(got), NULL);
        assert_string_equal(got, "y");
        /* corrupt encodings are refused and leave a clean state */
        for (size_t cut = 0; cut < len; cut += 7)
                assert_int_equal(pf_order_part_load(q, blob, cut), -1);
        blob[0] = 99;
        assert_int_equal(pf_order_part_load(q, blob, len), -1);
        assert_true(pf_order_part_frontier(q) == PF_ORDER_TIME_MIN);
        pf_order_part_destroy(p);
        pf_order_part_destroy(q);
}

/* ---- The property: interleaving and restarts never change the order of application. ---- */

#define NEV 400

typedef struct msg_s {
        int is_mark;
        int src;
        int64_t time; /* event time, or the watermark */
        int idle;
        char id[16];
} msg_t;

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return rng;
}

/**
 * Builds one partition's message stream: two sources, each time-ordered, interleaved at random;
 * each source sends a watermark (its newest time) every few events and an idle marker at its end.
 */
static size_t build_stream(msg_t *out, const int64_t *times0, const int64_t *times1, size_t n) {
        size_t i0 = 0, i1 = 0, k = 0;
        int64_t max[2] = {INT64_MIN, INT64_MIN};
        while (i0 < n || i1 < n) {
                int s = i0 >= n ? 1 : i1 >= n ? 0 : (int)(next_rand() % 2);
                size_t *ix = s ? &i1 : &i0;
                const int64_t *t = s ? times1 : times0;
                msg_t *m = &out[k++];
                memset(m, 0, sizeof(*m));
                m->src = s;
                m->time = t[*ix];
                snprintf(m->id, sizeof(m->id), "s%d-%04zu", s, *ix);
                if (t[*ix] > max[s])
                        max[s] = t[*ix];
                (*ix)++;
                if (next_rand() % 5 == 0) {
                        msg_t *w = &out[k++];
                        memset(w, 0, sizeof(*w));
                        w->is_mark = 1;
                        w->src = s;
                        w->time = max[s];
                }
        }
        for (int s = 0; s < 2; s++) {
                msg_t *w = &out[k++];
                memset(w, 0, sizeof(*w));
                w->is_mark = 1;
                w->src = s;
                w->time = max[s];
                w->idle = 1;
        }
        return k;
}

/**
 * Runs the stream through a partition, "committing" every few messages and restarting at random
 * from the last commit (state reloaded, read again from the committed offset).
 */
static void run_stream(const msg_t *msgs, size_t count, char *applied, size_t cap) {
        static uint8_t blob[PF_ORDER_BLOB_MAX];
        int32_t sources[PF_ORDER_INPUTS] = {2, 0};
        pf_order_part_t *p = pf_order_part_new(sources, 1u << 20);
        /* what is "committed": applied ids, offset and state */
        size_t committed_len = 0, blob_len = 0;
        int64_t committed_off = 0;
        applied[0] = '\0';
        size_t off = 0;
        int crashes = 0;
        while (off < count) {
                const msg_t *m = &msgs[off];
                if (m->is_mark) {
                        pf_order_part_mark(p, (int64_t)off, 0, m->src, m->time, m->idle);
                } else {
                        pf_order_verdict_t v = offer(p, (int64_t)off, m->time, m->id);
                        assert_int_not_equal(v, PF_ORDER_LATE); /* sources keep their promise */
                        if (v == PF_ORDER_LATE) {
                                size_t n = strlen(applied);
                                snprintf(applied + n, cap - n, " %s", m->id);
                        }
                }
                drain(p, applied, cap, NULL);
                off++;
                if (next_rand() % 7 == 0 || off == count) { /* commit */
                        committed_off = pf_order_part_commit_offset(p, (int64_t)off);
                        blob_len = pf_order_part_encode(p, blob, sizeof(blob));
                        assert_true(blob_len > 0);
                        committed_len = strlen(applied);
                } else if (crashes < 8 && next_rand() % 40 == 0) { /* crash: back to the commit */
                        crashes++;
                        applied[committed_len] = '\0';
                        if (blob_len)
                                assert_int_equal(pf_order_part_load(p, blob, blob_len), 0);
                        else
                                pf_order_part_reset(p);
                        off = (size_t)committed_off;
                }
        }
        assert_int_equal(pf_order_part_pending(p), 0);
        pf_order_part_destroy(p);
}

static int cmp_ids(const void *a, const void *b) {
        const msg_t *x = a, *y = b;
        if (x->time != y->time)
                return x->time < y->time ? -1 : 1;
        return strcmp(x->id, y->id);
}

static void test_any_interleaving_same_order(void **state) {
        (void)state;
        static int64_t t0[NEV], t1[NEV];
        static msg_t msgs[NEV * 4], sorted[NEV * 2];
        static char expect[NEV * 2 * 12], got[NEV * 2 * 12 * 2];
        int64_t a = 0, b = 0;
        for (size_t i = 0; i < NEV; i++) {
                a += (int64_t)(next_rand() % 5); /* ties happen */
                b += (int64_t)(next_rand() % 5);
                t0[i] = a;
                t1[i] = b;
        }
        for (int round = 0; round < 50; round++) {
                size_t count = build_stream(msgs, t0, t1, NEV), k = 0;
                for (size_t i = 0; i < count; i++)
                        if (!msgs[i].is_mark)
                                sorted[k++] = msgs[i];
                assert_int_equal(k, 2 * NEV);
                qsort(sorted, k, sizeof(*sorted), cmp_ids);
                expect[0] = '\0';
                for (size_t i = 0; i < k; i++) {
                        size_t n = strlen(expect);
                        snprintf(expect + n, sizeof(expect) - n, "%s%s", i ? " " : "",
                                 sorted[i].id);
                }
                run_stream(msgs, count, got, sizeof(got));
                assert_string_equal(got, expect);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_envelope),
                cmocka_unit_test(test_marker),
                cmocka_unit_test(test_sources),
                cmocka_unit_test(test_idle_promise),
                cmocka_unit_test(test_release_order),
                cmocka_unit_test(test_forced),
                cmocka_unit_test(test_state_roundtrip),
                cmocka_unit_test(test_any_interleaving_same_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
