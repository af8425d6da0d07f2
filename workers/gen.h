/**
 * @file gen.h
 * @brief Deterministic traffic generator: synthetic API and PNR events for a hub airport.
 *
 * The generator knows nothing of Kafka or Avro. It fills pf_event_t structs and hands them to a
 * sink; the caller encodes them and writes them to Kafka or a file. The same seed and conf always
 * give a byte-identical sequence of sink calls (pf_event_t structs included, padding zeroed).
 *
 * What a run contains:
 * - hours * flights_per_hour OUTBOUND departures from hub_airport, spread over the window
 *   [start_ms, start_ms + hours), to foreign destinations (the hub's own country is skipped),
 *   each with pax_per_flight +-30% travellers. Every traveller-trip yields PNR pushes at T-72h,
 *   T-48h, T-24h and DEPARTURE (only those at or after booked_at; DEPARTURE always) and one API
 *   at check-in, sent 3 h to 40 min before departure.
 * - repeat_share of those travellers also made 1 or 2 earlier trips in the history_days before
 *   start_ms (full event sets, on "route flights": one per route and day, shared by all on it).
 *   An ordinary traveller makes at most 3 trips in total, so never reaches rule 13's 4 trips.
 * - frequent_travellers planted travellers with 5 outbound trips to the same destination,
 *   spaced 5-7 days apart, the last on a window flight, the first less than 28 days before it
 *   (so the earlier trips may lie before the history period when history_days < 28).
 * - 5 planted bookings each of R03 (booked 2-47 h before departure), R04 (cash, booked 6-47 h
 *   before), R05 (one-way) and R07 (a flight to the high-risk group; at least one window flight
 *   goes there), fewer when the run has too few travellers.
 * - bad_payloads malformed payloads, kinds cycling in pf_gen_bad_t order, topic alternating
 *   API, PNR, ..., at evenly spaced positions of the stream. Each starts from a valid event of
 *   a traveller of its own (in no history) on the flight of the event just before it; push kind
 *   CHECKIN on API, ADHOC on PNR.
 *
 * Identities are unique by construction: two different travellers never share surname +
 * given_names + date_of_birth, and a traveller carries exactly the same strings in every event
 * (same document too). Names are UTF-8 in Latin (with diacritics), Cyrillic, Greek and Arabic
 * script (~5% non-Latin).
 *
 * Memory: whole-run. The run's trips (36 bytes each) and one 16-byte sort record per event
 * (twice, for the radix sort) are held in memory, never pf_event_t: about 40 bytes per event,
 * e.g. ~50 MB for 1,000 flights x 200 travellers. A conf whose estimated size exceeds
 * PF_GEN_EVENTS_MAX is refused.
 *
 * Not thread-safe per run; concurrent runs with separate sinks are fine (no global state).
 */
#ifndef PF_GEN_H
#define PF_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "event.h"

/** Upper bound of the estimated number of events of one run (about 800 MB of working memory). */
#define PF_GEN_EVENTS_MAX 20000000u

/** Planted bookings of each of R03, R04, R05 and R07 (fewer when the run is too small). */
#define PF_GEN_PLANTED_PER_KIND 5

/** Generator configuration. Fill with pf_gen_conf_defaults(), then override. */
typedef struct pf_gen_conf_s {
        uint64_t seed;    /**< same seed + conf -> byte-identical sequence of sink calls */
        int64_t start_ms; /**< start of the departure window (UTC ms), default 2026-11-30T06:00Z;
                           *   range [2000-01-01, 2100-01-01) */
        int hours;        /**< length of the departure window, default 1; range [1, 744] */
        int flights_per_hour; /**< departures per hour from the hub, default 60; range [1, 200] */
        int pax_per_flight;   /**< mean travellers per flight (each flight +-30%), default 150;
                               *   range [1, 853] */
        int history_days;     /**< repeat travellers' earlier trips lie in the days before start_ms,
                               *   default 40; range [0, 365]; must be >= 1 when repeat_share > 0 */
        double repeat_share;  /**< share of window travellers with 1-2 earlier trips, default 0.2;
                               *   range [0, 1] */
        int frequent_travellers; /**< planted rule-13 travellers, default 10; range [0, 100000] */
        int bad_payloads;        /**< planted malformed payloads, default 12; range [0, 1000000] */
        int watchlist_decoys;    /**< watchlist entries of people who never travel, beside the
                                  *   planted ones, default 1000; range [0, 1000000] */
        double v1_share;         /**< share of events to write with schema version 1, default 0.1;
                                  *   range [0, 1] */
        const char *hub_airport; /**< IATA code, 3 upper-case letters, default "FRA" (borrowed) */
        const char *hub_country; /**< ISO alpha-3, 3 upper-case letters, default "DEU" (borrowed) */
} pf_gen_conf_t;

/** @brief Fills @p conf with the defaults documented on pf_gen_conf_t (seed 1). */
void pf_gen_conf_defaults(pf_gen_conf_t *conf);

typedef enum { PF_GEN_TOPIC_API = 0, PF_GEN_TOPIC_PNR = 1 } pf_gen_topic_t;

/** How a planted bad payload is to be broken; each maps to the pf_err_t of the same name. */
typedef enum {
        PF_GEN_BAD_NOT_WIRE_FORMAT,
        PF_GEN_BAD_UNKNOWN_SCHEMA,
        PF_GEN_BAD_TRUNCATED,
        PF_GEN_BAD_LENGTH,
        PF_GEN_BAD_ENUM,
        PF_GEN_BAD_UNION,
        PF_GEN_BAD_MISSING_FIELD,
        PF_GEN_BAD__COUNT
} pf_gen_bad_t;

/**
 * Where the generated traffic goes. Every pointer handed to a callback (key, ev, json_line) is
 * valid only during the call; copy what you keep.
 */
typedef struct pf_gen_sink_s {
        void *opaque;
        /** A valid event for a topic, with its message key (API: "<carrier><number>/<YYYY-MM-DD>"
         *  of the flight's scheduled departure date in UTC; PNR: the record locator) and the schema
         *  version to write it with (1 or 2). Returns 0, or non-zero to abort the run. Required. */
        int (*event)(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                     int schema_version);
        /** A planted bad payload. `ev` is a valid event to start from (for PF_GEN_BAD_MISSING_FIELD
         *  it already has an empty surname: the sink just encodes it), `kind` says how to break
         *  it. Returns 0 or non-zero to abort. May be NULL: bad payloads are then skipped (and not
         *  counted, and get no truth line). */
        int (*bad)(void *opaque, pf_gen_topic_t topic, const char *key, const pf_event_t *ev,
                   pf_gen_bad_t kind);
        /** One line of ground truth (a JSON object, no newline). May be NULL. */
        int (*truth)(void *opaque, const char *json_line);
        /** One watchlist entry as a JSON Lines line (the format pf_watchlist_load_file() and
         *  `paxflow watchlist load` read; no newline). May be NULL: no watchlist. */
        int (*watchlist)(void *opaque, const char *json_line);
} pf_gen_sink_t;

/** What a run emitted (up to the abort, if a callback aborted it). */
typedef struct pf_gen_stats_s {
        uint64_t events; /**< valid events: event() calls (= api + pnr; bad ones not included) */
        uint64_t api;    /**< event() calls on PF_GEN_TOPIC_API */
        uint64_t pnr;    /**< event() calls on PF_GEN_TOPIC_PNR */
        uint64_t bad;    /**< bad() calls */
        uint64_t travellers; /**< distinct travellers with at least one trip (frequent included) */
        uint64_t frequent;   /**< planted frequent travellers */
        uint64_t trips;      /**< traveller-trips (one booking, one API each) */
} pf_gen_stats_t;

/**
 * @brief Runs the generator.
 *
 * Calls come in this order: event() and bad() calls merged in non-decreasing sent_at order (ties
 * broken by trip, then push kind: T72H, T48H, T24H, DEPARTURE, CHECKIN; a bad payload carries the
 * sent_at of the event just before it); then, once all events are out, the truth() lines:
 * - `{"pattern":"R13_FREQUENT_TRIPS","traveller":"T<index>","event_ids":[...]}` per frequent
 *   traveller, listing all its events (5 trips, PNR and API);
 * - `{"pattern":"R03_LAST_MINUTE"|"R04_CASH_LATE"|"R05_ONE_WAY","event_ids":[...]}` per planted
 *   booking, listing that booking's PNR pushes (the events that carry the booking);
 * - `{"pattern":"R07_HIGH_RISK_COUNTRY","event_ids":[...]}` per planted trip, listing its PNR
 *   pushes and its API event (both carry the flight);
 * - `{"pattern":"BAD_PAYLOAD","expect":"<pf_gen_bad_name>","topic":"api|pnr","event_id":"..."}`.
 *
 * Event ids are "ev-<seed in hex>-<decimal counter>", unique within a run. For version-1 events
 * traveller.residence and booking.frequent_flyer_id are left empty.
 *
 * @param conf        the configuration (borrowed).
 * @param sink        the callbacks (borrowed); sink->event must not be NULL.
 * @param stats       receives the counts; may be NULL.
 * @param errstr      receives a message on error ("" on success); may be NULL.
 * @param errstr_size size of errstr.
 *
 * @returns PF_OK; PF_ERR_CONFIG for an invalid conf or sink (errstr names the field and its
 *          allowed range); PF_ERR_NOMEM; PF_ERR_INTERNAL if a sink callback returned non-zero
 *          (the run stops at once).
 */
pf_err_t pf_gen_run(const pf_gen_conf_t *conf, const pf_gen_sink_t *sink, pf_gen_stats_t *stats,
                    char *errstr, size_t errstr_size);

/** @returns "NOT_WIRE_FORMAT", "UNKNOWN_SCHEMA", "TRUNCATED", "BAD_LENGTH", "BAD_ENUM",
 *           "BAD_UNION", "MISSING_FIELD", or "UNKNOWN" (static strings). */
const char *pf_gen_bad_name(pf_gen_bad_t kind);

#endif /* PF_GEN_H */
