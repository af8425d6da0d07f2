/**
 * @file test_gen_cli.c
 * @brief The generator's PassengerEvent writer against avro-c, and its watchlist against the
 *        watchlist loader and the screener (workers/gen_cli.c, workers/gen.c).
 *
 * pf_gen_encode_event() must write exactly the bytes of pf_codec_encode_event() (avro-c, the
 * authority): every event of generated runs (both schema versions, every planted shape:
 * inbound flights, multi-city itineraries, shared bookings, second passports) and hand-made edge
 * cases (empty and full-length strings, 16+ legs, extreme numbers, every enum value) are
 * compared byte for byte, and decoded back.
 *
 * The generated watchlist must load (pf_watchlist_load_file()), and the planted entries must
 * match their travellers' events: the document entry on every event carrying the document,
 * the exact name entry with a confidence of at least 0.85 on every event of its traveller.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "gen.h"
#include "gen_cli.h"
#include "screen.h"
#include "watchlist.h"

typedef struct fixture_s {
        pf_schemas_t *schemas;
        pf_codec_t *codec;
        int32_t id[2];
        pf_event_t back;
        uint8_t buf[PF_GEN_ENCODED_MAX];
        char errstr[256];
        size_t events, versions[2], inbound, multi, shapes;
} fixture_t;

static fixture_t *fixture_new(void) {
        fixture_t *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->schemas = pf_schemas_new(f->errstr, sizeof(f->errstr));
        assert_non_null(f->schemas);
        f->codec = pf_codec_new(f->schemas, NULL, f->errstr, sizeof(f->errstr));
        assert_non_null(f->codec);
        f->id[0] = pf_schemas_id_of(f->schemas, "PassengerEvent", 1);
        f->id[1] = pf_schemas_id_of(f->schemas, "PassengerEvent", 2);
        assert_true(f->id[0] > 0 && f->id[1] > 0);
        return f;
}

static void fixture_free(fixture_t *f) {
        pf_codec_destroy(f->codec);
        pf_schemas_destroy(f->schemas);
        free(f);
}

/** Encodes @p ev both ways; fails on the first differing byte. @returns the length. */
static size_t same_bytes(fixture_t *f, const pf_event_t *ev, int version) {
        const uint8_t *ref;
        size_t ref_len, len, i;

        assert_int_equal(pf_codec_encode_event(f->codec, ev, version, &ref, &ref_len), PF_OK);
        len = pf_gen_encode_event(ev, f->id[version - 1], version, f->buf, sizeof(f->buf));
        assert_true(len > 0);
        for (i = 0; i < len && i < ref_len; i++)
                if (f->buf[i] != ref[i])
                        fail_msg("event %s, version %d: byte %zu is 0x%02x, avro-c wrote 0x%02x",
                                 ev->event_id, version, i, f->buf[i], ref[i]);
        assert_int_equal(len, ref_len);
        return len;
}

/* ---- every event of generated runs ---- */

static int on_event(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                    int version) {
        fixture_t *f = opaque;
        size_t len;

        (void)topic;
        (void)key;
        len = same_bytes(f, ev, version);
        f->events++;
        f->versions[version - 1]++;
        f->inbound += ev->flight.direction == PF_DIR_INBOUND;
        f->multi += ev->has_booking && ev->booking.trip_type == PF_TRIP_MULTI_CITY;
        /* every 7th event is decoded back: the bytes are a PassengerEvent the worker reads */
        if (f->events % 7 == 0) {
                assert_int_equal(pf_codec_decode_event(f->codec, f->buf, len, &f->back, f->errstr,
                                                       sizeof(f->errstr)),
                                 PF_OK);
                assert_string_equal(f->back.event_id, ev->event_id);
                assert_int_equal(f->back.sent_at, ev->sent_at);
                assert_int_equal(f->back.has_booking, ev->has_booking);
        }
        return 0;
}

static void test_generated_events(void **state) {
        static const double v1[] = {0.0, 0.5, 1.0};
        fixture_t *f = fixture_new();
        pf_gen_sink_t sink = {.opaque = f, .event = on_event};
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
                pf_gen_conf_t conf;

                pf_gen_conf_defaults(&conf);
                conf.seed = 1000 + i;
                conf.hours = 2;
                conf.flights_per_hour = 12;
                conf.pax_per_flight = 60;
                conf.v1_share = v1[i];
                assert_int_equal(pf_gen_run(&conf, &sink, NULL, f->errstr, sizeof(f->errstr)),
                                 PF_OK);
        }
        assert_true(f->events > 20000);
        assert_true(f->versions[0] > 5000 && f->versions[1] > 5000);
        assert_true(f->inbound > 0); /* planted arrivals at the hub (rule 6) */
        assert_true(f->multi > 0);   /* planted multi-city itineraries (rule 6) */
        fixture_free(f);
}

/* ---- edge cases ---- */

static void fill(char *dst, size_t size, size_t len, char c) {
        memset(dst, c, len);
        dst[len] = '\0';
        (void)size;
}

static void test_edge_cases(void **state) {
        fixture_t *f = fixture_new();
        pf_event_t *ev = calloc(1, sizeof(*ev));
        static const int64_t longs[] = {
                0,    1,    -1,        63,        64,        -64,       -65,
                8191, 8192, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, 1796018400000LL};
        static const size_t lens[] = {0, 1, 2, 62, 63, 64, 65, 126, 127};
        size_t i, k, len;

        (void)state;
        assert_non_null(ev);
        /* An empty event: no document, no booking, every string empty. */
        pf_event_clear(ev);
        for (k = 1; k <= 2; k++)
                same_bytes(f, ev, (int)k);
        /* Numbers at the varint boundaries, in every long field. */
        for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
                pf_event_clear(ev);
                snprintf(ev->event_id, sizeof(ev->event_id), "edge-%zu", i);
                ev->sent_at = longs[i];
                ev->flight.scheduled_departure = longs[i];
                ev->flight.scheduled_arrival = (int64_t)(0 - (uint64_t)longs[i]);
                ev->has_document = true;
                ev->document.issue_date = (int32_t)longs[i];
                ev->document.expiry_date = PF_DATE_NONE;
                ev->has_booking = true;
                ev->booking.booked_at = longs[i];
                ev->booking.co_traveller_count = (int32_t)longs[i];
                ev->booking.bag_count = -(int32_t)(longs[i] & 0x7fffffff);
                ev->booking.bag_weight_kg = INT32_MIN;
                ev->booking.leg_count = 1;
                ev->booking.legs[0].departure = longs[i];
                ev->booking.legs[0].arrival = INT64_MAX - (longs[i] & 0xffff);
                for (k = 1; k <= 2; k++)
                        same_bytes(f, ev, (int)k);
        }
        /* String lengths around the one-byte length limit, in every string field. */
        for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
                size_t n = lens[i];

                pf_event_clear(ev);
                fill(ev->event_id, sizeof(ev->event_id), n < 63 ? n : 63, 'e');
                fill(ev->traveller.given_names, PF_NAME_MAX, n, 'g');
                fill(ev->traveller.surname, PF_NAME_MAX, n, 's');
                fill(ev->booking.contact_email, PF_CONTACT_MAX, n, 'm');
                fill(ev->booking.contact_phone, sizeof(ev->booking.contact_phone), n < 63 ? n : 63,
                     'p');
                fill(ev->booking.frequent_flyer_id, sizeof(ev->booking.frequent_flyer_id),
                     n < 31 ? n : 31, 'f');
                fill(ev->booking.agency_id, sizeof(ev->booking.agency_id), n < 15 ? n : 15, 'a');
                fill(ev->document.number, PF_DOCNUM_MAX, n < 31 ? n : 31, 'd');
                fill(ev->traveller.date_of_birth, PF_DOB_MAX, n < 10 ? n : 10, '1');
                ev->has_document = n % 2 == 0;
                ev->has_booking = true;
                ev->booking.card_holder_is_traveller = (int8_t)((int)(n % 3) - 1);
                for (k = 1; k <= 2; k++)
                        same_bytes(f, ev, (int)k);
        }
        /* Every enum value. */
        for (i = 0; i < 6; i++) {
                pf_event_clear(ev);
                ev->source = (pf_source_t)(i % 2);
                ev->push_kind = (pf_push_kind_t)i;
                ev->flight.direction = (pf_direction_t)(i % 2);
                ev->traveller.gender = (pf_gender_t)(i % 4);
                ev->has_document = true;
                ev->document.type = (pf_doc_type_t)(i % 5);
                ev->has_booking = true;
                ev->booking.payment_type = (pf_payment_t)i;
                ev->booking.trip_type = (pf_trip_type_t)(i % 3);
                for (k = 1; k <= 2; k++)
                        same_bytes(f, ev, (int)k);
        }
        /* The largest event: every string full, 16 legs (and a count beyond: legs are capped). */
        pf_event_clear(ev);
        fill(ev->event_id, sizeof(ev->event_id), sizeof(ev->event_id) - 1, 'e');
        fill(ev->carrier, sizeof(ev->carrier), 3, 'C');
        fill(ev->flight.number, sizeof(ev->flight.number), 7, '9');
        fill(ev->traveller.given_names, PF_NAME_MAX, PF_NAME_MAX - 1, 'g');
        fill(ev->traveller.surname, PF_NAME_MAX, PF_NAME_MAX - 1, 's');
        fill(ev->traveller.date_of_birth, PF_DOB_MAX, PF_DOB_MAX - 1, '1');
        fill(ev->traveller.nationality, 4, 3, 'N');
        fill(ev->traveller.residence, 4, 3, 'R');
        ev->has_document = true;
        fill(ev->document.number, PF_DOCNUM_MAX, PF_DOCNUM_MAX - 1, 'd');
        ev->document.issue_date = INT32_MAX;
        ev->document.expiry_date = INT32_MIN + 1;
        ev->has_booking = true;
        ev->booking.booked_at = INT64_MIN;
        ev->booking.card_holder_is_traveller = 1;
        fill(ev->booking.record_locator, 8, 7, 'L');
        fill(ev->booking.agency_id, 16, 15, 'a');
        fill(ev->booking.agency_country, 4, 3, 'A');
        for (i = 0; i < PF_LEGS_MAX; i++) {
                pf_leg_t *l = &ev->booking.legs[i];

                fill(l->carrier, 4, 3, 'c');
                fill(l->flight_number, 8, 7, '7');
                fill(l->origin_airport, 4, 3, 'o');
                fill(l->origin_country, 4, 3, 'O');
                fill(l->destination_airport, 4, 3, 'd');
                fill(l->destination_country, 4, 3, 'D');
                l->departure = INT64_MIN;
                l->arrival = INT64_MAX;
        }
        ev->booking.co_traveller_count = INT32_MIN;
        ev->booking.bag_count = INT32_MIN;
        ev->booking.bag_weight_kg = INT32_MIN;
        fill(ev->booking.contact_phone, 64, 63, 'p');
        fill(ev->booking.contact_email, PF_CONTACT_MAX, PF_CONTACT_MAX - 1, 'm');
        fill(ev->booking.frequent_flyer_id, 32, 31, 'f');
        ev->sent_at = INT64_MIN;
        ev->flight.scheduled_departure = INT64_MIN;
        ev->flight.scheduled_arrival = INT64_MIN;
        for (k = 0; k < 2; k++) {
                ev->booking.leg_count = k == 0 ? PF_LEGS_MAX : PF_LEGS_MAX + 5;
                len = same_bytes(f, ev, 2);
                assert_true(len <= PF_GEN_ENCODED_MAX);
                same_bytes(f, ev, 1);
        }
        /* Too small a buffer, a version that does not exist. */
        assert_int_equal(pf_gen_encode_event(ev, f->id[1], 2, f->buf, PF_GEN_ENCODED_MAX - 1), 0);
        assert_int_equal(pf_gen_encode_event(ev, f->id[1], 3, f->buf, sizeof(f->buf)), 0);
        free(ev);
        fixture_free(f);
}

/* ---- the generated watchlist: it loads, and its planted entries match ---- */

typedef struct wl_run_s {
        FILE *wl;
        json_t *truth;  /* array of truth lines */
        json_t *events; /* event id -> index into evs */
        pf_event_t *evs;
        size_t nevs, cap;
} wl_run_t;

static int wl_event(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                    int version) {
        wl_run_t *r = opaque;

        (void)topic;
        (void)key;
        (void)version;
        if (r->nevs == r->cap) {
                r->cap = r->cap ? r->cap * 2 : 8192;
                r->evs = realloc(r->evs, r->cap * sizeof(*r->evs));
                assert_non_null(r->evs);
        }
        memcpy(&r->evs[r->nevs], ev, sizeof(*ev));
        json_object_set_new(r->events, ev->event_id, json_integer((json_int_t)r->nevs));
        r->nevs++;
        return 0;
}

static int wl_truth(void *opaque, const char *line) {
        wl_run_t *r = opaque;
        json_t *o = json_loads(line, 0, NULL);

        assert_non_null(o);
        json_array_append_new(r->truth, o);
        return 0;
}

static int wl_line(void *opaque, const char *line) {
        wl_run_t *r = opaque;

        assert_true(fprintf(r->wl, "%s\n", line) > 0);
        return 0;
}

static void test_watchlist(void **state) {
        char path[] = "/tmp/test_gen_cli_wl.XXXXXX", errstr[256];
        wl_run_t r = {0};
        pf_gen_sink_t sink = {
                .opaque = &r, .event = wl_event, .truth = wl_truth, .watchlist = wl_line};
        pf_gen_conf_t conf;
        pf_watchlist_t *wl;
        pf_screener_t *scr;
        pf_result_t *res = calloc(1, sizeof(*res));
        size_t loaded = 0, i, checked[3] = {0, 0, 0};
        json_t *line;
        int fd = mkstemp(path);

        (void)state;
        assert_true(fd >= 0);
        assert_non_null(res);
        r.wl = fdopen(fd, "w");
        r.truth = json_array();
        r.events = json_object();
        pf_gen_conf_defaults(&conf);
        conf.seed = 77;
        conf.flights_per_hour = 10;
        conf.pax_per_flight = 60;
        assert_int_equal(pf_gen_run(&conf, &sink, NULL, errstr, sizeof(errstr)), PF_OK);
        assert_int_equal(fclose(r.wl), 0);

        wl = pf_watchlist_new(errstr, sizeof(errstr));
        assert_non_null(wl);
        assert_int_equal(pf_watchlist_load_file(wl, path, NULL, NULL, &loaded), PF_OK);
        assert_int_equal(loaded, PF_GEN_PLANTED_PER_KIND * 3 + (size_t)conf.watchlist_decoys);
        scr = pf_screener_new(wl, 0.85, errstr, sizeof(errstr));
        assert_non_null(scr);
        json_array_foreach(r.truth, i, line) {
                const char *rule = json_string_value(json_object_get(line, "rule"));
                const char *entry = json_string_value(json_object_get(line, "entry_id"));
                int fuzzy = json_is_false(json_object_get(line, "deterministic"));
                json_t *id;
                size_t j;

                if (rule == NULL || entry == NULL)
                        continue;
                json_array_foreach(json_object_get(line, "must_hit"), j, id) {
                        json_t *at = json_object_get(r.events, json_string_value(id));
                        const pf_event_t *ev;
                        uint32_t m;
                        int found = 0;

                        assert_non_null(at);
                        ev = &r.evs[json_integer_value(at)];
                        memset(res, 0, sizeof(*res));
                        assert_int_equal(pf_screen_event(scr, ev, res), PF_OK);
                        for (m = 0; m < res->match_count; m++)
                                if (strcmp(res->matches[m].entry_id, entry) == 0) {
                                        found = 1;
                                        if (strcmp(rule, "R01") == 0)
                                                assert_int_equal(res->matches[m].kind,
                                                                 PF_MATCH_DOCUMENT);
                                        else
                                                assert_true(res->matches[m].confidence >= 0.85);
                                }
                        if (!found && !fuzzy)
                                fail_msg("%s: entry %s does not match event %s", rule, entry,
                                         json_string_value(id));
                        checked[strcmp(rule, "R01") == 0 ? 0 : fuzzy ? 2 : 1]++;
                }
        }
        assert_true(checked[0] >= PF_GEN_PLANTED_PER_KIND * 2); /* two trips each */
        assert_true(checked[1] >= PF_GEN_PLANTED_PER_KIND);
        assert_true(checked[2] >= PF_GEN_PLANTED_PER_KIND);
        pf_screener_destroy(scr);
        pf_watchlist_destroy(wl);
        unlink(path);
        json_decref(r.truth);
        json_decref(r.events);
        free(r.evs);
        free(res);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_generated_events),
                cmocka_unit_test(test_edge_cases),
                cmocka_unit_test(test_watchlist),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
