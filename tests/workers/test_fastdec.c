/**
 * @file test_fastdec.c
 * @brief The schema-specialised decoder against the avro-c path: canonical forms, every event of
 *        a generated file both ways, mutations of them, and hand-made bodies for each error.
 *
 * "Both ways" is one codec with the fast decoder on and one with it off (pf_codec_set_fast_decode):
 * the two must give the same code and the same reason, and for a good message the same pf_event_t
 * byte for byte.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "codec.h"
#include "config.h"
#include "evfile.h"
#include "fastdec.h"
#include "gen_cli.h"
#include "registry.h"

/* ------------------------------------------------------------------ fixture */

typedef struct fx_s {
        pf_schemas_t *schemas;
        pf_codec_t *fast, *slow;
        char errstr[256];
        uint64_t compared, ok;
} fx_t;

static fx_t *fx_new(const pf_codec_conf_t *conf) {
        fx_t *fx = calloc(1, sizeof(*fx));
        assert_non_null(fx);
        fx->schemas = pf_schemas_new(fx->errstr, sizeof(fx->errstr));
        assert_non_null(fx->schemas);
        fx->fast = pf_codec_new(fx->schemas, conf, fx->errstr, sizeof(fx->errstr));
        fx->slow = pf_codec_new(fx->schemas, conf, fx->errstr, sizeof(fx->errstr));
        assert_non_null(fx->fast);
        assert_non_null(fx->slow);
        pf_codec_set_fast_decode(fx->slow, 0);
        return fx;
}

static void fx_free(fx_t *fx) {
        pf_codec_destroy(fx->fast);
        pf_codec_destroy(fx->slow);
        pf_schemas_destroy(fx->schemas);
        free(fx);
}

static int setup(void **state) {
        *state = fx_new(NULL);
        return 0;
}

static int teardown(void **state) {
        fx_free(*state);
        return 0;
}

/** Decodes @p buf both ways and fails unless they agree. @returns the code. */
static pf_err_t both(fx_t *fx, const uint8_t *buf, size_t len, char *reason, size_t reason_size) {
        pf_event_t a, b;
        char ea[512], eb[512];
        /* Different garbage in each, so that a field one path forgets to write shows. */
        memset(&a, 0x5a, sizeof(a));
        memset(&b, 0xa5, sizeof(b));
        memset(ea, 'x', sizeof(ea));
        memset(eb, 'y', sizeof(eb));
        pf_err_t fa = pf_codec_decode_event(fx->fast, buf, len, &a, ea, sizeof(ea));
        pf_err_t fb = pf_codec_decode_event(fx->slow, buf, len, &b, eb, sizeof(eb));
        if (fa != fb || strcmp(ea, eb) != 0) {
                fprintf(stderr, "fast: %s (%s)\navro: %s (%s)\n", pf_err_name(fa), ea,
                        pf_err_name(fb), eb);
                fail();
        }
        if (fa == PF_OK) {
                assert_memory_equal(&a, &b, sizeof(a));
                fx->ok++;
        }
        fx->compared++;
        if (reason)
                snprintf(reason, reason_size, "%s", ea);
        return fa;
}

/* ------------------------------------------------------------------ canonical forms */

static void test_canonical_forms(void **state) {
        fx_t *fx = *state;
        int seen[3] = {0};
        for (size_t i = 0; i < pf_schemas_embedded_count; i++) {
                const pf_schema_src_t *src = &pf_schemas_embedded[i];
                avro_schema_t s = pf_schemas_get(fx->schemas, src->id, NULL);
                pf_fastdec_layout_t layout = pf_fastdec_layout_of(s);
                if (strcmp(src->record, "PassengerEvent") != 0) {
                        assert_int_equal(layout, PF_FASTDEC_NONE);
                        continue;
                }
                /* A new shipped version needs its own layout in fastdec.c (or none). */
                assert_true(src->version == 1 || src->version == 2);
                assert_int_equal(layout, src->version);
                char *form = pf_avro_canonical_form(s);
                assert_non_null(form);
                assert_string_equal(form, src->version == 1 ? pf_fastdec_canonical_v1
                                                            : pf_fastdec_canonical_v2);
                free(form);
                seen[src->version] = 1;
        }
        assert_true(seen[1] && seen[2]);
        /* The specification's test vector, and the known layouts' fingerprints. */
        assert_true(pf_avro_fingerprint64("\"null\"", 6) == 0x63dd24e7cc258f8aULL);
        assert_true(
                pf_avro_fingerprint64(pf_fastdec_canonical_v1, strlen(pf_fastdec_canonical_v1)) ==
                0x04adab1d2d184c59ULL);
        assert_true(
                pf_avro_fingerprint64(pf_fastdec_canonical_v2, strlen(pf_fastdec_canonical_v2)) ==
                0xcca1cc013920699fULL);
}

/** Namespaces are inherited and resolved, named types written once, docs, defaults, aliases and
 * logical types dropped, primitives bare (expected forms as the Apache Avro library writes). */
static void test_canonical_rules(void **state) {
        (void)state;
        static const char *json =
                "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a.b\",\"doc\":\"d\","
                "\"aliases\":[\"Q\"],\"fields\":["
                "{\"name\":\"f\",\"type\":{\"type\":\"record\",\"name\":\"S\",\"fields\":["
                "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"c.E\",\"symbols\":[\"X\","
                "\"Y\"]},\"default\":\"X\"},"
                "{\"name\":\"e2\",\"type\":\"c.E\"},"
                "{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}}]}},"
                "{\"name\":\"t\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}"
                ","
                "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":[\"null\",\"S\"]}},"
                "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"bytes\"}},"
                "{\"name\":\"d\",\"type\":\"double\"}]}";
        static const char *want =
                "{\"name\":\"a.b.R\",\"type\":\"record\",\"fields\":[{\"name\":\"f\",\"type\":{"
                "\"name\":\"a.b.S\",\"type\":\"record\",\"fields\":[{\"name\":\"e\",\"type\":{"
                "\"name\":\"c.E\",\"type\":\"enum\",\"symbols\":[\"X\",\"Y\"]}},{\"name\":\"e2\","
                "\"type\":\"c.E\"},{\"name\":\"x\",\"type\":{\"name\":\"a.b.F\",\"type\":\"fixed\","
                "\"size\":3}}]}},{\"name\":\"t\",\"type\":\"long\"},{\"name\":\"m\",\"type\":{"
                "\"type\":\"map\",\"values\":[\"null\",\"a.b.S\"]}},{\"name\":\"a\",\"type\":{"
                "\"type\":\"array\",\"items\":\"bytes\"}},{\"name\":\"d\",\"type\":\"double\"}]}";
        avro_schema_t s;
        assert_int_equal(avro_schema_from_json_length(json, strlen(json), &s), 0);
        char *form = pf_avro_canonical_form(s);
        assert_non_null(form);
        assert_string_equal(form, want);
        assert_int_equal(pf_fastdec_layout_of(s), PF_FASTDEC_NONE);
        free(form);
        avro_schema_decref(s);
        assert_null(pf_avro_canonical_form(NULL));

        /* v2 spelt differently (field docs gone, other key order, namespace in the name) is v2. */
        static const char *v2_alt_head = "{\"name\":\"org.paxflow.PassengerEvent\",";
        const char *v2 = pf_fastdec_canonical_v2;
        size_t n = strlen(v2);
        char *alt = malloc(n + 64);
        snprintf(alt, n + 64, "%s\"doc\":\"x\",%s", v2_alt_head, v2 + strlen(v2_alt_head));
        assert_int_equal(avro_schema_from_json_length(alt, strlen(alt), &s), 0);
        assert_int_equal(pf_fastdec_layout_of(s), PF_FASTDEC_V2);
        avro_schema_decref(s);
        /* One enum symbol more is another layout. */
        char *p = strstr(alt, "\"MULTI_CITY\"");
        assert_non_null(p);
        memmove(p + 4, p, strlen(p) + 1);
        memcpy(p, "\"Z\",", 4);
        assert_int_equal(avro_schema_from_json_length(alt, strlen(alt), &s), 0);
        assert_int_equal(pf_fastdec_layout_of(s), PF_FASTDEC_NONE);
        avro_schema_decref(s);
        free(alt);
}

/* ------------------------------------------------------------------ a generated file */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

/** One random change of a message: a byte, a cut, an insertion, a deletion, a varint. */
static size_t mutate(uint8_t *m, size_t len, size_t cap) {
        size_t at = len > PF_WIRE_HEADER ? PF_WIRE_HEADER + rng() % (len - PF_WIRE_HEADER) : 0;
        switch (rng() % 6) {
        case 0:
                m[at] = (uint8_t)rng();
                return len;
        case 1:
                m[at] ^= (uint8_t)(1u << (rng() % 8));
                return len;
        case 2:
                return at;
        case 3:
                if (len + 1 > cap)
                        return len;
                memmove(m + at + 1, m + at, len - at);
                m[at] = (uint8_t)rng();
                return len + 1;
        case 4:
                if (at >= len)
                        return len;
                memmove(m + at, m + at + 1, len - at - 1);
                return len - 1;
        default: {
                /* a small zig-zag value (lengths, indexes, counts) */
                static const uint8_t v[] = {0x00, 0x01, 0x02, 0x03, 0x7f,
                                            0x80, 0x81, 0xff, 0x21, 0x22};
                m[at] = v[rng() % sizeof(v)];
                return len;
        }
        }
}

static void test_generated_file(void **state) {
        fx_t *fx = *state;
        char path[] = "/tmp/test_fastdec_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        char errstr[512];
        pf_conf_t *conf = pf_conf_new();
        assert_non_null(conf);
        static const char *set[][2] = {
                {"seed", "3"},
                {"hours", "2"},
                {"flights.per.hour", "6"},
                {"pax.per.flight", "60"},
                {"v1.share", "0.3"},
                {"bad.payloads", "14"},
                {"frequent.travellers", "3"},
        };
        for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
                assert_int_equal(pf_conf_set(conf, set[i][0], set[i][1], errstr, sizeof(errstr)),
                                 PF_OK);
        assert_int_equal(pf_conf_set(conf, "out", path, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(pf_gen_cli_run(conf), 0);
        pf_conf_destroy(conf);

        pf_evfile_t *f = pf_evfile_open(path, errstr, sizeof(errstr));
        assert_non_null(f);
        uint8_t topic;
        const void *key, *value;
        size_t key_len, value_len, records = 0, bad = 0, v1 = 0;
        uint64_t fast_before = pf_codec_fast_count(fx->fast);
        static uint8_t m[1 << 16];
        while (pf_evfile_next(f, &topic, &key, &key_len, &value, &value_len) == 1) {
                records++;
                if (value_len > PF_WIRE_HEADER && ((const uint8_t *)value)[4] == 1)
                        v1++;
                if (both(fx, value, value_len, NULL, 0) != PF_OK)
                        bad++;
                /* Every 4th message also in 60 mutated forms, one to three changes each. */
                if (records % 4 || value_len > sizeof(m) / 2)
                        continue;
                for (int k = 0; k < 60; k++) {
                        memcpy(m, value, value_len);
                        size_t len = value_len;
                        for (int c = (int)(rng() % 3); c >= 0; c--)
                                len = mutate(m, len, sizeof(m));
                        both(fx, m, len, NULL, 0);
                }
        }
        pf_evfile_close(f);
        unlink(path);
        fprintf(stderr, "%zu records (%zu v1, %zu rejected), %llu comparisons, %llu decoded\n",
                records, v1, bad, (unsigned long long)fx->compared, (unsigned long long)fx->ok);
        assert_true(records > 1000);
        assert_true(v1 > 100);
        assert_int_equal(bad, 14); /* the planted bad payloads, and only those */
        /* The fast decoder did decode them (all but those with no or an unknown schema id). */
        assert_true(pf_codec_fast_count(fx->fast) - fast_before > fx->compared * 9 / 10);
        assert_int_equal(pf_codec_fast_count(fx->slow), 0);
}

/* ------------------------------------------------------------------ hand-made bodies */

typedef struct wb_s {
        uint8_t b[1 << 16];
        size_t n;
} wb_t;

static void w_raw(wb_t *w, const void *p, size_t n) {
        assert_true(w->n + n <= sizeof(w->b));
        memcpy(w->b + w->n, p, n);
        w->n += n;
}

static void w_long(wb_t *w, int64_t v) {
        uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
        do {
                uint8_t b = (uint8_t)(z & 0x7f);
                z >>= 7;
                if (z)
                        b |= 0x80;
                w_raw(w, &b, 1);
        } while (z);
}

static void w_strn(wb_t *w, const char *s, size_t n) {
        w_long(w, (int64_t)n);
        w_raw(w, s, n);
}

static void w_str(wb_t *w, const char *s) {
        w_strn(w, s, strlen(s));
}

/** What a hand-made event looks like; zero is a sound default. */
typedef struct spec_s {
        int version;          /* 1 or 2 (0: 2) */
        const char *event_id; /* NULL: "ev-1" */
        size_t event_id_len;  /* with event_id: its length (may hold a NUL) */
        const char *surname;  /* NULL: "Doe" */
        int no_booking;
        int legs;            /* number of legs */
        int per_block;       /* legs per block (0: all in one) */
        int negative;        /* blocks with a negative count and a byte size */
        int size_delta;      /* added to each declared byte size */
        int bad_leg;         /* 1-based index of a leg with a 4-byte carrier; 0: none */
        int card;            /* byte of card_holder_is_traveller (0: null, else byte - 1) */
        const uint8_t *bags; /* raw varint bytes of bag_count (NULL: 1) */
        size_t bags_len;
} spec_t;

static void w_leg(wb_t *w, int i, const spec_t *sp) {
        w_str(w, sp->bad_leg == i + 1 ? "LHXX" : "LH");
        w_str(w, "400");
        w_str(w, "FRA");
        w_str(w, "DEU");
        w_str(w, "JFK");
        w_str(w, "USA");
        w_long(w, 1764568800000LL + i);
        w_long(w, 1764600000000LL);
}

/** Writes the framed message of @p sp into @p w. */
static void build(wb_t *w, const spec_t *sp) {
        int v2 = sp->version != 1;
        uint8_t hdr[PF_WIRE_HEADER];
        w->n = 0;
        pf_wire_header(hdr, v2 ? 2 : 1);
        w_raw(w, hdr, sizeof(hdr));
        if (sp->event_id)
                w_strn(w, sp->event_id, sp->event_id_len);
        else
                w_str(w, "ev-1");
        w_long(w, 1);               /* PNR */
        w_long(w, 2);               /* T24H */
        w_long(w, 1764482400000LL); /* sent_at */
        w_str(w, "LH");
        w_str(w, "400"); /* flight */
        w_str(w, "FRA");
        w_str(w, "DEU");
        w_str(w, "JFK");
        w_str(w, "USA");
        w_long(w, 1764568800000LL);
        w_long(w, 1764600000000LL);
        w_long(w, 1);
        w_str(w, "Zoë Anne"); /* traveller */
        w_str(w, sp->surname ? sp->surname : "Doe");
        w_long(w, 1);
        w_str(w, "1980-02");
        w_long(w, 1); /* F */
        w_long(w, 1);
        w_str(w, "DEU");
        if (v2)
                w_long(w, 0); /* residence null */
        w_long(w, 1);         /* document */
        w_long(w, 0);
        w_str(w, "C01X00T47");
        w_str(w, "DEU");
        w_long(w, 0);
        w_long(w, 1);
        w_long(w, 21000);
        if (sp->no_booking) {
                w_long(w, 0);
                return;
        }
        w_long(w, 1);
        w_str(w, "ABC123");
        w_long(w, 1760000000000LL);
        w_long(w, 1); /* CARD */
        if (sp->card) {
                w_long(w, 1);
                uint8_t b = (uint8_t)(sp->card - 1);
                w_raw(w, &b, 1);
        } else {
                w_long(w, 0);
        }
        w_long(w, 1);
        w_str(w, "12345678");
        w_long(w, 0);
        w_long(w, 1); /* RETURN */
        int per = sp->per_block ? sp->per_block : (sp->legs ? sp->legs : 1);
        for (int i = 0; i < sp->legs;) {
                int k = sp->legs - i < per ? sp->legs - i : per;
                if (!sp->negative) {
                        w_long(w, k);
                        for (int j = 0; j < k; j++, i++)
                                w_leg(w, i, sp);
                        continue;
                }
                wb_t *items = malloc(sizeof(*items));
                items->n = 0;
                for (int j = 0; j < k; j++, i++)
                        w_leg(items, i, sp);
                w_long(w, -k);
                w_long(w, (int64_t)items->n + sp->size_delta);
                w_raw(w, items->b, items->n);
                free(items);
        }
        w_long(w, 0);
        w_long(w, 0); /* co_traveller_count */
        if (sp->bags)
                w_raw(w, sp->bags, sp->bags_len);
        else
                w_long(w, 1);
        w_long(w, 20);
        w_long(w, 0);
        w_long(w, 1);
        w_str(w, "z@example.org");
        if (v2) {
                w_long(w, 1);
                w_str(w, "FF1");
        }
}

/** Builds @p sp, decodes it both ways and checks the code (and a part of the reason). */
static void expect(fx_t *fx, const spec_t *sp, pf_err_t code, const char *reason_part) {
        static wb_t w;
        char reason[512];
        build(&w, sp);
        uint64_t before = pf_codec_fast_count(fx->fast);
        pf_err_t err = both(fx, w.b, w.n, reason, sizeof(reason));
        if (err != code || (reason_part && !strstr(reason, reason_part))) {
                fprintf(stderr, "got %s (%s), want %s (%s)\n", pf_err_name(err), reason,
                        pf_err_name(code), reason_part ? reason_part : "");
                fail();
        }
        assert_int_equal(pf_codec_fast_count(fx->fast), before + 1);
}

static void test_values_the_event_cannot_hold(void **state) {
        fx_t *fx = *state;
        spec_t sp = {.legs = 2};
        expect(fx, &sp, PF_OK, NULL);
        sp.version = 1;
        expect(fx, &sp, PF_OK, NULL);
        sp.version = 2;

        char id[80];
        memset(id, 'x', sizeof(id));
        sp.event_id = id;
        sp.event_id_len = 70;
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "event_id: 70 bytes, longer than the 63 allowed");
        sp.event_id_len = 64;
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "event_id: 64 bytes, longer than the 63 allowed");
        sp.event_id_len = 63;
        expect(fx, &sp, PF_OK, NULL);
        id[3] = '\0';
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "event_id: embedded NUL byte");
        id[3] = 'x';
        id[21] = '\0'; /* inside an eight-byte word the scan takes at once */
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "event_id: embedded NUL byte");
        id[21] = 'x';
        id[62] = '\0'; /* the last byte */
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "event_id: embedded NUL byte");
        sp.event_id = NULL;

        /* The first such value wins, and a later structural error wins over it. */
        sp.bad_leg = 2;
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "carrier: 4 bytes, longer than the 3 allowed");
        sp.card = 3; /* boolean byte 2 after it */
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "booking.card_holder_is_traveller: boolean byte");
        sp.card = 0;

        /* 17 legs: too many, whatever a leg holds; 16 are fine. */
        sp.legs = 17;
        expect(fx, &sp, PF_ERR_TOO_LARGE, "booking.legs: more than 16 legs");
        sp.bad_leg = 17;
        expect(fx, &sp, PF_ERR_TOO_LARGE, "booking.legs: more than 16 legs");
        sp.per_block = 5;
        sp.negative = 1;
        expect(fx, &sp, PF_ERR_TOO_LARGE, "booking.legs: more than 16 legs");
        sp.negative = 0;
        sp.per_block = 0;
        sp.legs = 16;
        sp.bad_leg = 0;
        expect(fx, &sp, PF_OK, NULL);
        /* ... but a bad value before the legs comes first. */
        sp.legs = 30;
        sp.event_id = id;
        sp.event_id_len = 64;
        memset(id, 'y', sizeof(id));
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "event_id");
        sp.event_id = NULL;
        sp.legs = 2;

        sp.surname = "";
        expect(fx, &sp, PF_ERR_MISSING_FIELD, "traveller.surname");
        sp.surname = NULL;
        sp.no_booking = 1;
        expect(fx, &sp, PF_ERR_MISSING_FIELD, "booking (mandatory in a PNR push)");
}

static void test_blocks_and_limits(void **state) {
        fx_t *fx = *state;
        spec_t sp = {.legs = 7, .per_block = 3, .negative = 1};
        expect(fx, &sp, PF_OK, NULL);
        sp.size_delta = 1;
        expect(fx, &sp, PF_ERR_BAD_LENGTH, "booking.legs: array block at offset");
        sp.size_delta = -1;
        expect(fx, &sp, PF_ERR_BAD_LENGTH, "declares");
        sp.size_delta = 100000;
        expect(fx, &sp, PF_ERR_BAD_LENGTH, "is negative or exceeds");
        sp.size_delta = 0;
        sp.bad_leg = 5;
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "carrier");
        sp.negative = 0;
        sp.per_block = 1;
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "carrier");

        /* A codec with a small item limit: pf_avro_check()'s TOO_LARGE, by the fast path too. */
        pf_codec_conf_t conf = {.max_items = 5};
        fx_t *small = fx_new(&conf);
        spec_t sp2 = {.legs = 5, .per_block = 2};
        expect(small, &sp2, PF_OK, NULL);
        sp2.legs = 6;
        expect(small, &sp2, PF_ERR_TOO_LARGE, "booking.legs: array block at offset");
        fx_free(small);

        /* Depth limits the fast decoder does not handle: avro-c decodes, with the same results. */
        pf_codec_conf_t shallow = {.max_depth = PF_FASTDEC_MIN_DEPTH - 1};
        small = fx_new(&shallow);
        static wb_t w;
        spec_t sp3 = {.legs = 1};
        build(&w, &sp3);
        assert_int_equal(both(small, w.b, w.n, NULL, 0), PF_ERR_TOO_LARGE);
        assert_int_equal(pf_codec_fast_count(small->fast), 0);
        fx_free(small);
        shallow.max_depth = PF_FASTDEC_MIN_DEPTH;
        small = fx_new(&shallow);
        assert_int_equal(both(small, w.b, w.n, NULL, 0), PF_OK);
        assert_int_equal(pf_codec_fast_count(small->fast), 1);
        fx_free(small);
}

static void test_scalars(void **state) {
        fx_t *fx = *state;
        spec_t sp = {.legs = 1};
        static const struct {
                const char *bytes;
                size_t n;
                pf_err_t code;
                const char *reason;
        } ints[] = {
                {"\x02", 1, PF_OK, NULL},
                {"\xfe\xff\xff\xff\x0f", 5, PF_OK, NULL}, /* INT32_MAX */
                {"\xff\xff\xff\xff\x0f", 5, PF_OK, NULL}, /* INT32_MIN */
                {"\x80\x80\x80\x80\x10", 5, PF_ERR_BAD_VARINT,
                 "booking.bag_count: int varint at offset"},
                {"\x80\x80\x80\x80\x80\x01", 6, PF_ERR_BAD_VARINT, "longer than 5 bytes"},
                {"\x80\x80\x80\x80\x00", 5, PF_OK, NULL}, /* over-long but fits */
        };
        for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
                sp.bags = (const uint8_t *)ints[i].bytes;
                sp.bags_len = ints[i].n;
                expect(fx, &sp, ints[i].code, ints[i].reason);
        }
        sp.bags = NULL;
        sp.card = 1; /* false */
        expect(fx, &sp, PF_OK, NULL);
        sp.card = 2; /* true */
        expect(fx, &sp, PF_OK, NULL);
        sp.card = 3;
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "booking.card_holder_is_traveller: boolean byte");
        sp.card = 256;
        expect(fx, &sp, PF_ERR_INVALID_VALUE, "neither 0 nor 1");
        sp.card = 0;

        /* Odd UTF-8 in the surname, and valid non-ASCII. */
        static const char *names[] = {
                "\xc0\x80", "\xed\xa0\x80",     "\xf4\x90\x80\x80", "a\xe2\x82",
                "\x80",     "\xf5\x80\x80\x80", "\xe0\x9f\x80",     "\xf0\x8f\x80\x80"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                sp.surname = names[i];
                expect(fx, &sp, PF_ERR_BAD_UTF8, "traveller.surname: string of");
        }
        static const char *good[] = {"Müller",           "Иванов",           "Παπαδόπουλος", "محمد",
                                     "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf"};
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                sp.surname = good[i];
                expect(fx, &sp, PF_OK, NULL);
        }
}

/** Single bytes and cuts at every position of a good message: the same code and reason. */
static void test_every_position(void **state) {
        fx_t *fx = *state;
        static wb_t w;
        static uint8_t m[sizeof(w.b)];
        static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x0b, 0x7f, 0x80, 0xc0, 0xff};
        for (int version = 1; version <= 2; version++) {
                spec_t sp = {.version = version,
                             .legs = 3,
                             .per_block = 2,
                             .negative = version == 2,
                             .card = 1};
                build(&w, &sp);
                for (size_t at = PF_WIRE_HEADER; at <= w.n; at++) {
                        both(fx, w.b, at, NULL, 0);
                        if (at == w.n)
                                break;
                        for (size_t v = 0; v < sizeof(vals); v++) {
                                memcpy(m, w.b, w.n);
                                m[at] = vals[v];
                                both(fx, m, w.n, NULL, 0);
                        }
                }
                memcpy(m, w.b, w.n);
                m[w.n] = 0;
                char reason[256];
                assert_int_equal(both(fx, m, w.n + 1, reason, sizeof(reason)),
                                 PF_ERR_TRAILING_BYTES);
                assert_non_null(strstr(reason, "(root): 1 trailing byte(s)"));
        }
}

/* ------------------------------------------------------------------ registry writers */

/** Schemas served by id (the last path segment of the request). */
typedef struct served_s {
        int32_t id;
        char *json;
} served_t;

static served_t served[8];

static pf_err_t serve_http(void *opaque, const pf_registry_http_req_t *req, long *status,
                           char **body, size_t *body_len, char *errstr, size_t errstr_size) {
        (void)opaque;
        (void)errstr;
        (void)errstr_size;
        const char *slash = strrchr(req->url, '/');
        long id = slash ? strtol(slash + 1, NULL, 10) : -1;
        *status = 404;
        *body = NULL;
        for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
                if (served[i].json && served[i].id == id) {
                        json_t *j = json_pack("{s:s}", "schema", served[i].json);
                        *body = json_dumps(j, JSON_COMPACT);
                        json_decref(j);
                        *status = 200;
                }
        }
        if (!*body) {
                *body = malloc(3);
                memcpy(*body, "{}", 3);
        }
        *body_len = strlen(*body);
        return PF_OK;
}

/** The shipped JSON of PassengerEvent @p version, edited by @p edit (may be NULL). */
static char *shipped_json(fx_t *fx, int version, void (*edit)(json_t *root)) {
        const pf_schema_src_t *src;
        assert_non_null(pf_schemas_get(
                fx->schemas, pf_schemas_id_of(fx->schemas, "PassengerEvent", version), &src));
        json_t *root = json_loads(src->json, 0, NULL);
        assert_non_null(root);
        if (edit)
                edit(root);
        char *text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(root);
        return text;
}

/** Docs gone, the namespace spelt into the name: another text, the same canonical form. */
static void edit_respell(json_t *root) {
        json_object_del(root, "doc");
        json_object_del(root, "namespace");
        json_object_set_new(root, "name", json_string("org.paxflow.PassengerEvent"));
}

/** One more optional field at the end: another layout, for avro-c. */
static void edit_extra_field(json_t *root) {
        json_array_append_new(json_object_get(root, "fields"),
                              json_pack("{s:s, s:[s,s], s:n}", "name", "note", "type", "null",
                                        "string", "default"));
}

/** The Source enum's symbols swapped: resolution maps them by name, so avro-c must decode. */
static void edit_swap_symbols(json_t *root) {
        json_t *source =
                json_object_get(json_array_get(json_object_get(root, "fields"), 1), "type");
        json_object_set_new(source, "symbols", json_pack("[s,s]", "PNR", "API"));
}

static void test_registry_writers(void **state) {
        fx_t *fx = *state;
        char errstr[256];
        pf_registry_conf_t rconf = {.url = "http://registry.invalid", .http = serve_http};
        pf_registry_t *reg = pf_registry_new(&rconf, errstr, sizeof(errstr));
        assert_non_null(reg);
        pf_codec_set_registry(fx->fast, reg);
        pf_codec_set_registry(fx->slow, reg);
        static const struct {
                int32_t id;
                int version;
                void (*edit)(json_t *root);
                int fast; /* must the fast decoder take it? */
        } cases[] = {
                {501, 1, edit_respell, 1},
                {502, 2, edit_respell, 1},
                {503, 2, NULL, 1},
                {504, 2, edit_extra_field, 0},
                {505, 2, edit_swap_symbols, 0},
                {506, 1, edit_swap_symbols, 0},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                served[i].id = cases[i].id;
                served[i].json = shipped_json(fx, cases[i].version, cases[i].edit);
        }
        static wb_t w;
        static uint8_t m[sizeof(w.b)];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                spec_t sp = {.version = cases[i].version, .legs = 2, .card = 2};
                build(&w, &sp);
                pf_wire_header(w.b, cases[i].id);
                if (cases[i].edit == edit_extra_field) {
                        static const uint8_t note[] = {0x02, 0x04, 'h', 'i'};
                        memcpy(w.b + w.n, note, sizeof(note));
                        w.n += sizeof(note);
                }
                /* The first message fetches the writer (through avro-c); the rest are decided. */
                assert_int_equal(both(fx, w.b, w.n, NULL, 0), PF_OK);
                uint64_t before = pf_codec_fast_count(fx->fast);
                assert_int_equal(both(fx, w.b, w.n, NULL, 0), PF_OK);
                for (size_t at = PF_WIRE_HEADER; at < w.n; at++) {
                        memcpy(m, w.b, w.n);
                        m[at] ^= (uint8_t)(1u << (at % 8));
                        both(fx, m, w.n, NULL, 0);
                        both(fx, w.b, at, NULL, 0);
                }
                uint64_t took = pf_codec_fast_count(fx->fast) - before;
                if (cases[i].fast)
                        assert_int_equal(took, 1 + 2 * (w.n - PF_WIRE_HEADER));
                else
                        assert_int_equal(took, 0);
        }
        pf_codec_set_registry(fx->fast, NULL);
        pf_codec_set_registry(fx->slow, NULL);
        pf_registry_destroy(reg);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                free(served[i].json);
                served[i].json = NULL;
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_canonical_forms, setup, teardown),
                cmocka_unit_test_setup_teardown(test_canonical_rules, setup, teardown),
                cmocka_unit_test_setup_teardown(test_values_the_event_cannot_hold, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blocks_and_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
                cmocka_unit_test_setup_teardown(test_every_position, setup, teardown),
                cmocka_unit_test_setup_teardown(test_registry_writers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_generated_file, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
