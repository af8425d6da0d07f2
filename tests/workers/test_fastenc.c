/**
 * @file test_fastenc.c
 * @brief The hand-written ScoredResult encoder against avro-c's generic writer: the same bytes for
 *        random and extreme results, and what it writes reads back through avro-c as the result.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "fastdec.h"
#include "fastenc.h"

typedef struct fx_s {
        pf_schemas_t *schemas;
        pf_codec_t *fast, *slow;
        char errstr[256];
} fx_t;

static int setup(void **state) {
        fx_t *fx = calloc(1, sizeof(*fx));
        fx->schemas = pf_schemas_new(fx->errstr, sizeof(fx->errstr));
        assert_non_null(fx->schemas);
        fx->fast = pf_codec_new(fx->schemas, NULL, fx->errstr, sizeof(fx->errstr));
        fx->slow = pf_codec_new(fx->schemas, NULL, fx->errstr, sizeof(fx->errstr));
        assert_non_null(fx->fast);
        assert_non_null(fx->slow);
        pf_codec_set_fast_encode(fx->slow, 0);
        *state = fx;
        return 0;
}

static int teardown(void **state) {
        fx_t *fx = *state;
        pf_codec_destroy(fx->fast);
        pf_codec_destroy(fx->slow);
        pf_schemas_destroy(fx->schemas);
        free(fx);
        return 0;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

/** A random NUL-terminated string for dst[size]: empty, full, ASCII or UTF-8 bytes. */
static void rand_str(char *dst, size_t size) {
        static const char *pieces[] = {"a", "Z", "0", " ", "ü", "Ж", "€", "😀", "\"", "\\", "\x01"};
        size_t n, max = size - 1;
        switch (rng() % 4) {
        case 0:
                n = 0;
                break;
        case 1:
                n = max;
                break;
        default:
                n = rng() % (max + 1);
        }
        size_t at = 0;
        while (at < n) {
                const char *p = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
                size_t k = strlen(p);
                if (at + k > n)
                        p = "x", k = 1;
                memcpy(dst + at, p, k);
                at += k;
        }
        dst[at] = '\0';
        /* garbage after the NUL must not be written */
        for (size_t i = at + 1; i < size; i++)
                dst[i] = (char)(rng() | 1);
}

static int64_t rand_long(void) {
        static const int64_t edge[] = {0,  1,   -1,  INT64_MIN,       INT64_MAX, 63,
                                       64, -64, -65, 1764568800000LL, INT32_MIN, INT32_MAX};
        if (rng() % 3 == 0)
                return edge[rng() % (sizeof(edge) / sizeof(edge[0]))];
        return (int64_t)(rng() >> (rng() % 64));
}

static double rand_double(void) {
        static const double edge[] = {0.0, -0.0, 1.0, 0.5, 1e-310, 1e308, INFINITY, -INFINITY};
        if (rng() % 8 == 0)
                return NAN;
        if (rng() % 3 == 0)
                return edge[rng() % (sizeof(edge) / sizeof(edge[0]))];
        uint64_t u = rng();
        double d;
        memcpy(&d, &u, sizeof(d));
        return d;
}

static void rand_result(pf_result_t *r) {
        memset(r, 0, sizeof(*r));
        rand_str(r->event_id, sizeof(r->event_id));
        rand_str(r->traveller_ref, sizeof(r->traveller_ref));
        r->source = (pf_source_t)(rng() % 2);
        rand_str(r->flight.carrier, sizeof(r->flight.carrier));
        rand_str(r->flight.number, sizeof(r->flight.number));
        rand_str(r->flight.origin_airport, sizeof(r->flight.origin_airport));
        rand_str(r->flight.destination_airport, sizeof(r->flight.destination_airport));
        r->flight.scheduled_departure = rand_long();
        r->score = (int32_t)rand_long();
        r->band = (pf_band_t)(rng() % PF_BAND__COUNT);
        r->hit_count = (uint32_t)(rng() % 3 ? rng() % 4 : rng() % (PF_RESULT_MAX_HITS + 1));
        for (uint32_t i = 0; i < r->hit_count; i++) {
                pf_hit_t *h = &r->hits[i];
                rand_str(h->rule_id, sizeof(h->rule_id));
                h->rule_version = (int32_t)rand_long();
                rand_str(h->category, sizeof(h->category));
                h->weight = (int32_t)rand_long();
                rand_str(h->reason, sizeof(h->reason));
        }
        r->match_count = (uint32_t)(rng() % (PF_RESULT_MAX_MATCHES + 1));
        for (uint32_t i = 0; i < r->match_count; i++) {
                pf_match_t *m = &r->matches[i];
                rand_str(m->entry_id, sizeof(m->entry_id));
                rand_str(m->list, sizeof(m->list));
                m->kind = (pf_match_kind_t)(rng() % 3);
                m->confidence = rand_double();
        }
        rand_str(r->ruleset_version, sizeof(r->ruleset_version));
        r->event_time = rand_long();
        r->processing_time = rand_long();
}

static void want_string(avro_value_t *rec, const char *name, const char *want) {
        avro_value_t v;
        const char *s;
        size_t n;
        assert_int_equal(avro_value_get_by_name(rec, name, &v, NULL), 0);
        assert_int_equal(avro_value_get_string(&v, &s, &n), 0);
        assert_int_equal(n - 1, strlen(want));
        assert_memory_equal(s, want, n - 1);
}

static int64_t get_num(avro_value_t *rec, const char *name) {
        avro_value_t v;
        assert_int_equal(avro_value_get_by_name(rec, name, &v, NULL), 0);
        if (avro_value_get_type(&v) == AVRO_INT32) {
                int32_t i;
                assert_int_equal(avro_value_get_int(&v, &i), 0);
                return i;
        }
        if (avro_value_get_type(&v) == AVRO_ENUM) {
                int e;
                assert_int_equal(avro_value_get_enum(&v, &e), 0);
                return e;
        }
        int64_t l;
        assert_int_equal(avro_value_get_long(&v, &l), 0);
        return l;
}

/** Reads @p buf back with avro-c and compares it with @p r, field by field. */
static void read_back(fx_t *fx, const uint8_t *buf, size_t len, const pf_result_t *r) {
        int32_t id;
        assert_int_equal(pf_wire_parse(buf, len, &id), PF_OK);
        avro_schema_t schema = pf_schemas_get(fx->schemas, id, NULL);
        assert_non_null(schema);
        avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
        avro_value_t rec, sub, arr, item;
        assert_int_equal(avro_generic_value_new(iface, &rec), 0);
        avro_reader_t rd = avro_reader_memory((const char *)buf + PF_WIRE_HEADER,
                                              (int64_t)(len - PF_WIRE_HEADER));
        assert_int_equal(avro_value_read(rd, &rec), 0);
        want_string(&rec, "event_id", r->event_id);
        want_string(&rec, "traveller_ref", r->traveller_ref);
        assert_int_equal(get_num(&rec, "source"), r->source);
        assert_int_equal(avro_value_get_by_name(&rec, "flight", &sub, NULL), 0);
        want_string(&sub, "carrier", r->flight.carrier);
        want_string(&sub, "number", r->flight.number);
        want_string(&sub, "origin_airport", r->flight.origin_airport);
        want_string(&sub, "destination_airport", r->flight.destination_airport);
        assert_true(get_num(&sub, "scheduled_departure") == r->flight.scheduled_departure);
        assert_int_equal(get_num(&rec, "score"), r->score);
        assert_int_equal(get_num(&rec, "band"), r->band);
        size_t n;
        assert_int_equal(avro_value_get_by_name(&rec, "hits", &arr, NULL), 0);
        avro_value_get_size(&arr, &n);
        assert_int_equal(n, r->hit_count);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(avro_value_get_by_index(&arr, i, &item, NULL), 0);
                want_string(&item, "rule_id", r->hits[i].rule_id);
                assert_int_equal(get_num(&item, "rule_version"), r->hits[i].rule_version);
                want_string(&item, "category", r->hits[i].category);
                assert_int_equal(get_num(&item, "weight"), r->hits[i].weight);
                want_string(&item, "reason", r->hits[i].reason);
        }
        assert_int_equal(avro_value_get_by_name(&rec, "watchlist_matches", &arr, NULL), 0);
        avro_value_get_size(&arr, &n);
        assert_int_equal(n, r->match_count);
        for (size_t i = 0; i < n; i++) {
                avro_value_t v;
                double d;
                assert_int_equal(avro_value_get_by_index(&arr, i, &item, NULL), 0);
                want_string(&item, "entry_id", r->matches[i].entry_id);
                want_string(&item, "list", r->matches[i].list);
                assert_int_equal(get_num(&item, "kind"), r->matches[i].kind);
                assert_int_equal(avro_value_get_by_name(&item, "confidence", &v, NULL), 0);
                assert_int_equal(avro_value_get_double(&v, &d), 0);
                assert_memory_equal(&d, &r->matches[i].confidence, sizeof(d));
        }
        want_string(&rec, "ruleset_version", r->ruleset_version);
        assert_true(get_num(&rec, "event_time") == r->event_time);
        assert_true(get_num(&rec, "processing_time") == r->processing_time);
        avro_reader_free(rd);
        avro_value_decref(&rec);
        avro_value_iface_decref(iface);
}

static void test_canonical_form(void **state) {
        fx_t *fx = *state;
        int32_t id = pf_schemas_latest_id(fx->schemas, "ScoredResult");
        char *form = pf_avro_canonical_form(pf_schemas_get(fx->schemas, id, NULL));
        assert_non_null(form);
        assert_string_equal(form, pf_fastenc_canonical_result);
        free(form);
        assert_true(pf_avro_fingerprint64(pf_fastenc_canonical_result,
                                          strlen(pf_fastenc_canonical_result)) ==
                    0x5d89b44d102a7fb7ULL);
}

static void test_same_bytes(void **state) {
        fx_t *fx = *state;
        static pf_result_t r;
        static uint8_t a[1 << 16];
        for (int k = 0; k < 20000; k++) {
                rand_result(&r);
                const uint8_t *out;
                size_t la, lb;
                assert_int_equal(pf_codec_encode_result(fx->fast, &r, &out, &la), PF_OK);
                assert_true(la <= sizeof(a));
                memcpy(a, out, la);
                assert_int_equal(pf_codec_encode_result(fx->slow, &r, &out, &lb), PF_OK);
                assert_int_equal(la, lb);
                assert_memory_equal(a, out, la);
                if (k % 10 == 0)
                        read_back(fx, a, la, &r);
        }
}

static void test_counts_beyond_the_arrays(void **state) {
        fx_t *fx = *state;
        static pf_result_t r;
        static uint8_t buf[64];
        const uint8_t *out;
        size_t len;
        memset(&r, 0, sizeof(r));
        r.hit_count = PF_RESULT_MAX_HITS + 1;
        assert_int_equal(pf_codec_encode_result(fx->fast, &r, &out, &len), PF_ERR_INVALID_VALUE);
        r.hit_count = 0;
        r.match_count = PF_RESULT_MAX_MATCHES + 1;
        assert_int_equal(pf_codec_encode_result(fx->fast, &r, &out, &len), PF_ERR_INVALID_VALUE);
        r.match_count = 0;
        /* A buffer too small is TOO_LARGE, never an overrun. */
        snprintf(r.event_id, sizeof(r.event_id), "%s", "an-event-id-of-some-length-0123456789");
        for (size_t cap = 0; cap < sizeof(buf); cap++) {
                pf_err_t err = pf_fastenc_result(&r, 10, buf, cap, &len);
                assert_true(err == PF_ERR_TOO_LARGE || (err == PF_OK && len <= cap));
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_canonical_form, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same_bytes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_counts_beyond_the_arrays, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
