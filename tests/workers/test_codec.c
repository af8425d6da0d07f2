/**
 * @file test_codec.c
 * @brief Wire format and Avro codec: round trips, schema resolution, and every kind of bad input.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"

static void sample_event(pf_event_t *ev) {
        pf_event_clear(ev);
        snprintf(ev->event_id, sizeof(ev->event_id), "ev-1");
        ev->source = PF_SOURCE_PNR;
        ev->push_kind = PF_PUSH_T24H;
        ev->sent_at = 1764482400000LL;
        snprintf(ev->carrier, sizeof(ev->carrier), "LH");
        snprintf(ev->flight.number, sizeof(ev->flight.number), "400");
        snprintf(ev->flight.origin_airport, 4, "FRA");
        snprintf(ev->flight.origin_country, 4, "DEU");
        snprintf(ev->flight.destination_airport, 4, "JFK");
        snprintf(ev->flight.destination_country, 4, "USA");
        ev->flight.scheduled_departure = 1764568800000LL;
        ev->flight.scheduled_arrival = 1764600000000LL;
        ev->flight.direction = PF_DIR_OUTBOUND;
        snprintf(ev->traveller.given_names, PF_NAME_MAX, "Zoë Anne");
        snprintf(ev->traveller.surname, PF_NAME_MAX, "Müller");
        snprintf(ev->traveller.date_of_birth, PF_DOB_MAX, "1980-02");
        ev->traveller.gender = PF_GENDER_F;
        snprintf(ev->traveller.nationality, 4, "DEU");
        snprintf(ev->traveller.residence, 4, "AUT");
        ev->has_document = true;
        ev->document.type = PF_DOC_PASSPORT;
        snprintf(ev->document.number, PF_DOCNUM_MAX, "C01X00T47");
        snprintf(ev->document.issuing_country, 4, "DEU");
        ev->document.expiry_date = 21000;
        ev->has_booking = true;
        snprintf(ev->booking.record_locator, 8, "ABC123");
        ev->booking.booked_at = 1760000000000LL;
        ev->booking.payment_type = PF_PAY_CARD;
        ev->booking.card_holder_is_traveller = 0;
        ev->booking.trip_type = PF_TRIP_RETURN;
        ev->booking.leg_count = 2;
        snprintf(ev->booking.legs[0].carrier, 4, "LH");
        snprintf(ev->booking.legs[0].destination_country, 4, "USA");
        ev->booking.legs[0].departure = ev->flight.scheduled_departure;
        snprintf(ev->booking.legs[1].carrier, 4, "UA");
        snprintf(ev->booking.legs[1].origin_country, 4, "USA");
        ev->booking.bag_count = 1;
        ev->booking.bag_weight_kg = 20;
        snprintf(ev->booking.contact_email, PF_CONTACT_MAX, "z@example.org");
        snprintf(ev->booking.frequent_flyer_id, 32, "FF1");
}

typedef struct fixture_s {
        pf_schemas_t *schemas;
        pf_codec_t *codec;
        pf_event_t ev, out;
        uint8_t buf[8192];
        char errstr[256];
} fixture_t;

static int setup(void **state) {
        fixture_t *f = calloc(1, sizeof(*f));
        f->schemas = pf_schemas_new(f->errstr, sizeof(f->errstr));
        assert_non_null(f->schemas);
        f->codec = pf_codec_new(f->schemas, NULL, f->errstr, sizeof(f->errstr));
        assert_non_null(f->codec);
        sample_event(&f->ev);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture_t *f = *state;
        pf_codec_destroy(f->codec);
        pf_schemas_destroy(f->schemas);
        free(f);
        return 0;
}

/** Encodes the fixture's event at @p version into f->buf. */
static size_t encode(fixture_t *f, int version) {
        const uint8_t *out;
        size_t len;
        assert_int_equal(pf_codec_encode_event(f->codec, &f->ev, version, &out, &len), PF_OK);
        memcpy(f->buf, out, len);
        return len;
}

static void test_round_trip_v2(void **state) {
        fixture_t *f = *state;
        size_t len = encode(f, 2);
        assert_int_equal(f->buf[0], 0);
        assert_int_equal(f->buf[4], 2);
        assert_int_equal(
                pf_codec_decode_event(f->codec, f->buf, len, &f->out, f->errstr, sizeof(f->errstr)),
                PF_OK);
        assert_memory_equal(&f->ev, &f->out, sizeof(f->ev));
}

/** A reader of version 2 reads version 1: the fields v1 lacks come back empty. */
static void test_v1_resolves(void **state) {
        fixture_t *f = *state;
        size_t len = encode(f, 1);
        assert_int_equal(f->buf[4], 1);
        assert_int_equal(
                pf_codec_decode_event(f->codec, f->buf, len, &f->out, f->errstr, sizeof(f->errstr)),
                PF_OK);
        assert_string_equal(f->out.traveller.residence, "");
        assert_string_equal(f->out.booking.frequent_flyer_id, "");
        assert_string_equal(f->out.traveller.surname, "Müller");
        assert_int_equal(f->out.booking.leg_count, 2);
        memset(f->ev.traveller.residence, 0, sizeof(f->ev.traveller.residence));
        memset(f->ev.booking.frequent_flyer_id, 0, sizeof(f->ev.booking.frequent_flyer_id));
        assert_memory_equal(&f->ev, &f->out, sizeof(f->ev));
}

static void expect_bad(fixture_t *f, const uint8_t *buf, size_t len, pf_err_t code) {
        f->errstr[0] = '\0';
        pf_err_t err =
                pf_codec_decode_event(f->codec, buf, len, &f->out, f->errstr, sizeof(f->errstr));
        assert_int_equal(err, code);
        assert_true(strlen(f->errstr) > 5);
        /* The reason names fields, never values. */
        assert_null(strstr(f->errstr, "Müller"));
        assert_null(strstr(f->errstr, "C01X00T47"));
}

static void test_bad_inputs(void **state) {
        fixture_t *f = *state;
        size_t len = encode(f, 2);
        uint8_t bad[8192];

        expect_bad(f, (const uint8_t *)"{\"json\":1}", 10, PF_ERR_NOT_WIRE_FORMAT);
        expect_bad(f, f->buf, 3, PF_ERR_NOT_WIRE_FORMAT);

        memcpy(bad, f->buf, len);
        pf_wire_header(bad, 9999);
        expect_bad(f, bad, len, PF_ERR_UNKNOWN_SCHEMA);
        pf_wire_header(bad, 10); /* a ScoredResult id */
        expect_bad(f, bad, len, PF_ERR_WRONG_SCHEMA);

        for (size_t cut = PF_WIRE_HEADER; cut < len; cut++) {
                pf_err_t err = pf_codec_decode_event(f->codec, f->buf, cut, &f->out, f->errstr,
                                                     sizeof(f->errstr));
                assert_true(err == PF_ERR_TRUNCATED || err == PF_ERR_BAD_LENGTH);
        }

        /* event_id length 1,000,000 (zig-zag varint 0x80 0x89 0x7a) in a short payload. */
        memcpy(bad, f->buf, PF_WIRE_HEADER);
        memcpy(bad + 5,
               "\x80\x89\x7a"
               "abc",
               6);
        expect_bad(f, bad, 11, PF_ERR_BAD_LENGTH);

        /* source enum index 9: after event_id "ev-1" (0x08 'e' 'v' '-' '1'). */
        memcpy(bad, f->buf, len);
        assert_int_equal(bad[5], 8);
        bad[10] = 18;
        expect_bad(f, bad, len, PF_ERR_BAD_ENUM);

        memcpy(bad, f->buf, len);
        bad[len] = 0;
        expect_bad(f, bad, len + 1, PF_ERR_TRAILING_BYTES);

        pf_event_t saved = f->ev;
        f->ev.traveller.surname[0] = '\0';
        len = encode(f, 2);
        expect_bad(f, f->buf, len, PF_ERR_MISSING_FIELD);
        assert_non_null(strstr(f->errstr, "traveller.surname"));
        f->ev = saved;
        f->ev.event_id[0] = '\0';
        len = encode(f, 2);
        expect_bad(f, f->buf, len, PF_ERR_MISSING_FIELD);
        f->ev = saved;
}

/** The union of traveller.date_of_birth with an out-of-range branch. */
static void test_bad_union(void **state) {
        fixture_t *f = *state;
        f->ev.traveller.date_of_birth[0] = '\0'; /* encodes the union as branch 0, one byte */
        size_t len = encode(f, 2);
        /* The dob union byte follows surname; locate "Müller" and skip it. */
        const uint8_t *p = memmem(f->buf, len, "M\xc3\xbcller", 7);
        assert_non_null(p);
        size_t at = (size_t)(p - f->buf) + 7;
        assert_int_equal(f->buf[at], 0);
        f->buf[at] = 14; /* branch 7 */
        expect_bad(f, f->buf, len, PF_ERR_BAD_UNION);
        f->buf[at] = 1; /* branch -1 */
        expect_bad(f, f->buf, len, PF_ERR_BAD_UNION);
}

static void test_too_long_field(void **state) {
        fixture_t *f = *state;
        /* A 70-byte event_id is valid Avro but longer than the 63 the struct allows. */
        uint8_t big[512];
        size_t len = encode(f, 2);
        size_t tail = len - 10; /* bytes after "ev-1" */
        pf_wire_header(big, 2);
        big[5] = 0x8c; /* zig-zag 70 = 140, a two-byte varint */
        big[6] = 0x01;
        memset(big + 7, 'x', 70);
        memcpy(big + 77, f->buf + 10, tail);
        expect_bad(f, big, 77 + tail, PF_ERR_INVALID_VALUE);
        assert_non_null(strstr(f->errstr, "event_id"));
}

static void test_result_and_dead_letter(void **state) {
        fixture_t *f = *state;
        pf_result_t res;
        memset(&res, 0, sizeof(res));
        snprintf(res.event_id, sizeof(res.event_id), "ev-9");
        snprintf(res.traveller_ref, sizeof(res.traveller_ref), "00112233445566778899aabbccddeeff");
        res.score = 45;
        res.band = PF_BAND_MEDIUM;
        res.hit_count = 1;
        snprintf(res.hits[0].rule_id, 16, "R13");
        snprintf(res.hits[0].reason, PF_REASON_MAX, "4 trips to USA within 30 days");
        const uint8_t *out;
        size_t len;
        char *json = NULL;
        assert_int_equal(pf_codec_encode_result(f->codec, &res, &out, &len), PF_OK);
        memcpy(f->buf, out, len);
        assert_int_equal(
                pf_codec_to_json(f->codec, f->buf, len, &json, f->errstr, sizeof(f->errstr)),
                PF_OK);
        assert_non_null(strstr(json, "\"band\":\"MEDIUM\""));
        assert_non_null(strstr(json, "\"rule_id\":\"R13\""));
        free(json);

        pf_dead_letter_t dl = {.topic = "t",
                               .partition = 2,
                               .offset = 77,
                               .value = "\x01\xff",
                               .value_len = 2,
                               .code = PF_ERR_BAD_ENUM,
                               .reason = "source: bad",
                               .stage = "stage1",
                               .failed_at = 1};
        assert_int_equal(pf_codec_encode_dead_letter(f->codec, &dl, &out, &len), PF_OK);
        memcpy(f->buf, out, len);
        assert_int_equal(
                pf_codec_to_json(f->codec, f->buf, len, &json, f->errstr, sizeof(f->errstr)),
                PF_OK);
        assert_non_null(strstr(json, "\"original_value\":\"01ff\""));
        assert_non_null(strstr(json, "\"error_code\":\"BAD_ENUM\""));
        assert_non_null(strstr(json, "\"offset\":77"));
        free(json);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip_v2, setup, teardown),
                cmocka_unit_test_setup_teardown(test_v1_resolves, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_inputs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_union, setup, teardown),
                cmocka_unit_test_setup_teardown(test_too_long_field, setup, teardown),
                cmocka_unit_test_setup_teardown(test_result_and_dead_letter, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
