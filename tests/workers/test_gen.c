/**
 * @file test_gen.c
 * @brief Tests of the traffic generator (workers/gen.c).
 *
 * Includes gen.c to reach its static helpers (identity construction, slugs, locators), so link it
 * with workers/err.c only, not with gen.c. Most checks are black-box: a recording sink keeps what
 * each callback received and the tests re-derive trips, identities and rule-13 counts from the
 * events alone, as the screening code will.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../workers/gen.c"

#define DAY_MS    86400000LL
#define HOUR_MS   3600000LL
#define IDENT_MAX 300

/* One recorded sink call (event or bad payload). */
typedef struct rec_ev_s {
        int topic;
        int version; /* 1 or 2; 0 for a bad payload */
        int bad;     /* -1, or the pf_gen_bad_t kind */
        char key[48];
        char id[PF_EVENT_ID_MAX];
        int64_t sent_at;
        int source;
        int push_kind;
        char carrier[4];
        char number[8];
        char origin_airport[4];
        char origin_country[4];
        char dest_airport[4];
        char dest_country[4];
        int64_t dep;
        int direction;
        char ident[IDENT_MAX]; /* surname \x1f given names \x1f date of birth */
        char surname[PF_NAME_MAX];
        char residence[4];
        char person[64]; /* nationality, gender, document number: constant per identity */
        int32_t issue_date;
        int32_t expiry_date;
        int has_doc;
        int has_booking;
        char locator[8];
        uint64_t booking_hash; /* the booking without frequent_flyer_id */
        char ff[32];
        int64_t booked_at;
        int payment;
        int trip_type;
        int card_holder;
        char agency_id[16];
        char agency_country[4];
        int bag_count;
        int64_t trip_length; /* last leg's arrival - first leg's departure */
        int64_t max_gap;     /* longest gap between legs */
        bool leg_highrisk;   /* a leg touches the high-risk group */
} rec_ev_t;

typedef struct recorder_s {
        rec_ev_t *ev;
        size_t n;
        size_t cap;
        char **truth;
        size_t ntruth;
        size_t cap_truth;
        uint64_t hash; /* of every call, in order */
        size_t calls;
        size_t abort_at; /* 0: never; else return 1 on that call (1-based) */
        size_t wl_lines; /* watchlist lines */
        bool keep;       /* record events (false: hash only) */
} recorder_t;

static bool is_high_risk(const char *country);

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
        const unsigned char *b = p;
        size_t i;

        for (i = 0; i < n; i++)
                h = (h ^ b[i]) * 0x100000001b3ULL;
        return h;
}

static rec_ev_t *rec_push(recorder_t *rec) {
        if (rec->n == rec->cap) {
                rec->cap = rec->cap == 0 ? 4096 : rec->cap * 2;
                rec->ev = realloc(rec->ev, rec->cap * sizeof(*rec->ev));
                assert_non_null(rec->ev);
        }
        memset(&rec->ev[rec->n], 0, sizeof(rec->ev[0]));
        return &rec->ev[rec->n++];
}

static void rec_fill(rec_ev_t *r, const char *key, const pf_event_t *ev) {
        static pf_event_t copy; /* tests run one at a time */

        snprintf(r->key, sizeof(r->key), "%s", key);
        snprintf(r->id, sizeof(r->id), "%s", ev->event_id);
        r->sent_at = ev->sent_at;
        r->source = ev->source;
        r->push_kind = ev->push_kind;
        memcpy(r->carrier, ev->carrier, sizeof(r->carrier));
        memcpy(r->number, ev->flight.number, sizeof(r->number));
        memcpy(r->origin_airport, ev->flight.origin_airport, 4);
        memcpy(r->origin_country, ev->flight.origin_country, 4);
        memcpy(r->dest_airport, ev->flight.destination_airport, 4);
        memcpy(r->dest_country, ev->flight.destination_country, 4);
        r->dep = ev->flight.scheduled_departure;
        r->direction = ev->flight.direction;
        snprintf(r->ident, sizeof(r->ident), "%s\x1f%s\x1f%s", ev->traveller.surname,
                 ev->traveller.given_names, ev->traveller.date_of_birth);
        memcpy(r->surname, ev->traveller.surname, sizeof(r->surname));
        memcpy(r->residence, ev->traveller.residence, 4);
        r->has_doc = ev->has_document;
        snprintf(r->person, sizeof(r->person), "%s/%d/%s", ev->traveller.nationality,
                 (int)ev->traveller.gender, ev->has_document ? ev->document.number : "");
        r->issue_date = ev->document.issue_date;
        r->expiry_date = ev->document.expiry_date;
        r->has_booking = ev->has_booking;
        memcpy(r->locator, ev->booking.record_locator, sizeof(r->locator));
        memcpy(&copy, ev, sizeof(copy));
        memset(copy.booking.frequent_flyer_id, 0, sizeof(copy.booking.frequent_flyer_id));
        r->booking_hash = fnv(0xcbf29ce484222325ULL, &copy.booking, sizeof(copy.booking));
        memcpy(r->ff, ev->booking.frequent_flyer_id, sizeof(r->ff));
        r->booked_at = ev->booking.booked_at;
        r->payment = ev->booking.payment_type;
        r->trip_type = ev->booking.trip_type;
        r->card_holder = ev->booking.card_holder_is_traveller;
        memcpy(r->agency_id, ev->booking.agency_id, sizeof(r->agency_id));
        memcpy(r->agency_country, ev->booking.agency_country, sizeof(r->agency_country));
        r->bag_count = ev->booking.bag_count;
        r->trip_length = 0;
        r->max_gap = 0;
        r->leg_highrisk = false;
        if (ev->has_booking && ev->booking.leg_count > 0) {
                uint32_t i, n = ev->booking.leg_count;

                r->trip_length = ev->booking.legs[n - 1].arrival - ev->booking.legs[0].departure;
                for (i = 0; i < n; i++) {
                        if (i > 0 &&
                            ev->booking.legs[i].departure - ev->booking.legs[i - 1].arrival >
                                    r->max_gap)
                                r->max_gap = ev->booking.legs[i].departure -
                                             ev->booking.legs[i - 1].arrival;
                        r->leg_highrisk = r->leg_highrisk ||
                                          is_high_risk(ev->booking.legs[i].origin_country) ||
                                          is_high_risk(ev->booking.legs[i].destination_country);
                }
        }
}

static int rec_event(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                     int version) {
        recorder_t *rec = opaque;

        rec->calls++;
        rec->hash = fnv(rec->hash, "E", 1);
        rec->hash = fnv(rec->hash, &topic, sizeof(topic));
        rec->hash = fnv(rec->hash, &version, sizeof(version));
        rec->hash = fnv(rec->hash, key, strlen(key) + 1);
        rec->hash = fnv(rec->hash, ev, sizeof(*ev)); /* every byte, padding included */
        if (rec->keep) {
                rec_ev_t *r = rec_push(rec);

                r->topic = topic;
                r->version = version;
                r->bad = -1;
                rec_fill(r, key, ev);
        }
        return rec->abort_at != 0 && rec->calls == rec->abort_at;
}

static int rec_bad(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                   pf_gen_bad_t kind) {
        recorder_t *rec = opaque;

        rec->calls++;
        rec->hash = fnv(rec->hash, "B", 1);
        rec->hash = fnv(rec->hash, &topic, sizeof(topic));
        rec->hash = fnv(rec->hash, &kind, sizeof(kind));
        rec->hash = fnv(rec->hash, key, strlen(key) + 1);
        rec->hash = fnv(rec->hash, ev, sizeof(*ev));
        if (rec->keep) {
                rec_ev_t *r = rec_push(rec);

                r->topic = topic;
                r->bad = kind;
                rec_fill(r, key, ev);
        }
        return rec->abort_at != 0 && rec->calls == rec->abort_at;
}

static int rec_truth(void *opaque, const char *line) {
        recorder_t *rec = opaque;

        rec->calls++;
        rec->hash = fnv(rec->hash, line, strlen(line) + 1);
        if (rec->keep) {
                if (rec->ntruth == rec->cap_truth) {
                        rec->cap_truth = rec->cap_truth == 0 ? 64 : rec->cap_truth * 2;
                        rec->truth = realloc(rec->truth, rec->cap_truth * sizeof(*rec->truth));
                        assert_non_null(rec->truth);
                }
                rec->truth[rec->ntruth] = malloc(strlen(line) + 1);
                assert_non_null(rec->truth[rec->ntruth]);
                memcpy(rec->truth[rec->ntruth], line, strlen(line) + 1);
                rec->ntruth++;
        }
        return rec->abort_at != 0 && rec->calls == rec->abort_at;
}

static int rec_watchlist(void *opaque, const char *line) {
        recorder_t *rec = opaque;

        rec->calls++;
        rec->wl_lines++;
        rec->hash = fnv(rec->hash, "W", 1);
        rec->hash = fnv(rec->hash, line, strlen(line) + 1);
        return rec->abort_at != 0 && rec->calls == rec->abort_at;
}

static void rec_free(recorder_t *rec) {
        size_t i;

        for (i = 0; i < rec->ntruth; i++)
                free(rec->truth[i]);
        free(rec->truth);
        free(rec->ev);
        memset(rec, 0, sizeof(*rec));
}

static pf_gen_sink_t rec_sink(recorder_t *rec) {
        pf_gen_sink_t sink = {rec, rec_event, rec_bad, rec_truth, rec_watchlist};

        return sink;
}

/** A mid-size run: 60 flights x ~80 travellers over 2 hours, defaults otherwise. */
static void test_conf(pf_gen_conf_t *conf) {
        pf_gen_conf_defaults(conf);
        conf->seed = 42;
        conf->hours = 2;
        conf->flights_per_hour = 30;
        conf->pax_per_flight = 80;
        conf->bad_payloads = 15;
}

static void run_recorded(const pf_gen_conf_t *conf, recorder_t *rec, pf_gen_stats_t *stats) {
        pf_gen_sink_t sink;
        char err[256];

        memset(rec, 0, sizeof(*rec));
        rec->keep = true;
        rec->hash = 0xcbf29ce484222325ULL;
        sink = rec_sink(rec);
        assert_int_equal(pf_gen_run(conf, &sink, stats, err, sizeof(err)), PF_OK);
        assert_string_equal(err, "");
}

/* Sorting helpers over indexes into a recorder. */
static const recorder_t *sort_rec;

static int cmp_by_id(const void *a, const void *b) {
        return strcmp(sort_rec->ev[*(const size_t *)a].id, sort_rec->ev[*(const size_t *)b].id);
}

/* identity, then flight (departure, carrier, number), then push kind */
static int cmp_by_trip(const void *a, const void *b) {
        const rec_ev_t *x = &sort_rec->ev[*(const size_t *)a],
                       *y = &sort_rec->ev[*(const size_t *)b];
        int c = strcmp(x->ident, y->ident);

        if (c != 0)
                return c;
        if (x->dep != y->dep)
                return x->dep < y->dep ? -1 : 1;
        if ((c = strcmp(x->carrier, y->carrier)) != 0)
                return c;
        if ((c = strcmp(x->number, y->number)) != 0)
                return c;
        return x->push_kind - y->push_kind;
}

static size_t *index_sorted(const recorder_t *rec, int (*cmp)(const void *, const void *),
                            bool valid_only, size_t *n) {
        size_t *idx = malloc((rec->n + 1) * sizeof(*idx)), i;

        assert_non_null(idx);
        *n = 0;
        for (i = 0; i < rec->n; i++)
                if (!valid_only || rec->ev[i].bad < 0)
                        idx[(*n)++] = i;
        sort_rec = rec;
        qsort(idx, *n, sizeof(*idx), cmp);
        return idx;
}

static const rec_ev_t *find_id(const recorder_t *rec, const size_t *by_id, size_t n,
                               const char *id) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(rec->ev[by_id[mid]].id, id);

                if (c == 0)
                        return &rec->ev[by_id[mid]];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/** Extracts the value of "name":"..." from a truth line into out; returns false if absent. */
static bool json_str(const char *line, const char *name, char *out, size_t size) {
        char pat[64];
        const char *p, *end;

        snprintf(pat, sizeof(pat), "\"%s\":\"", name);
        p = strstr(line, pat);
        if (p == NULL)
                return false;
        p += strlen(pat);
        end = strchr(p, '"');
        if (end == NULL || (size_t)(end - p) >= size)
                return false;
        memcpy(out, p, (size_t)(end - p));
        out[end - p] = '\0';
        return true;
}

/** Parses "event_ids":[...] into ids (each PF_EVENT_ID_MAX); returns the count. */
static size_t json_ids(const char *line, char ids[][PF_EVENT_ID_MAX], size_t max) {
        const char *p = strstr(line, "\"event_ids\":[");
        size_t n = 0;

        assert_non_null(p);
        p += strlen("\"event_ids\":[");
        while (*p == '"' && n < max) {
                const char *end = strchr(p + 1, '"');

                assert_non_null(end);
                assert_true((size_t)(end - p - 1) < PF_EVENT_ID_MAX);
                memcpy(ids[n], p + 1, (size_t)(end - p - 1));
                ids[n][end - p - 1] = '\0';
                n++;
                p = end + 1;
                if (*p == ',')
                        p++;
        }
        assert_int_equal(*p, ']');
        return n;
}

static bool is_high_risk(const char *country) {
        static const char *const hr[] = {"AFG", "IRQ", "SYR", "YEM", "SOM", "LBY"};
        size_t i;

        for (i = 0; i < 6; i++)
                if (strcmp(country, hr[i]) == 0)
                        return true;
        return false;
}

static void format_date(int64_t ms, char out[11]) {
        gen_date_str(gen_floor_div(ms, DAY_MS), out);
}

/*
 * Configuration.
 */

static void test_conf_defaults(void **state) {
        pf_gen_conf_t conf;

        (void)state;
        pf_gen_conf_defaults(&conf);
        assert_int_equal(conf.start_ms, 1796018400000LL); /* 2026-11-30T06:00Z */
        assert_int_equal(conf.hours, 1);
        assert_int_equal(conf.flights_per_hour, 60);
        assert_int_equal(conf.pax_per_flight, 150);
        assert_int_equal(conf.history_days, 40);
        assert_true(conf.repeat_share == 0.2);
        assert_int_equal(conf.frequent_travellers, 10);
        assert_int_equal(conf.bad_payloads, 12);
        assert_true(conf.v1_share == 0.1);
        assert_string_equal(conf.hub_airport, "FRA");
        assert_string_equal(conf.hub_country, "DEU");
        assert_string_equal(pf_gen_bad_name(PF_GEN_BAD_NOT_WIRE_FORMAT), "NOT_WIRE_FORMAT");
        assert_string_equal(pf_gen_bad_name(PF_GEN_BAD_LENGTH), "BAD_LENGTH");
        assert_string_equal(pf_gen_bad_name(PF_GEN_BAD_MISSING_FIELD), "MISSING_FIELD");
        assert_string_equal(pf_gen_bad_name(PF_GEN_BAD__COUNT), "UNKNOWN");
}

static void set_hours0(pf_gen_conf_t *c) {
        c->hours = 0;
}
static void set_hours_big(pf_gen_conf_t *c) {
        c->hours = 745;
}
static void set_pax_neg(pf_gen_conf_t *c) {
        c->pax_per_flight = -1;
}
static void set_fph_big(pf_gen_conf_t *c) {
        c->flights_per_hour = 201;
}
static void set_hist_neg(pf_gen_conf_t *c) {
        c->history_days = -1;
}
static void set_hist0(pf_gen_conf_t *c) {
        c->history_days = 0;
}
static void set_repeat_big(pf_gen_conf_t *c) {
        c->repeat_share = 1.5;
}
static void set_v1_nan(pf_gen_conf_t *c) {
        c->v1_share = NAN;
}
static void set_freq_neg(pf_gen_conf_t *c) {
        c->frequent_travellers = -3;
}
static void set_bad_neg(pf_gen_conf_t *c) {
        c->bad_payloads = -1;
}
static void set_airport(pf_gen_conf_t *c) {
        c->hub_airport = "FRAN";
}
static void set_country(pf_gen_conf_t *c) {
        c->hub_country = "de";
}
static void set_country_null(pf_gen_conf_t *c) {
        c->hub_country = NULL;
}
static void set_start(pf_gen_conf_t *c) {
        c->start_ms = 0;
}
static void set_too_big(pf_gen_conf_t *c) {
        c->hours = 744;
        c->flights_per_hour = 200;
        c->pax_per_flight = 853;
}

static void test_conf_invalid(void **state) {
        static const struct {
                void (*set)(pf_gen_conf_t *);
                const char *expect; /* in errstr */
        } cases[] = {
                {set_hours0, "hours: 0 is out of range [1, 744]"},
                {set_hours_big, "hours: 745"},
                {set_pax_neg, "pax_per_flight: -1 is out of range [1, 853]"},
                {set_fph_big, "flights_per_hour: 201 is out of range [1, 200]"},
                {set_hist_neg, "history_days: -1"},
                {set_hist0, "history_days: 0 is out of range [1, 365] when repeat_share > 0"},
                {set_repeat_big, "repeat_share: 1.5 is out of range [0, 1]"},
                {set_v1_nan, "v1_share"},
                {set_freq_neg, "frequent_travellers: -3"},
                {set_bad_neg, "bad_payloads: -1"},
                {set_airport, "hub_airport"},
                {set_country, "hub_country"},
                {set_country_null, "hub_country"},
                {set_start, "start_ms"},
                {set_too_big, "more than 20000000"},
        };
        recorder_t rec;
        pf_gen_sink_t sink;
        pf_gen_stats_t stats;
        size_t i;

        (void)state;
        memset(&rec, 0, sizeof(rec));
        sink = rec_sink(&rec);
        for (i = 0; i < PF_GEN_COUNT(cases); i++) {
                pf_gen_conf_t conf;
                char err[256] = "";

                pf_gen_conf_defaults(&conf);
                cases[i].set(&conf);
                assert_int_equal(pf_gen_run(&conf, &sink, &stats, err, sizeof(err)), PF_ERR_CONFIG);
                if (strstr(err, cases[i].expect) == NULL)
                        fail_msg("case %zu: errstr \"%s\" lacks \"%s\"", i, err, cases[i].expect);
                assert_int_equal(rec.calls, 0);
                assert_int_equal(stats.events, 0);
        }
        /* history_days 0 is fine without repeaters; a NULL event callback is not. */
        {
                pf_gen_conf_t conf;
                pf_gen_sink_t no_event = {NULL, NULL, NULL, NULL, NULL};
                char err[256];

                pf_gen_conf_defaults(&conf);
                conf.flights_per_hour = 2;
                conf.pax_per_flight = 3;
                conf.history_days = 0;
                conf.repeat_share = 0.0;
                assert_int_equal(pf_gen_run(&conf, &sink, NULL, err, sizeof(err)), PF_OK);
                assert_int_equal(pf_gen_run(&conf, &no_event, NULL, err, sizeof(err)),
                                 PF_ERR_CONFIG);
                assert_non_null(strstr(err, "sink->event"));
                assert_int_equal(pf_gen_run(&conf, &sink, NULL, NULL, 0), PF_OK);
        }
}

/*
 * Determinism, order, ids, keys.
 */

static uint64_t run_hash(const pf_gen_conf_t *conf) {
        recorder_t rec;
        pf_gen_sink_t sink;

        memset(&rec, 0, sizeof(rec));
        rec.hash = 0xcbf29ce484222325ULL;
        sink = rec_sink(&rec);
        assert_int_equal(pf_gen_run(conf, &sink, NULL, NULL, 0), PF_OK);
        return rec.hash;
}

static void test_determinism(void **state) {
        pf_gen_conf_t conf;
        uint64_t a, b, c;

        (void)state;
        test_conf(&conf);
        a = run_hash(&conf);
        b = run_hash(&conf);
        assert_true(a == b); /* events, bad payloads, truth and watchlist, byte for byte */
        conf.seed = 43;
        c = run_hash(&conf);
        assert_true(a != c);
        conf.seed = 42;
        conf.v1_share = 0.5;
        assert_true(run_hash(&conf) != a);
}

static void test_order_ids_keys(void **state) {
        pf_gen_conf_t conf;
        recorder_t rec;
        pf_gen_stats_t stats;
        size_t *by_id, n, i, api = 0, pnr = 0, bad = 0, inbound = 0;

        (void)state;
        test_conf(&conf);
        run_recorded(&conf, &rec, &stats);
        for (i = 0; i < rec.n; i++) {
                const rec_ev_t *r = &rec.ev[i];

                if (i > 0)
                        assert_true(rec.ev[i - 1].sent_at <= r->sent_at);
                assert_true(strlen(r->id) > 0 && strlen(r->id) <= 63);
                assert_true(strncmp(r->id, "ev-2a-", 6) == 0);
                if (r->bad >= 0)
                        bad++;
                else if (r->topic == PF_GEN_TOPIC_API)
                        api++;
                else
                        pnr++;
                if (r->topic == PF_GEN_TOPIC_API) {
                        char key[48], date[11];

                        format_date(r->dep, date);
                        snprintf(key, sizeof(key), "%s%s/%s", r->carrier, r->number, date);
                        assert_string_equal(r->key, key);
                        assert_int_equal(r->source, PF_SOURCE_API);
                        assert_int_equal(r->push_kind, PF_PUSH_CHECKIN);
                        assert_false(r->has_booking);
                        assert_true(r->has_doc);
                } else {
                        assert_string_equal(r->key, r->locator);
                        assert_int_equal(strlen(r->locator), 6);
                        assert_int_equal(strspn(r->locator, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                                         6);
                        assert_int_equal(r->source, PF_SOURCE_PNR);
                        assert_true(r->push_kind <= PF_PUSH_DEPARTURE ||
                                    (r->bad >= 0 && r->push_kind == PF_PUSH_ADHOC));
                        assert_true(r->has_booking);
                }
                assert_true(strlen(r->carrier) == 2);
                assert_true(strlen(r->number) >= 1 && strlen(r->number) <= 4);
                if (r->direction == PF_DIR_INBOUND) { /* rule 6's planted arrivals */
                        inbound++;
                        assert_string_equal(r->dest_airport, "FRA");
                        assert_string_equal(r->dest_country, "DEU");
                        assert_string_not_equal(r->origin_country, "DEU");
                        continue;
                }
                assert_int_equal(r->direction, PF_DIR_OUTBOUND);
                assert_string_equal(r->origin_airport, "FRA");
                assert_string_equal(r->origin_country, "DEU");
                assert_string_not_equal(r->dest_country, "DEU");
        }
        assert_int_equal(stats.api, api);
        assert_int_equal(stats.pnr, pnr);
        assert_int_equal(stats.events, api + pnr);
        assert_int_equal(stats.bad, bad);
        assert_int_equal(stats.trips, api);
        assert_int_equal(stats.frequent, 10);
        /* one planted arrival per scenario set, 5 events each at most, plus bad payloads there */
        assert_true(inbound >= PF_GEN_PLANTED_PER_KIND * 2);
        assert_true(inbound <= PF_GEN_PLANTED_PER_KIND * 5 + 15);

        by_id = index_sorted(&rec, cmp_by_id, false, &n);
        for (i = 1; i < n; i++)
                if (strcmp(rec.ev[by_id[i - 1]].id, rec.ev[by_id[i]].id) == 0)
                        fail_msg("duplicate event id %s", rec.ev[by_id[i]].id);
        free(by_id);
        rec_free(&rec);
}

/*
 * Trips, bookings, identities, rule 13.
 */

/* API events by flight key, then surname */
static int cmp_by_flight_surname(const void *a, const void *b) {
        const rec_ev_t *x = &sort_rec->ev[*(const size_t *)a],
                       *y = &sort_rec->ev[*(const size_t *)b];
        int c = (y->topic == PF_GEN_TOPIC_API) - (x->topic == PF_GEN_TOPIC_API);

        if (c != 0)
                return c;
        if ((c = strcmp(x->key, y->key)) != 0)
                return c;
        return strcmp(x->surname, y->surname);
}

/* Realism: a flight's travellers do not share a surname (identities are scrambled by index). */
static void check_surnames_per_flight(const recorder_t *rec) {
        size_t n, i, run = 1, flights = 1,
                     *idx = index_sorted(rec, cmp_by_flight_surname, true, &n);

        for (i = 1; i < n && rec->ev[idx[i]].topic == PF_GEN_TOPIC_API; i++) {
                const rec_ev_t *a = &rec->ev[idx[i - 1]], *b = &rec->ev[idx[i]];

                if (strcmp(a->key, b->key) != 0) {
                        flights++;
                        run = 1;
                        continue;
                }
                run = strcmp(a->surname, b->surname) == 0 ? run + 1 : 1;
                if (run > 6)
                        fail_msg("flight %s: %zu travellers named %s", b->key, run, b->surname);
        }
        assert_true(flights >= 60);
        free(idx);
}

static void test_trips_and_bookings(void **state) {
        pf_gen_conf_t conf;
        recorder_t rec;
        pf_gen_stats_t stats;
        size_t *idx, n, i, j, trips = 0, pnr = 0, pnr_doc = 0, late = 0, shared = 0;
        char(*locators)[8];

        (void)state;
        test_conf(&conf);
        run_recorded(&conf, &rec, &stats);
        idx = index_sorted(&rec, cmp_by_trip, true, &n);
        locators = malloc(n * sizeof(*locators));
        assert_non_null(locators);
        for (i = 0; i < n; i = j) {
                const rec_ev_t *first = &rec.ev[idx[i]], *pnr0 = NULL;
                int apis = 0;

                for (j = i; j < n; j++) {
                        const rec_ev_t *r = &rec.ev[idx[j]];

                        if (strcmp(r->ident, first->ident) != 0 || r->dep != first->dep ||
                            strcmp(r->carrier, first->carrier) != 0 ||
                            strcmp(r->number, first->number) != 0)
                                break;
                        if (r->topic == PF_GEN_TOPIC_API) {
                                apis++;
                                assert_true(r->sent_at >= r->dep - 3 * HOUR_MS);
                                /* 40 min at the latest; planted late check-ins 15 min */
                                assert_true(r->sent_at <= r->dep - 15 * 60000);
                                late += r->sent_at > r->dep - 40 * 60000;
                                continue;
                        }
                        pnr++;
                        pnr_doc += r->has_doc;
                        /* sent at departure - 72/48/24/0 h, never before the booking */
                        assert_int_equal(r->sent_at,
                                         r->dep - (int64_t)(72 - 24 * r->push_kind) * HOUR_MS);
                        assert_true(r->sent_at >= r->booked_at);
                        assert_true(r->dep - r->booked_at >= 2 * HOUR_MS);
                        assert_true(r->dep - r->booked_at <= 90 * DAY_MS);
                        if (pnr0 == NULL) {
                                pnr0 = r;
                                continue;
                        }
                        assert_string_equal(r->locator, pnr0->locator);
                        assert_true(r->booking_hash == pnr0->booking_hash);
                        if (r->version == 2 && pnr0->version == 2)
                                assert_string_equal(r->ff, pnr0->ff);
                }
                assert_int_equal(apis, 1);
                assert_non_null(pnr0);
                memcpy(locators[trips], pnr0->locator, 8);
                trips++;
        }
        assert_int_equal(trips, stats.trips);
        check_surnames_per_flight(&rec);
        /* one record locator per booking, but for the planted co-travellers (rule 16): two
         * bookings of each set carry two travellers each */
        qsort(locators, trips, sizeof(*locators), (int (*)(const void *, const void *))strcmp);
        for (i = 1; i < trips; i++) {
                if (strcmp(locators[i - 1], locators[i]) != 0)
                        continue;
                shared++;
                if (i >= 2)
                        assert_string_not_equal(locators[i - 2], locators[i]);
        }
        assert_int_equal(shared, 2 * PF_GEN_PLANTED_PER_KIND);
        /* the planted late check-ins (rule 8), and only they, come after 40 min */
        assert_int_equal(late, PF_GEN_PLANTED_PER_KIND);
        /* documents in ~60% of PNR pushes */
        assert_true(pnr_doc * 100 / pnr >= 45 && pnr_doc * 100 / pnr <= 75);
        free(locators);
        free(idx);
        rec_free(&rec);
}

/** Distinct outbound trips of one traveller: departure, destination country, carrier+number. */
typedef struct person_trip_s {
        int64_t dep;
        char country[4];
        char flight[12];
} person_trip_t;

/** @returns the rule-13 count: the most same-country trips within 30 days up to a trip. */
static int rule13_max(const person_trip_t *t, size_t n) {
        int best = 0;
        size_t i, j;

        for (i = 0; i < n; i++) {
                int c = 0;

                for (j = 0; j < n; j++)
                        if (strcmp(t[i].country, t[j].country) == 0 && t[j].dep <= t[i].dep &&
                            t[j].dep >= t[i].dep - 30 * DAY_MS)
                                c++;
                if (c > best)
                        best = c;
        }
        return best;
}

/**
 * Checks the planted frequent travellers (truth) and that every other traveller stays below rule
 * 13's threshold, from the events alone. Also checks that an identity is one person.
 */
static void check_rule13(const pf_gen_conf_t *conf, int expect_frequent) {
        recorder_t rec;
        pf_gen_stats_t stats;
        size_t *by_trip, *by_id, n, nid, i, j, t, frequent = 0, persons = 0;
        char(*ids)[PF_EVENT_ID_MAX] = malloc(64 * sizeof(*ids));
        char(*freq_ident)[IDENT_MAX];
        person_trip_t trips[64];
        struct {
                char ident[IDENT_MAX];
                bool four_trips;
        } *special = calloc(64, sizeof(*special));
        size_t nspecial = 0;

        assert_non_null(ids);
        run_recorded(conf, &rec, &stats);
        freq_ident = calloc(rec.ntruth + 1, sizeof(*freq_ident));
        assert_non_null(freq_ident);
        by_id = index_sorted(&rec, cmp_by_id, false, &nid);

        /* Truth: each frequent traveller's events are one identity, 5 trips to one country. */
        for (i = 0; i < rec.ntruth; i++) {
                char pattern[64], traveller[32], country[4] = "";
                size_t k, m;
                int64_t last = INT64_MIN;

                if (!json_str(rec.truth[i], "pattern", pattern, sizeof(pattern))) {
                        assert_non_null(strstr(rec.truth[i], "\"label"));
                        continue;
                }
                if (strcmp(pattern, "R13_FREQUENT_TRIPS") != 0)
                        continue;
                assert_true(json_str(rec.truth[i], "traveller", traveller, sizeof(traveller)));
                assert_int_equal(traveller[0], 'T');
                m = json_ids(rec.truth[i], ids, 64);
                assert_true(m >= 10 && m <= 25);
                t = 0;
                for (k = 0; k < m; k++) {
                        const rec_ev_t *r = find_id(&rec, by_id, nid, ids[k]);

                        assert_non_null(r);
                        assert_true(r->bad < 0);
                        if (k == 0)
                                snprintf(freq_ident[frequent], IDENT_MAX, "%s", r->ident);
                        assert_string_equal(r->ident, freq_ident[frequent]);
                        if (k == 0)
                                memcpy(country, r->dest_country, sizeof(country));
                        assert_string_equal(r->dest_country, country);
                        if (r->topic == PF_GEN_TOPIC_API) {
                                assert_true(r->dep > last);
                                if (last != INT64_MIN) {
                                        assert_true(r->dep - last >= 5 * DAY_MS);
                                        assert_true(r->dep - last <= 7 * DAY_MS);
                                }
                                last = r->dep;
                                trips[t].dep = r->dep;
                                t++;
                        }
                }
                assert_int_equal(t, 5);
                assert_true(trips[4].dep - trips[0].dep < 30 * DAY_MS);
                assert_true(trips[4].dep >= conf->start_ms &&
                            trips[4].dep < conf->start_ms + conf->hours * HOUR_MS);
                frequent++;
        }
        assert_int_equal(frequent, (size_t)expect_frequent);
        assert_int_equal(stats.frequent, (uint64_t)expect_frequent);

        /* Planted travellers allowed a 4th trip (rule 17: to a 4th country) or a second
         * passport (rule 14). */
        for (i = 0; i < rec.ntruth; i++) {
                char pattern[64];
                const rec_ev_t *r;

                if (!json_str(rec.truth[i], "pattern", pattern, sizeof(pattern)) ||
                    (strcmp(pattern, "R17_NEW_ROUTE") != 0 &&
                     strcmp(pattern, "R14_SEVERAL_DOCUMENTS") != 0))
                        continue;
                assert_true(json_ids(rec.truth[i], ids, 64) >= 2);
                r = find_id(&rec, by_id, nid, ids[0]);
                assert_non_null(r);
                assert_true(nspecial < 64);
                snprintf(special[nspecial].ident, IDENT_MAX, "%s", r->ident);
                special[nspecial++].four_trips = pattern[2] == '7';
        }

        /* Every identity: trips, rule-13 maximum. */
        by_trip = index_sorted(&rec, cmp_by_trip, true, &n);
        for (i = 0; i < n; i = j) {
                const rec_ev_t *first = &rec.ev[by_trip[i]];
                size_t events = 0;
                bool is_frequent = false;
                int max;

                const rec_ev_t *api0 = NULL;
                int kind = 0, changes = 0; /* 1: rule 17, 2: rule 14 */

                for (size_t s = 0; s < nspecial; s++)
                        if (strcmp(special[s].ident, first->ident) == 0)
                                kind = special[s].four_trips ? 1 : 2;
                t = 0;
                for (j = i; j < n && strcmp(rec.ev[by_trip[j]].ident, first->ident) == 0; j++) {
                        const rec_ev_t *r = &rec.ev[by_trip[j]];

                        events++;
                        if (r->topic != PF_GEN_TOPIC_API)
                                continue;
                        /* the same person, the same document, valid over all its trips */
                        if (api0 == NULL)
                                api0 = r;
                        if (strcmp(r->person, api0->person) != 0) { /* a second passport */
                                assert_int_equal(kind, 2);
                                changes++;
                                api0 = r;
                        }
                        assert_true((int64_t)r->issue_date * DAY_MS < r->dep - DAY_MS);
                        assert_true((int64_t)r->expiry_date * DAY_MS > r->dep + DAY_MS);
                        assert_true(t < 64);
                        trips[t].dep = r->dep;
                        memcpy(trips[t].country, r->dest_country, 4);
                        snprintf(trips[t].flight, sizeof(trips[t].flight), "%s%s", r->carrier,
                                 r->number);
                        if (t > 0)
                                assert_true(trips[t].dep != trips[t - 1].dep ||
                                            strcmp(trips[t].flight, trips[t - 1].flight) != 0);
                        t++;
                }
                persons++;
                for (size_t f = 0; f < frequent; f++)
                        if (strcmp(freq_ident[f], first->ident) == 0)
                                is_frequent = true;
                max = rule13_max(trips, t);
                if (is_frequent) {
                        assert_int_equal(t, 5);
                        assert_int_equal(max, 5);
                } else {
                        if (t > (kind == 1 ? 4u : 3u) || max > 3)
                                fail_msg("ordinary traveller with %zu trips, rule-13 count %d", t,
                                         max);
                        if (kind == 1)
                                assert_int_equal(t, 4);
                        if (kind == 2)
                                assert_int_equal(changes, 1);
                }
        }
        /* One identity per traveller: as many identities as travellers. */
        assert_int_equal(persons, stats.travellers);
        free(by_trip);
        free(by_id);
        free(freq_ident);
        free(special);
        free(ids);
        rec_free(&rec);
}

static void test_rule13_default(void **state) {
        pf_gen_conf_t conf;

        (void)state;
        test_conf(&conf);
        check_rule13(&conf, 10);
}

/* Everyone repeats, in a short history: many ordinary travellers make 3 trips within 30 days. */
static void test_rule13_stress(void **state) {
        pf_gen_conf_t conf;

        (void)state;
        test_conf(&conf);
        conf.seed = 7;
        conf.hours = 1;
        conf.repeat_share = 1.0;
        conf.history_days = 3;
        conf.frequent_travellers = 40;
        check_rule13(&conf, 40);
        /* frequent travellers on a multi-day window */
        conf.hours = 72;
        conf.flights_per_hour = 2;
        conf.pax_per_flight = 10;
        conf.history_days = 40;
        conf.repeat_share = 0.5;
        check_rule13(&conf, 40);
}

static bool utf8_valid(const char *s) {
        const unsigned char *p = (const unsigned char *)s;

        while (*p != '\0') {
                int n = *p < 0x80             ? 0
                        : (*p & 0xe0) == 0xc0 ? 1
                        : (*p & 0xf0) == 0xe0 ? 2
                        : (*p & 0xf8) == 0xf0 ? 3
                                              : -1;
                if (n < 0 || (n == 1 && *p < 0xc2))
                        return false;
                p++;
                while (n-- > 0)
                        if ((*p++ & 0xc0) != 0x80)
                                return false;
        }
        return true;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* White-box: identities of many traveller indexes are unique; pools are distinct and valid. */
static void test_identities_unique(void **state) {
        const size_t n = 300000, far = 20000;
        const uint32_t far_base = 40000000;
        gen_t *g = calloc(1, sizeof(*g));
        char **keys = malloc((n + far) * sizeof(*keys));
        char *buf = malloc((n + far) * 96);
        size_t i, k, nonascii = 0, other_script = 0;

        (void)state;
        assert_non_null(g);
        assert_non_null(keys);
        assert_non_null(buf);
        pf_gen_conf_defaults(&g->conf);
        g->conf.seed = 99;
        assert_int_equal(gen_setup(g), PF_OK);
        for (i = 0; i < n + far; i++) {
                uint32_t idx = i < n ? (uint32_t)i : far_base + (uint32_t)(i - n);
                gen_person_t p;

                gen_person(g, idx, &p);
                keys[i] = buf + i * 96;
                snprintf(keys[i], 96, "%s\x1f%s\x1f%s", p.surname->name, p.given->name, p.dob);
                if (i < 2000) {
                        nonascii += strspn(keys[i], "\x1f ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                                    "nopqrstuvwxyz-'0123456789") != strlen(keys[i]);
                        other_script += (unsigned char)p.surname->name[0] >= 0xce;
                }
                assert_int_equal(strlen(p.doc_number), 9);
                assert_true(p.issue_date < g->today && p.expiry_date > g->today);
        }
        qsort(keys, n + far, sizeof(*keys), cmp_str);
        for (i = 1; i < n + far; i++)
                if (strcmp(keys[i - 1], keys[i]) == 0)
                        fail_msg("two travellers share an identity");
        /* a share of non-ASCII names, ~5% in other scripts */
        assert_true(nonascii > 2000 / 5);
        assert_true(other_script > 2000 * 3 / 100 && other_script < 2000 * 7 / 100);

        /* pools: distinct, valid UTF-8, under 100 bytes */
        for (k = 0; k < GEN_GROUPS; k++) {
                const gen_group_t *grp = &gen_groups[k];
                size_t a, b;

                for (a = 0; a < grp->ngiven; a++) {
                        assert_true(utf8_valid(grp->given[a].name));
                        assert_true(strlen(grp->given[a].name) < 100);
                        for (b = a + 1; b < grp->ngiven; b++)
                                assert_string_not_equal(grp->given[a].name, grp->given[b].name);
                }
                for (a = 0; a < grp->nsurname; a++) {
                        assert_true(utf8_valid(grp->surname[a].name));
                        assert_true(strlen(grp->surname[a].name) < 100);
                        assert_true(gen_country_find(grp->surname[a].origin) >= 0);
                        for (b = a + 1; b < grp->nsurname; b++)
                                assert_string_not_equal(grp->surname[a].name, grp->surname[b].name);
                }
        }
        free(buf);
        free(keys);
        free(g);
}

static void test_helpers(void **state) {
        static const struct {
                const char *in;
                const char *out;
        } slugs[] = {
                {"Jürgen", "jurgen"},  {"Łukasz", "lukasz"},
                {"O'Brien", "obrien"}, {"Müller-Lüdenscheidt", "mullerludenscheidt"},
                {"Şeyma", "seyma"},    {"Nguyễn", "nguyen"},
                {"Иван", "x"},         {"Guðmundsdóttir", "gudmundsdottir"},
                {"Ștefan", "stefan"},  {"Dvořák", "dvorak"},
        };
        gen_t *g = calloc(1, sizeof(*g));
        char out[GEN_SLUG_MAX], date[11], (*locs)[8];
        size_t i;
        const size_t nloc = 200000;

        (void)state;
        for (i = 0; i < PF_GEN_COUNT(slugs); i++) {
                gen_slug(slugs[i].in, out);
                assert_string_equal(out, slugs[i].out);
        }
        gen_date_str(0, date);
        assert_string_equal(date, "1970-01-01");
        gen_date_str(-1, date);
        assert_string_equal(date, "1969-12-31");
        gen_date_str(20787, date);
        assert_string_equal(date, "2026-11-30");
        gen_date_str(11016, date);
        assert_string_equal(date, "2000-02-29");

        assert_non_null(g);
        g->conf.seed = 5;
        locs = malloc(nloc * sizeof(*locs));
        assert_non_null(locs);
        for (i = 0; i < nloc; i++)
                gen_locator(g, i, locs[i]);
        qsort(locs, nloc, sizeof(*locs), (int (*)(const void *, const void *))strcmp);
        for (i = 1; i < nloc; i++)
                assert_string_not_equal(locs[i - 1], locs[i]);
        free(locs);
        free(g);
}

/*
 * Bad payloads, schema versions, plants, other hubs, abort.
 */

static void test_bad_payloads(void **state) {
        pf_gen_conf_t conf;
        recorder_t rec;
        pf_gen_stats_t stats;
        size_t *by_id, *by_trip, nid, ntrip, i, k = 0, truth_bad = 0;
        size_t first_bad = SIZE_MAX, last_bad = 0;

        (void)state;
        test_conf(&conf);
        run_recorded(&conf, &rec, &stats);
        by_id = index_sorted(&rec, cmp_by_id, false, &nid);
        by_trip = index_sorted(&rec, cmp_by_trip, true, &ntrip);
        for (i = 0; i < rec.n; i++) {
                const rec_ev_t *r = &rec.ev[i];
                size_t lo = 0, hi = ntrip;

                if (r->bad < 0)
                        continue;
                if (first_bad == SIZE_MAX)
                        first_bad = i;
                last_bad = i;
                assert_int_equal(r->bad, (int)(k % PF_GEN_BAD__COUNT));
                assert_int_equal(r->topic, k % 2 == 0 ? PF_GEN_TOPIC_API : PF_GEN_TOPIC_PNR);
                assert_int_equal(r->push_kind, k % 2 == 0 ? PF_PUSH_CHECKIN : PF_PUSH_ADHOC);
                assert_true(r->sent_at >= r->dep - 72 * HOUR_MS && r->sent_at <= r->dep);
                if (r->bad == PF_GEN_BAD_MISSING_FIELD)
                        assert_string_equal(r->surname, "");
                else
                        assert_true(strlen(r->surname) > 0);
                /* not part of any traveller's history: its identity is on no valid event */
                while (lo < hi) {
                        size_t mid = (lo + hi) / 2;

                        if (strcmp(rec.ev[by_trip[mid]].ident, r->ident) < 0)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                if (r->bad != PF_GEN_BAD_MISSING_FIELD && lo < ntrip)
                        assert_string_not_equal(rec.ev[by_trip[lo]].ident, r->ident);
                k++;
        }
        assert_int_equal(k, 15);
        assert_int_equal(stats.bad, 15);
        /* spread through the stream */
        assert_true(first_bad < rec.n / 10);
        assert_true(last_bad > rec.n * 8 / 10);

        for (i = 0; i < rec.ntruth; i++) {
                char pattern[64], expect[32], topic[8], id[PF_EVENT_ID_MAX];
                const rec_ev_t *r;

                if (!json_str(rec.truth[i], "pattern", pattern, sizeof(pattern))) {
                        assert_non_null(strstr(rec.truth[i], "\"label"));
                        continue;
                }
                if (strcmp(pattern, "BAD_PAYLOAD") != 0)
                        continue;
                assert_true(json_str(rec.truth[i], "expect", expect, sizeof(expect)));
                assert_true(json_str(rec.truth[i], "topic", topic, sizeof(topic)));
                assert_true(json_str(rec.truth[i], "event_id", id, sizeof(id)));
                r = find_id(&rec, by_id, nid, id);
                assert_non_null(r);
                assert_true(r->bad >= 0);
                assert_string_equal(expect, pf_gen_bad_name((pf_gen_bad_t)r->bad));
                assert_string_equal(topic, r->topic == PF_GEN_TOPIC_API ? "api" : "pnr");
                truth_bad++;
        }
        assert_int_equal(truth_bad, 15);
        free(by_trip);
        free(by_id);
        rec_free(&rec);
}

static void test_schema_versions(void **state) {
        static const double shares[] = {0.0, 0.1, 0.5, 1.0};
        size_t s, i;

        (void)state;
        for (s = 0; s < PF_GEN_COUNT(shares); s++) {
                pf_gen_conf_t conf;
                recorder_t rec;
                pf_gen_stats_t stats;
                size_t v1 = 0, valid = 0, v2_res = 0, v2_ff = 0;
                double share;

                test_conf(&conf);
                conf.v1_share = shares[s];
                run_recorded(&conf, &rec, &stats);
                for (i = 0; i < rec.n; i++) {
                        const rec_ev_t *r = &rec.ev[i];

                        if (r->bad >= 0)
                                continue;
                        valid++;
                        assert_true(r->version == 1 || r->version == 2);
                        if (r->version == 1) {
                                v1++;
                                assert_string_equal(r->residence, "");
                                assert_string_equal(r->ff, "");
                        } else {
                                v2_res += r->residence[0] != '\0';
                                v2_ff += r->ff[0] != '\0';
                        }
                }
                share = (double)v1 / (double)valid;
                assert_true(fabs(share - shares[s]) < 0.02);
                if (shares[s] < 1.0) {
                        assert_int_equal(v2_res, valid - v1);
                        assert_true(v2_ff > 0);
                }
                rec_free(&rec);
        }
}

static void test_plants(void **state) {
        pf_gen_conf_t conf;
        recorder_t rec;
        pf_gen_stats_t stats;
        size_t *by_id, nid, i, k, count[4] = {0, 0, 0, 0};
        char ids[32][PF_EVENT_ID_MAX];
        static const char *const names[4] = {"R03_LAST_MINUTE", "R04_CASH_LATE", "R05_ONE_WAY",
                                             "R07_HIGH_RISK_COUNTRY"};

        (void)state;
        test_conf(&conf);
        run_recorded(&conf, &rec, &stats);
        by_id = index_sorted(&rec, cmp_by_id, false, &nid);
        for (i = 0; i < rec.ntruth; i++) {
                char pattern[64];
                size_t m, p, apis = 0;

                if (!json_str(rec.truth[i], "pattern", pattern, sizeof(pattern))) {
                        assert_non_null(strstr(rec.truth[i], "\"label"));
                        continue;
                }
                for (p = 0; p < 4 && strcmp(pattern, names[p]) != 0; p++)
                        ;
                if (p == 4)
                        continue;
                count[p]++;
                m = json_ids(rec.truth[i], ids, 32);
                assert_true(m >= 1);
                for (k = 0; k < m; k++) {
                        const rec_ev_t *r = find_id(&rec, by_id, nid, ids[k]);

                        assert_non_null(r);
                        if (r->topic == PF_GEN_TOPIC_API) {
                                apis++;
                                continue;
                        }
                        switch (p) {
                        case 0:
                                assert_true(r->dep - r->booked_at >= 2 * HOUR_MS &&
                                            r->dep - r->booked_at < 48 * HOUR_MS);
                                break;
                        case 1:
                                assert_int_equal(r->payment, PF_PAY_CASH);
                                assert_true(r->dep - r->booked_at < 48 * HOUR_MS);
                                break;
                        case 2:
                                assert_int_equal(r->trip_type, PF_TRIP_ONE_WAY);
                                break;
                        default:
                                assert_true(is_high_risk(r->dest_country));
                        }
                }
                assert_int_equal(apis, p == 3 ? 1 : 0);
        }
        for (k = 0; k < 4; k++)
                assert_int_equal(count[k], PF_GEN_PLANTED_PER_KIND);
        free(by_id);
        rec_free(&rec);
}

/** Parses "<name>":[...] into ids; returns the count (0 when absent). */
static size_t json_ids_of(const char *line, const char *name, char ids[][PF_EVENT_ID_MAX],
                          size_t max) {
        char pat[64], *copy;
        const char *p;
        size_t n;

        snprintf(pat, sizeof(pat), "\"%s\":[", name);
        p = strstr(line, pat);
        if (p == NULL)
                return 0;
        /* json_ids() reads "event_ids":[...]: hand it the array under that name */
        copy = malloc(strlen(p) + 16);
        assert_non_null(copy);
        snprintf(copy, strlen(p) + 16, "\"event_ids\":[%s", p + strlen(pat));
        n = json_ids(copy, ids, max);
        free(copy);
        return n;
}

/**
 * Every catalogue rule has a plant, and its must-hit events meet the rule's condition (as
 * rules/default.rules states it), read back from the events alone.
 */
static void test_every_rule_planted(void **state) {
        pf_gen_conf_t conf;
        recorder_t rec;
        pf_gen_stats_t stats;
        size_t *by_id, nid, i, k, lines[19] = {0}, events[19] = {0};
        char(*ids)[PF_EVENT_ID_MAX] = malloc(64 * sizeof(*ids));
        char(*ctx)[PF_EVENT_ID_MAX] = malloc(64 * sizeof(*ctx));

        (void)state;
        assert_non_null(ids);
        assert_non_null(ctx);
        test_conf(&conf);
        run_recorded(&conf, &rec, &stats);
        by_id = index_sorted(&rec, cmp_by_id, false, &nid);
        assert_int_equal(rec.wl_lines, PF_GEN_PLANTED_PER_KIND * 3 + (size_t)conf.watchlist_decoys);
        for (i = 0; i < rec.ntruth; i++) {
                const char *line = rec.truth[i];
                char pattern[64], rule[8];
                size_t m, c;
                int r;

                if (!json_str(line, "pattern", pattern, sizeof(pattern)) ||
                    strcmp(pattern, "BAD_PAYLOAD") == 0)
                        continue;
                assert_true(json_str(line, "rule", rule, sizeof(rule)));
                assert_true(rule[0] == 'R' && strlen(rule) == 3);
                r = atoi(rule + 1);
                assert_true(r >= 1 && r <= 18);
                assert_int_equal(strncmp(pattern, rule, 3), 0);
                assert_true(strstr(line, "\"deterministic\":true") != NULL ||
                            strcmp(pattern, "R02_WATCHLIST_NAME_FUZZY") == 0);
                m = json_ids_of(line, "must_hit", ids, 64);
                c = json_ids_of(line, "event_ids", ctx, 64);
                assert_true(m >= 1);
                lines[r]++;
                events[r] += m;
                for (k = 0; k < m; k++) {
                        const rec_ev_t *e = find_id(&rec, by_id, nid, ids[k]), *first;
                        int64_t lead = e != NULL ? e->dep - e->booked_at : 0;
                        size_t j;
                        bool in_ctx = false;

                        assert_non_null(e);
                        assert_true(e->bad < 0);
                        for (j = 0; j < c; j++)
                                in_ctx = in_ctx || strcmp(ctx[j], ids[k]) == 0;
                        assert_true(in_ctx); /* must_hit is a subset of event_ids */
                        first = find_id(&rec, by_id, nid, ctx[0]);
                        assert_non_null(first);
                        switch (r) {
                        case 1:
                        case 2:
                        case 15:
                        case 18:
                                /* hit through the watchlist, or earlier by rule 7 */
                                assert_true(strstr(line, "\"needs\":\"watchlist\"") != NULL ||
                                            strstr(line, "\"previously_hit_by\":\"R07\"") != NULL);
                                break;
                        case 3:
                                assert_true(e->has_booking && lead >= 0 && lead < 48 * HOUR_MS);
                                break;
                        case 4:
                                assert_true(e->payment == PF_PAY_CASH && lead >= 0 &&
                                            lead < 7 * DAY_MS);
                                break;
                        case 5:
                                assert_true(e->has_booking && e->trip_type == PF_TRIP_ONE_WAY);
                                break;
                        case 6:
                                if (strcmp(pattern, "R06_LONG_STOPOVER") == 0) {
                                        assert_int_equal(e->trip_type, PF_TRIP_MULTI_CITY);
                                        assert_true(e->max_gap >= 2 * DAY_MS);
                                } else { /* arrived at the hub on another booking < 2 days ago */
                                        assert_int_equal(first->direction, PF_DIR_INBOUND);
                                        assert_string_equal(first->dest_airport, e->origin_airport);
                                        assert_true(e->dep - first->dep > 0 &&
                                                    e->dep - first->dep < 40 * HOUR_MS);
                                        if (e->has_booking && first->has_booking)
                                                assert_string_not_equal(e->locator, first->locator);
                                }
                                break;
                        case 7:
                                assert_true(is_high_risk(e->dest_country) ||
                                            is_high_risk(e->origin_country) || e->leg_highrisk);
                                break;
                        case 8:
                                assert_true(e->topic == PF_GEN_TOPIC_API &&
                                            e->dep - e->sent_at < HOUR_MS - 20 * 60000 &&
                                            e->dep - e->sent_at >= 15 * 60000);
                                break;
                        case 9:
                                assert_true(e->has_booking && e->bag_count == 0 &&
                                            e->trip_length >= 9 * DAY_MS);
                                break;
                        case 10:
                                assert_true(e->has_booking && e->card_holder == 0);
                                break;
                        case 11:
                                assert_true(strcmp(e->agency_id, "AG-0666") == 0 ||
                                            strcmp(e->agency_id, "AG-1313") == 0 ||
                                            strcmp(e->agency_id, "XX-TRAVEL-9") == 0 ||
                                            strcmp(e->agency_country, "PRK") == 0);
                                break;
                        case 12: {
                                int64_t expires = (int64_t)e->expiry_date * DAY_MS - e->dep;
                                int64_t age = e->dep - (int64_t)e->issue_date * DAY_MS;

                                assert_true(e->has_doc);
                                assert_true((expires >= 3 * DAY_MS && expires < 27 * DAY_MS) ||
                                            (age >= 0 && age < 11 * DAY_MS));
                                break;
                        }
                        case 14: /* a second document and nationality, the same identity */
                                assert_string_equal(e->ident, first->ident);
                                assert_string_not_equal(e->person, first->person);
                                break;
                        case 16: /* on the booking of an earlier-hit co-traveller */
                                assert_string_not_equal(e->ident, first->ident);
                                break;
                        case 17: /* earlier trips: 3 other countries */
                                assert_true(c >= 4);
                                for (j = 0; j < c; j++) {
                                        const rec_ev_t *o = find_id(&rec, by_id, nid, ctx[j]);

                                        assert_non_null(o);
                                        assert_string_equal(o->ident, e->ident);
                                        if (o->dep < e->dep)
                                                assert_string_not_equal(o->dest_country,
                                                                        e->dest_country);
                                }
                                break;
                        default:
                                break;
                        }
                }
        }
        for (k = 1; k <= 18; k++)
                if (lines[k] == 0 || events[k] == 0)
                        fail_msg("rule R%02zu has no plant", k);
        /* 5 of each kind; R13 10 frequent travellers; R02, R06, R12, R15, R18: two shapes */
        for (k = 1; k <= 18; k++)
                assert_true(lines[k] >= PF_GEN_PLANTED_PER_KIND);
        free(ids);
        free(ctx);
        free(by_id);
        rec_free(&rec);
}

static void test_other_hub_and_optional_callbacks(void **state) {
        pf_gen_conf_t conf;
        recorder_t rec;
        pf_gen_sink_t sink;
        pf_gen_stats_t stats;
        size_t i;

        (void)state;
        test_conf(&conf);
        conf.hub_airport = "IST";
        conf.hub_country = "TUR";
        memset(&rec, 0, sizeof(rec));
        rec.keep = true;
        sink = rec_sink(&rec);
        sink.bad = NULL;
        sink.truth = NULL;
        assert_int_equal(pf_gen_run(&conf, &sink, &stats, NULL, 0), PF_OK);
        assert_int_equal(stats.bad, 0);
        assert_int_equal(rec.ntruth, 0);
        assert_int_equal(rec.n, stats.events);
        for (i = 0; i < rec.n; i++) {
                const rec_ev_t *r = &rec.ev[i];
                bool in = r->direction == PF_DIR_INBOUND; /* rule 6's planted arrivals */

                assert_string_equal(in ? r->dest_airport : r->origin_airport, "IST");
                assert_string_equal(in ? r->dest_country : r->origin_country, "TUR");
                assert_string_not_equal(in ? r->origin_country : r->dest_country, "TUR");
                assert_true(r->bad < 0);
        }
        rec_free(&rec);
}

static void test_abort(void **state) {
        static const size_t at[] = {1, 1000, 0 /* last truth line, set below */};
        pf_gen_conf_t conf;
        recorder_t rec;
        pf_gen_sink_t sink;
        pf_gen_stats_t stats;
        size_t total, i;
        char err[256];

        (void)state;
        test_conf(&conf);
        memset(&rec, 0, sizeof(rec));
        sink = rec_sink(&rec);
        assert_int_equal(pf_gen_run(&conf, &sink, &stats, NULL, 0), PF_OK);
        total = rec.calls;
        for (i = 0; i < PF_GEN_COUNT(at); i++) {
                memset(&rec, 0, sizeof(rec));
                rec.abort_at = at[i] != 0 ? at[i] : total;
                sink = rec_sink(&rec);
                assert_int_equal(pf_gen_run(&conf, &sink, &stats, err, sizeof(err)),
                                 PF_ERR_INTERNAL);
                assert_non_null(strstr(err, "callback returned 1"));
                assert_int_equal(rec.calls, rec.abort_at);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_conf_defaults),
                cmocka_unit_test(test_conf_invalid),
                cmocka_unit_test(test_determinism),
                cmocka_unit_test(test_order_ids_keys),
                cmocka_unit_test(test_trips_and_bookings),
                cmocka_unit_test(test_rule13_default),
                cmocka_unit_test(test_rule13_stress),
                cmocka_unit_test(test_identities_unique),
                cmocka_unit_test(test_helpers),
                cmocka_unit_test(test_bad_payloads),
                cmocka_unit_test(test_schema_versions),
                cmocka_unit_test(test_plants),
                cmocka_unit_test(test_every_rule_planted),
                cmocka_unit_test(test_other_hub_and_optional_callbacks),
                cmocka_unit_test(test_abort),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
