/**
 * @file rules.c
 * @brief Built-in rules 3, 4, 5, 7 and 13.
 */
#include "rules.h"

#include <stdio.h>
#include <string.h>

#define HOUR_MS (3600LL * 1000)
#define DAY_MS  (24 * HOUR_MS)

void pf_rules_conf_defaults(pf_rules_conf_t *conf) {
        static const char *group[] = {"AFG", "IRQ", "SYR", "YEM", "SOM", "LBY", "MLI", "SDN"};
        memset(conf, 0, sizeof(*conf));
        conf->last_minute_ms = 48 * HOUR_MS;
        conf->cash_late_ms = 7 * DAY_MS;
        for (size_t i = 0; i < sizeof(group) / sizeof(group[0]); i++)
                memcpy(conf->high_risk[conf->high_risk_count++], group[i], 4);
        conf->frequent_window_ms = 30 * DAY_MS;
        conf->frequent_min_trips = 4;
        snprintf(conf->version, sizeof(conf->version), "builtin-1");
}

static void rules_hit(pf_result_t *res, const char *id, const char *category, int32_t weight,
                      const char *reason) {
        if (res->hit_count >= PF_RESULT_MAX_HITS)
                return;
        pf_hit_t *hit = &res->hits[res->hit_count++];
        snprintf(hit->rule_id, sizeof(hit->rule_id), "%s", id);
        hit->rule_version = 1;
        snprintf(hit->category, sizeof(hit->category), "%s", category);
        hit->weight = weight;
        snprintf(hit->reason, sizeof(hit->reason), "%s", reason);
}

static int rules_high_risk(const pf_rules_conf_t *conf, const char *country) {
        for (size_t i = 0; i < conf->high_risk_count; i++)
                if (country[0] && strcmp(conf->high_risk[i], country) == 0)
                        return 1;
        return 0;
}

/** The country at the far end of a trip: where an outbound trip goes, where an inbound comes from.
 */
static const char *rules_foreign(const pf_trip_t *trip) {
        return trip->direction ? trip->destination_country : trip->origin_country;
}

uint32_t pf_rules_count_frequent(const pf_hist_t *hist, const pf_trip_t *trip, int64_t window_ms) {
        const char *country = rules_foreign(trip);
        uint32_t n = 0;
        for (uint32_t i = 0; i < hist->trip_count; i++) {
                const pf_trip_t *t = &hist->trips[i];
                if (t->direction != trip->direction || strcmp(rules_foreign(t), country) != 0)
                        continue;
                if (t->departure_ms <= trip->departure_ms &&
                    t->departure_ms > trip->departure_ms - window_ms)
                        n++;
        }
        return n;
}

/** R07: the flight or any itinerary leg touches a country of the high-risk group. */
static const char *rules_r07_country(const pf_rules_conf_t *conf, const pf_event_t *ev) {
        if (rules_high_risk(conf, ev->flight.origin_country))
                return ev->flight.origin_country;
        if (rules_high_risk(conf, ev->flight.destination_country))
                return ev->flight.destination_country;
        for (uint32_t i = 0; ev->has_booking && i < ev->booking.leg_count; i++) {
                const pf_leg_t *leg = &ev->booking.legs[i];
                if (rules_high_risk(conf, leg->origin_country))
                        return leg->origin_country;
                if (rules_high_risk(conf, leg->destination_country))
                        return leg->destination_country;
        }
        return NULL;
}

static void rules_eval_booking(const pf_rules_conf_t *conf, const pf_event_t *ev,
                               pf_result_t *res) {
        char reason[PF_REASON_MAX];
        int64_t lead = ev->flight.scheduled_departure - ev->booking.booked_at;
        if (lead >= 0 && lead < conf->last_minute_ms) {
                snprintf(reason, sizeof(reason), "booked %lld h before departure",
                         (long long)(lead / HOUR_MS));
                rules_hit(res, "R03", "BOOKING", 25, reason);
        }
        if (ev->booking.payment_type == PF_PAY_CASH && lead >= 0 && lead < conf->cash_late_ms) {
                snprintf(reason, sizeof(reason), "paid in cash, booked %lld h before departure",
                         (long long)(lead / HOUR_MS));
                rules_hit(res, "R04", "BOOKING", 35, reason);
        }
        if (ev->booking.trip_type == PF_TRIP_ONE_WAY)
                rules_hit(res, "R05", "BOOKING", 10, "one-way ticket");
}

void pf_rules_eval(const pf_rules_conf_t *conf, const pf_event_t *ev, const pf_hist_t *hist,
                   pf_result_t *res) {
        char reason[PF_REASON_MAX];
        if (ev->has_booking)
                rules_eval_booking(conf, ev, res);
        const char *country = rules_r07_country(conf, ev);
        if (country) {
                snprintf(reason, sizeof(reason), "itinerary touches %s, in the high-risk group",
                         country);
                rules_hit(res, "R07", "ROUTE", 40, reason);
        }
        pf_trip_t trip;
        memset(&trip, 0, sizeof(trip));
        trip.departure_ms = ev->flight.scheduled_departure;
        trip.direction = ev->flight.direction == PF_DIR_OUTBOUND;
        memcpy(trip.origin_country, ev->flight.origin_country, sizeof(trip.origin_country));
        memcpy(trip.destination_country, ev->flight.destination_country,
               sizeof(trip.destination_country));
        uint32_t n = pf_rules_count_frequent(hist, &trip, conf->frequent_window_ms);
        if (n >= conf->frequent_min_trips) {
                snprintf(reason, sizeof(reason), "%u trips %s %s within %lld days", n,
                         trip.direction ? "to" : "from", rules_foreign(&trip),
                         (long long)(conf->frequent_window_ms / DAY_MS));
                rules_hit(res, "R13", "HISTORY", 45, reason);
        }
}
