/**
 * @file test_ruleeval.c
 * @brief The default rule set on events and multi-trip histories: each of the 18 catalogue
 *        rules fires on its case and stays silent on its near miss (table-driven), caps, and a
 *        microbenchmark (ns per event, printed, not asserted).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ruleeval.h"

#define H  (3600LL * 1000)
#define D  (24 * H)
#define T0 1764489600000LL /* 2025-11-30T08:00Z */

/** One scenario: the event, the history and the watchlist matches a rule sees. */
typedef struct scn_s {
        pf_event_t ev;
        pf_hist_t hist;
        pf_match_t matches[2];
        uint32_t match_count;
        uint64_t contacts[PF_HIST_CONTACT__COUNT];
} scn_t;

static pf_trip_t trip_at(int64_t dep, const char *flight, const char *from, const char *fc,
                         const char *to, const char *tc) {
        pf_trip_t trip;
        memset(&trip, 0, sizeof(trip));
        trip.departure_ms = dep;
        snprintf(trip.carrier, 4, "LH");
        snprintf(trip.flight_number, 8, "%s", flight);
        snprintf(trip.origin_airport, 4, "%s", from);
        snprintf(trip.origin_country, 4, "%s", fc);
        snprintf(trip.destination_airport, 4, "%s", to);
        snprintf(trip.destination_country, 4, "%s", tc);
        trip.direction = 1;
        trip.flags = PF_TRIP_FLAG_PNR;
        return trip;
}

/** A benign event (no rule fires) whose trip is in the history. */
static void scn_base(scn_t *s) {
        pf_event_t *ev = &s->ev;
        memset(s, 0, sizeof(*s));
        pf_event_clear(ev);
        snprintf(ev->event_id, sizeof(ev->event_id), "e");
        ev->source = PF_SOURCE_PNR;
        ev->push_kind = PF_PUSH_T72H;
        ev->sent_at = T0 - 72 * H;
        snprintf(ev->carrier, 4, "LH");
        snprintf(ev->flight.number, 8, "1");
        snprintf(ev->flight.origin_airport, 4, "FRA");
        snprintf(ev->flight.origin_country, 4, "DEU");
        snprintf(ev->flight.destination_airport, 4, "CDG");
        snprintf(ev->flight.destination_country, 4, "FRA");
        ev->flight.scheduled_departure = T0;
        ev->flight.direction = PF_DIR_OUTBOUND;
        snprintf(ev->traveller.surname, PF_NAME_MAX, "CANARYSURNAME");
        ev->has_document = true;
        ev->document.issue_date = (int32_t)(T0 / D) - 1000;
        ev->document.expiry_date = (int32_t)(T0 / D) + 1000;
        ev->has_booking = true;
        ev->booking.booked_at = T0 - 30 * D;
        ev->booking.payment_type = PF_PAY_CARD;
        ev->booking.card_holder_is_traveller = 1;
        ev->booking.trip_type = PF_TRIP_RETURN;
        ev->booking.bag_count = 1;
        ev->booking.leg_count = 2;
        pf_leg_t *l = ev->booking.legs;
        snprintf(l[0].origin_airport, 4, "FRA");
        snprintf(l[0].origin_country, 4, "DEU");
        snprintf(l[0].destination_airport, 4, "CDG");
        snprintf(l[0].destination_country, 4, "FRA");
        l[0].departure = T0;
        l[0].arrival = T0 + 1 * H;
        l[1] = l[0];
        snprintf(l[1].origin_airport, 4, "CDG");
        snprintf(l[1].origin_country, 4, "FRA");
        snprintf(l[1].destination_airport, 4, "FRA");
        snprintf(l[1].destination_country, 4, "DEU");
        l[1].departure = T0 + 3 * D;
        l[1].arrival = T0 + 3 * D + H;
        pf_hist_init(&s->hist);
        pf_trip_t cur = trip_at(T0, "1", "FRA", "DEU", "CDG", "FRA");
        pf_hist_add_trip(&s->hist, &cur, 400 * D);
        pf_hist_add_doc(&s->hist, 11);
        pf_hist_add_nationality(&s->hist, "DEU");
}

static void add_trips(scn_t *s, int n, int64_t spacing, const char *to, const char *tc,
                      uint8_t flags, uint8_t companion) {
        for (int i = 1; i <= n; i++) {
                char fl[12];
                snprintf(fl, sizeof(fl), "%d", 100 + i);
                pf_trip_t t = trip_at(T0 - i * spacing, fl, "FRA", "DEU", to, tc);
                t.flags |= flags;
                t.companion_hit = companion;
                pf_hist_add_trip(&s->hist, &t, 400 * D);
        }
}

/* Setups: "f" fires, "n" the near miss that must not. */
static void r01f(scn_t *s) {
        s->match_count = 1;
        snprintf(s->matches[0].entry_id, 64, "WL-1");
        snprintf(s->matches[0].list, 32, "UN");
        s->matches[0].kind = PF_MATCH_DOCUMENT;
        s->matches[0].confidence = 1.0;
}
static void r01n(scn_t *s) {
        r01f(s);
        s->matches[0].kind = PF_MATCH_NAME_DOB;
        s->matches[0].confidence = 0.5;
}
static void r02f(scn_t *s) {
        r01f(s);
        s->matches[0].kind = PF_MATCH_NAME_DOB;
        s->matches[0].confidence = 0.93;
}
static void r02n(scn_t *s) {
        r02f(s);
        s->matches[0].confidence = 0.80;
}
static void r03f(scn_t *s) {
        s->ev.booking.booked_at = T0 - 20 * H;
}
static void r03n(scn_t *s) {
        s->ev.booking.booked_at = T0 - 49 * H;
}
static void r04f(scn_t *s) {
        s->ev.booking.payment_type = PF_PAY_CASH;
        s->ev.booking.booked_at = T0 - 5 * D;
}
static void r04n(scn_t *s) {
        s->ev.booking.payment_type = PF_PAY_CASH;
}
static void r05f(scn_t *s) {
        s->ev.booking.trip_type = PF_TRIP_ONE_WAY;
}
static void r05n(scn_t *s) {
        s->ev.booking.trip_type = PF_TRIP_MULTI_CITY;
}
static void r06f(scn_t *s) { /* arrived at FRA yesterday on another booking */
        pf_trip_t t = trip_at(T0 - 20 * H, "9", "IST", "TUR", "FRA", "DEU");
        t.booking_digest = 77;
        s->ev.booking.record_locator[0] = 'X';
        pf_hist_add_trip(&s->hist, &t, 400 * D);
}
static void r06n(scn_t *s) { /* same booking: a normal connection */
        r06f(s);
}
static void r07f(scn_t *s) {
        snprintf(s->ev.booking.legs[0].destination_country, 4, "SYR");
}
static void r07n(scn_t *s) {
        snprintf(s->ev.booking.legs[0].destination_country, 4, "ESP");
}
static void r08f(scn_t *s) {
        s->ev.push_kind = PF_PUSH_CHECKIN;
        s->ev.sent_at = T0 - 30 * 60 * 1000;
}
static void r08n(scn_t *s) {
        s->ev.push_kind = PF_PUSH_CHECKIN;
        s->ev.sent_at = T0 - 3 * H;
}
static void r09f(scn_t *s) {
        s->ev.booking.bag_count = 0;
        s->ev.booking.legs[1].departure = T0 + 10 * D;
        s->ev.booking.legs[1].arrival = T0 + 10 * D + H;
}
static void r09n(scn_t *s) {
        s->ev.booking.bag_count = 0;
}
static void r10f(scn_t *s) {
        s->ev.booking.card_holder_is_traveller = 0;
}
static void r10n(scn_t *s) {
        s->ev.booking.card_holder_is_traveller = -1;
}
static void r11f(scn_t *s) {
        snprintf(s->ev.booking.agency_id, 16, "AG-1313");
}
static void r11n(scn_t *s) {
        snprintf(s->ev.booking.agency_id, 16, "AG-1314");
}
static void r12f(scn_t *s) {
        s->ev.document.expiry_date = (int32_t)(T0 / D) + 10;
}
static void r12n(scn_t *s) {
        s->ev.document.expiry_date = (int32_t)(T0 / D) + 40;
}
static void r13f(scn_t *s) {
        add_trips(s, 3, 7 * D, "CDG", "FRA", 0, 0);
}
static void r13n(scn_t *s) {
        add_trips(s, 3, 12 * D, "CDG", "FRA", 0, 0); /* the third is 36 days back */
}
static void r14f(scn_t *s) {
        pf_hist_add_nationality(&s->hist, "AUT");
}
static void r14n(scn_t *s) {
        pf_hist_add_nationality(&s->hist, "DEU");
        pf_hist_add_doc(&s->hist, 11);
}
static void r15f(scn_t *s) {
        pf_hist_add_contact(&s->hist, PF_HIST_CONTACT_PHONE, 555, PF_HIST_CONTACT_FLAGGED);
        s->contacts[PF_HIST_CONTACT_PHONE] = 555;
}
static void r15n(scn_t *s) {
        pf_hist_add_contact(&s->hist, PF_HIST_CONTACT_PHONE, 555, 0);
        s->contacts[PF_HIST_CONTACT_PHONE] = 555;
}
static void r16f(scn_t *s) {
        add_trips(s, 2, 40 * D, "CDG", "FRA", 0, 1);
}
static void r16n(scn_t *s) {
        add_trips(s, 1, 40 * D, "CDG", "FRA", 0, 1);
}
static void r17f(scn_t *s) {
        add_trips(s, 3, 40 * D, "JFK", "USA", 0, 0);
}
static void r17n(scn_t *s) {
        add_trips(s, 3, 40 * D, "JFK", "USA", 0, 0);
        pf_trip_t t = trip_at(T0 - 200 * D, "50", "FRA", "DEU", "ORY", "FRA");
        pf_hist_add_trip(&s->hist, &t, 400 * D);
}
static void r18f(scn_t *s) {
        add_trips(s, 1, 100 * D, "CDG", "FRA", PF_TRIP_FLAG_RULE_HIT, 0);
}
static void r18n(scn_t *s) {
        add_trips(s, 1, 370 * D, "CDG", "FRA", PF_TRIP_FLAG_RULE_HIT, 0); /* outside 365d */
}

static const struct {
        const char *rule;
        void (*fire)(scn_t *);
        void (*miss)(scn_t *);
        const char *reason; /**< expected reason when it fires (NULL: not checked) */
} cases[] = {
        {"R01", r01f, r01n, "document matches watchlist entry WL-1 on list UN"},
        {"R02", r02f, r02n,
         "name matches watchlist entry WL-1 on list UN (NAME_DOB, confidence 93%)"},
        {"R03", r03f, r03n, "booked 20h before departure"},
        {"R04", r04f, r04n, "paid in cash, booked 5d before departure"},
        {"R05", r05f, r05n, "one-way ticket"},
        {"R06", r06f, r06n, NULL},
        {"R07", r07f, r07n, NULL},
        {"R08", r08f, r08n, "CHECKIN data received 30m before departure"},
        {"R09", r09f, r09n, "no checked bags for a trip of 10d"},
        {"R10", r10f, r10n, NULL},
        {"R11", r11f, r11n, NULL},
        {"R12", r12f, r12n, NULL},
        {"R13", r13f, r13n, "4 trips OUTBOUND FRA within 30 days"},
        {"R14", r14f, r14n, "seen with 1 documents and 2 nationalities"},
        {"R15", r15f, r15n, "PHONE used on this booking was seen on a flagged traveller"},
        {"R16", r16f, r16n, NULL},
        {"R17", r17f, r17n, "first trip involving FRA after 3 trips elsewhere within a year"},
        {"R18", r18f, r18n, "previously hit on a trip 100d ago (FRA to CDG)"},
};

static pf_ruleset_t *load_default(void) {
        const char *me = __FILE__, *cut = strstr(me, "tests/workers/");
        char path[1024], err[512];
        static char text[PF_RULELANG_FILE_MAX];
        snprintf(path, sizeof(path), "%.*srules/default.rules", cut ? (int)(cut - me) : 0, me);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t len = fread(text, 1, sizeof(text), f);
        fclose(f);
        pf_ruleset_t *rs = pf_ruleset_compile(text, len, path, err, sizeof(err));
        if (!rs)
                print_message("%s\n", err);
        assert_non_null(rs);
        return rs;
}

static void run(const pf_ruleset_t *rs, scn_t *s, pf_result_t *res) {
        pf_rule_input_t in;
        memset(res, 0, sizeof(*res));
        pf_rule_input_fill(&in, &s->ev, &s->hist, NULL);
        in.matches = s->matches;
        in.match_count = s->match_count;
        memcpy(in.contact_digests, s->contacts, sizeof(in.contact_digests));
        in.derived.booking_digest = s->ev.booking.record_locator[0] ? 77 : 0;
        if (s->ev.booking.record_locator[0] == 'X') /* r06f: another booking than the trip's */
                in.derived.booking_digest = 78;
        pf_ruleset_eval(rs, &in, res);
}

static const pf_hit_t *find_hit(const pf_result_t *res, const char *id) {
        for (uint32_t i = 0; i < res->hit_count; i++)
                if (strcmp(res->hits[i].rule_id, id) == 0)
                        return &res->hits[i];
        return NULL;
}

static void test_base_is_silent(void **state) {
        pf_ruleset_t *rs = load_default();
        pf_result_t res;
        scn_t s;
        (void)state;
        scn_base(&s);
        run(rs, &s, &res);
        for (uint32_t i = 0; i < res.hit_count; i++)
                print_message("unexpected hit %s: %s\n", res.hits[i].rule_id, res.hits[i].reason);
        assert_int_equal(res.hit_count, 0);
        assert_string_equal(res.ruleset_version, "2026-11-30.2");
        pf_ruleset_destroy(rs);
}

static void test_catalogue(void **state) {
        pf_ruleset_t *rs = load_default();
        pf_result_t res;
        scn_t s;
        (void)state;
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                const pf_hit_t *hit;
                scn_base(&s);
                cases[c].fire(&s);
                if (cases[c].fire == r06f)
                        s.ev.booking.record_locator[0] = 'X';
                run(rs, &s, &res);
                hit = find_hit(&res, cases[c].rule);
                print_message("%s fires: %s\n", cases[c].rule, hit ? hit->reason : "(no hit)");
                assert_non_null(hit);
                assert_null(strstr(hit->reason, "CANARY"));
                if (cases[c].reason)
                        assert_string_equal(hit->reason, cases[c].reason);
                scn_base(&s);
                cases[c].miss(&s);
                if (cases[c].miss == r06n) { /* same booking as the connecting trip */
                        s.ev.booking.record_locator[0] = 'Y';
                        s.hist.trips[0].booking_digest = 77;
                }
                run(rs, &s, &res);
                print_message("%s near miss: %s\n", cases[c].rule,
                              find_hit(&res, cases[c].rule) ? "HIT" : "silent");
                assert_null(find_hit(&res, cases[c].rule));
        }
        pf_ruleset_destroy(rs);
}

/* Every PNR gets a scheduled push at departure: rule 8 must not fire on it, or it hits everyone. */
static void test_r08_ignores_the_scheduled_departure_push(void **state) {
        pf_ruleset_t *rs = load_default();
        pf_result_t res;
        scn_t s;
        (void)state;
        scn_base(&s);
        s.ev.push_kind = PF_PUSH_DEPARTURE;
        s.ev.sent_at = T0 - 10 * 60 * 1000;
        run(rs, &s, &res);
        assert_null(find_hit(&res, "R08"));
        pf_ruleset_destroy(rs);
}

static void test_caps(void **state) {
        const char *text = "ruleset \"c\" rule A version 3 category X weight 5 cap 2 per 1h "
                           "when true reason \"always\"";
        char err[256];
        pf_ruleset_t *rs = pf_ruleset_compile(text, strlen(text), "c", err, sizeof(err));
        pf_rule_caps_t *caps = pf_rule_caps_new(rs);
        pf_rule_input_t in;
        pf_result_t res;
        scn_t s;
        int hits = 0;
        (void)state;
        scn_base(&s);
        pf_rule_input_fill(&in, &s.ev, &s.hist, NULL);
        in.caps = caps;
        for (int i = 0; i < 5; i++) {
                memset(&res, 0, sizeof(res));
                pf_ruleset_eval(rs, &in, &res);
                hits += (int)res.hit_count;
        }
        assert_int_equal(hits, 2);
        assert_int_equal(pf_rule_caps_suppressed(caps, 0), 3);
        s.ev.sent_at += H; /* next window */
        memset(&res, 0, sizeof(res));
        pf_ruleset_eval(rs, &in, &res);
        assert_int_equal(res.hit_count, 1);
        assert_int_equal(res.hits[0].rule_version, 3);
        pf_rule_caps_destroy(caps);
        pf_rule_caps_destroy(NULL);
        pf_ruleset_destroy(rs);
}

static void test_bench(void **state) {
        pf_ruleset_t *rs = load_default();
        pf_result_t res;
        pf_rule_input_t in;
        scn_t s;
        struct timespec a, b;
        const int n = 200000;
        (void)state;
        scn_base(&s);
        add_trips(&s, PF_HIST_MAX_TRIPS, 5 * D, "CDG", "FRA", 0, 0); /* a full history */
        pf_rule_input_fill(&in, &s.ev, &s.hist, NULL);
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int i = 0; i < n; i++) {
                res.hit_count = 0;
                pf_ruleset_eval(rs, &in, &res);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / n;
        print_message("bench: default rule set (18 rules, 32-trip history): %.0f ns/event, "
                      "%u hits\n",
                      ns, res.hit_count);
        pf_ruleset_destroy(rs);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_base_is_silent),
                cmocka_unit_test(test_catalogue),
                cmocka_unit_test(test_r08_ignores_the_scheduled_departure_push),
                cmocka_unit_test(test_caps),
                cmocka_unit_test(test_bench),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
