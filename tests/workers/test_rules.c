/**
 * @file test_rules.c
 * @brief The built-in rules 3, 4, 5, 7, 13 and the score: each fires where it should and not
 *        where it should not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"
#include "score.h"

#define H  (3600LL * 1000)
#define D  (24 * H)
#define T0 1764489600000LL /* 2025-11-30T08:00Z */

static void base_event(pf_event_t *ev) {
        pf_event_clear(ev);
        snprintf(ev->event_id, sizeof(ev->event_id), "e");
        ev->source = PF_SOURCE_PNR;
        snprintf(ev->carrier, 4, "LH");
        snprintf(ev->flight.number, 8, "1");
        snprintf(ev->flight.origin_airport, 4, "FRA");
        snprintf(ev->flight.origin_country, 4, "DEU");
        snprintf(ev->flight.destination_airport, 4, "CDG");
        snprintf(ev->flight.destination_country, 4, "FRA");
        ev->flight.scheduled_departure = T0;
        ev->flight.direction = PF_DIR_OUTBOUND;
        ev->has_booking = true;
        ev->booking.booked_at = T0 - 30 * D;
        ev->booking.payment_type = PF_PAY_CARD;
        ev->booking.trip_type = PF_TRIP_RETURN;
}

static int has_hit(const pf_result_t *res, const char *id) {
        for (uint32_t i = 0; i < res->hit_count; i++)
                if (strcmp(res->hits[i].rule_id, id) == 0)
                        return 1;
        return 0;
}

typedef struct rule_case_s {
        const char *name;
        void (*mutate)(pf_event_t *ev);
        const char *rule;
        int fires;
} rule_case_t;

static void m_none(pf_event_t *ev) {
        (void)ev;
}
static void m_last_minute(pf_event_t *ev) {
        ev->booking.booked_at = T0 - 5 * H;
}
static void m_edge_48h(pf_event_t *ev) {
        ev->booking.booked_at = T0 - 48 * H;
}
static void m_cash_late(pf_event_t *ev) {
        ev->booking.payment_type = PF_PAY_CASH;
        ev->booking.booked_at = T0 - 3 * D;
}
static void m_cash_early(pf_event_t *ev) {
        ev->booking.payment_type = PF_PAY_CASH;
}
static void m_card_late(pf_event_t *ev) {
        ev->booking.booked_at = T0 - 3 * D;
}
static void m_one_way(pf_event_t *ev) {
        ev->booking.trip_type = PF_TRIP_ONE_WAY;
}
static void m_risk_dest(pf_event_t *ev) {
        snprintf(ev->flight.destination_country, 4, "SYR");
}
static void m_risk_leg(pf_event_t *ev) {
        ev->booking.leg_count = 2;
        snprintf(ev->booking.legs[1].destination_country, 4, "YEM");
}
static void m_api_no_booking(pf_event_t *ev) {
        ev->has_booking = false;
        ev->source = PF_SOURCE_API;
        ev->booking.trip_type = PF_TRIP_ONE_WAY; /* ignored: no booking */
}

static const rule_case_t rule_cases[] = {
        {"plain booking", m_none, "R03", 0},
        {"booked 5 h before", m_last_minute, "R03", 1},
        {"booked exactly 48 h before", m_edge_48h, "R03", 0},
        {"cash 3 days before", m_cash_late, "R04", 1},
        {"cash 30 days before", m_cash_early, "R04", 0},
        {"card 3 days before", m_card_late, "R04", 0},
        {"one-way", m_one_way, "R05", 1},
        {"return", m_none, "R05", 0},
        {"API without booking", m_api_no_booking, "R05", 0},
        {"destination SYR", m_risk_dest, "R07", 1},
        {"transit leg in YEM", m_risk_leg, "R07", 1},
        {"FRA-CDG", m_none, "R07", 0},
};

static void test_rule_table(void **state) {
        (void)state;
        pf_rules_conf_t conf;
        pf_rules_conf_defaults(&conf);
        pf_hist_t hist;
        pf_hist_init(&hist);
        for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
                pf_event_t ev;
                pf_result_t res;
                memset(&res, 0, sizeof(res));
                base_event(&ev);
                rule_cases[i].mutate(&ev);
                pf_rules_eval(&conf, &ev, &hist, &res);
                if (has_hit(&res, rule_cases[i].rule) != rule_cases[i].fires)
                        fail_msg("case \"%s\": %s %s", rule_cases[i].name, rule_cases[i].rule,
                                 rule_cases[i].fires ? "did not fire" : "fired");
        }
}

static void add_trip(pf_hist_t *hist, int64_t dep, const char *country, int outbound,
                     const char *flight) {
        pf_trip_t trip;
        memset(&trip, 0, sizeof(trip));
        trip.departure_ms = dep;
        snprintf(trip.carrier, 4, "LH");
        snprintf(trip.flight_number, 8, "%s", flight);
        snprintf(trip.origin_country, 4, "%s", outbound ? "DEU" : country);
        snprintf(trip.destination_country, 4, "%s", outbound ? country : "DEU");
        trip.direction = (uint8_t)outbound;
        pf_hist_add_trip(hist, &trip, 400 * D);
}

/** Rule 13 over multi-trip histories. */
static void test_r13(void **state) {
        (void)state;
        pf_rules_conf_t conf;
        pf_rules_conf_defaults(&conf);
        pf_event_t ev;
        pf_result_t res;
        pf_hist_t hist;
        base_event(&ev);

        /* 4 trips to FRA in 30 days, the current one included: fires. */
        pf_hist_init(&hist);
        for (int i = 3; i >= 0; i--)
                add_trip(&hist, T0 - i * 6 * D, "FRA", 1, i ? "2" : "1");
        memset(&res, 0, sizeof(res));
        pf_rules_eval(&conf, &ev, &hist, &res);
        assert_true(has_hit(&res, "R13"));

        /* Re-pushes of the same trip do not count twice. */
        pf_hist_init(&hist);
        for (int i = 0; i < 6; i++)
                add_trip(&hist, T0, "FRA", 1, "1");
        add_trip(&hist, T0 - 6 * D, "FRA", 1, "2");
        add_trip(&hist, T0 - 12 * D, "FRA", 1, "2");
        memset(&res, 0, sizeof(res));
        pf_rules_eval(&conf, &ev, &hist, &res);
        assert_false(has_hit(&res, "R13"));

        /* Spread over more than 30 days: no. */
        pf_hist_init(&hist);
        for (int i = 3; i >= 0; i--)
                add_trip(&hist, T0 - i * 11 * D, "FRA", 1, i ? "2" : "1");
        memset(&res, 0, sizeof(res));
        pf_rules_eval(&conf, &ev, &hist, &res);
        assert_false(has_hit(&res, "R13"));

        /* Four trips, but to different countries: no. */
        pf_hist_init(&hist);
        add_trip(&hist, T0, "FRA", 1, "1");
        add_trip(&hist, T0 - 5 * D, "ESP", 1, "2");
        add_trip(&hist, T0 - 10 * D, "ITA", 1, "2");
        add_trip(&hist, T0 - 15 * D, "FRA", 1, "2");
        memset(&res, 0, sizeof(res));
        pf_rules_eval(&conf, &ev, &hist, &res);
        assert_false(has_hit(&res, "R13"));

        /* Later trips already in the history do not count for an earlier one. */
        pf_hist_init(&hist);
        for (int i = 0; i < 4; i++)
                add_trip(&hist, T0 + i * 5 * D, "FRA", 1, i ? "2" : "1");
        memset(&res, 0, sizeof(res));
        pf_rules_eval(&conf, &ev, &hist, &res);
        assert_false(has_hit(&res, "R13"));
}

static void test_score(void **state) {
        (void)state;
        pf_bands_t bands;
        pf_result_t res;
        pf_bands_defaults(&bands);
        memset(&res, 0, sizeof(res));
        pf_score_apply(&bands, &res);
        assert_int_equal(res.score, 0);
        assert_int_equal(res.band, PF_BAND_NONE);
        res.hit_count = 2;
        res.hits[0].weight = 50;
        res.hits[1].weight = 50;
        pf_score_apply(&bands, &res);
        assert_int_equal(res.score, 75);
        assert_int_equal(res.band, PF_BAND_HIGH);
        res.hits[1].weight = 100;
        pf_score_apply(&bands, &res);
        assert_int_equal(res.score, 100);
        assert_int_equal(res.band, PF_BAND_CRITICAL);
        res.hit_count = 1;
        res.hits[0].weight = 10;
        pf_score_apply(&bands, &res);
        assert_int_equal(res.score, 10);
        assert_int_equal(res.band, PF_BAND_LOW);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rule_table),
                cmocka_unit_test(test_r13),
                cmocka_unit_test(test_score),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
