/**
 * @file hist.h
 * @brief A traveller's bounded travel history: a fixed-width value, no heap.
 *
 * A pf_hist_t is a plain value (copy it, memcmp it, keep it on the stack), which is why its struct
 * is public rather than opaque: its size is the contract (at most PF_HIST_MAX_TRIPS trips and
 * PF_HIST_MAX_DOCS document digests, whatever the traveller does). The functions below keep its
 * invariants; code that fills the struct by hand must keep them too or pf_hist_encode() refuses it:
 *
 *  - trips[0..trip_count) are sorted by departure_ms ascending, then carrier, then flight_number,
 *    with no two trips sharing carrier + flight_number + departure_ms;
 *  - every string is NUL-terminated inside its field;
 *  - direction is 0 or 1, flags only uses PF_TRIP_FLAGS_ALL;
 *  - doc_digests[0..doc_digest_count) are distinct, oldest first;
 *  - nationalities[0..nationality_count) are distinct, non-empty, oldest first; contacts
 *    [0..contact_count) have distinct (kind, digest), kind < PF_HIST_CONTACT__COUNT and flags
 *    inside PF_HIST_CONTACT_FLAGS_ALL; unused slots of both arrays are all zeros;
 *  - companion_hit of every trip is 0 or 1;
 *  - first_seen_ms <= last_seen_ms and every trip departs in [first_seen_ms, last_seen_ms],
 *    or, when no trip was ever applied, first_seen_ms == PF_HIST_SEEN_NONE_FIRST,
 *    last_seen_ms == PF_HIST_SEEN_NONE_LAST and trip_count == 0.
 *
 * The serialised form (pf_hist_encode()) is what is stored in RocksDB and on the changelog topic,
 * so it is read back as untrusted bytes by pf_hist_decode().
 *
 * Holds personal data: never log a history. Not thread-safe: a history belongs to one thread at a
 * time.
 */
#ifndef PF_HIST_H
#define PF_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "../workers/err.h"

#define PF_HIST_MAX_TRIPS    32 /**< trips kept per traveller; the oldest are evicted */
#define PF_HIST_MAX_DOCS     4  /**< document digests kept per traveller; the oldest are evicted */
#define PF_HIST_MAX_NATS     4  /**< nationalities kept per traveller; the oldest are evicted */
#define PF_HIST_MAX_CONTACTS 8  /**< contact digests kept per traveller; the oldest are evicted */

/** Kinds of contact digest (pf_key_digest() domains "phone", "email", "card"). */
typedef enum {
        PF_HIST_CONTACT_PHONE = 0,
        PF_HIST_CONTACT_EMAIL,
        PF_HIST_CONTACT_CARD,
        PF_HIST_CONTACT__COUNT
} pf_hist_contact_kind_t;

/** pf_hist_contact_t.flags bits. */
#define PF_HIST_CONTACT_FLAGGED   0x01u /**< seen on a watchlisted or rule-hit traveller or trip */
#define PF_HIST_CONTACT_PUBLISHED 0x02u /**< published to the shared flags table (flags.h) */
#define PF_HIST_CONTACT_FLAGS_ALL 0x03u

/** last_hit_ms of a traveller never hit. */
#define PF_HIST_HIT_NONE INT64_MIN

/** pf_trip_t.flags bits. */
#define PF_TRIP_FLAG_PNR       0x01u /**< a PNR event for this trip was seen */
#define PF_TRIP_FLAG_API       0x02u /**< an API event for this trip was seen */
#define PF_TRIP_FLAG_RULE_HIT  0x04u /**< a screening rule hit on this trip */
#define PF_TRIP_FLAG_PUBLISHED 0x08u /**< its booking was published to the flags table (flags.h)   \
                                      */
#define PF_TRIP_FLAGS_ALL 0x0fu

/** first_seen_ms / last_seen_ms of a history to which no trip was ever applied. */
#define PF_HIST_SEEN_NONE_FIRST INT64_MAX
#define PF_HIST_SEEN_NONE_LAST  INT64_MIN

/** Version byte that starts every encoding written by this code. */
#define PF_HIST_ENCODING_VERSION 2

/** Bytes of one encoded trip: departure (8) + six string fields (28) + direction + flags +
 *  booking digest (8) + companion_hit. */
#define PF_HIST_TRIP_ENCODED_SIZE 47
/** Bytes of one encoded contact: digest (8), kind, flags. */
#define PF_HIST_CONTACT_ENCODED_SIZE 10
/** Bytes of the encoded header: version, doc count, trip count, first seen (8), last seen (8),
 *  nationality count, contact count, last hit (8), then the fixed-width nationality (4 x 4) and
 *  contact (8 x 10) arrays. */
#define PF_HIST_HEADER_ENCODED_SIZE                                                                \
        (29 + 4 * PF_HIST_MAX_NATS + PF_HIST_CONTACT_ENCODED_SIZE * PF_HIST_MAX_CONTACTS)
/** The largest encoding: a full history. */
#define PF_HIST_ENCODED_MAX                                                                        \
        (PF_HIST_HEADER_ENCODED_SIZE + 8 * PF_HIST_MAX_DOCS +                                      \
         PF_HIST_TRIP_ENCODED_SIZE * PF_HIST_MAX_TRIPS)

/**
 * @brief One flight of a traveller. Strings are NUL-terminated and zero-filled after the NUL.
 */
typedef struct pf_trip_s {
        int64_t departure_ms;        /**< scheduled departure, ms since epoch (event time) */
        char carrier[4];             /**< e.g. "LH" */
        char flight_number[8];       /**< e.g. "400" */
        char origin_airport[4];      /**< IATA, e.g. "FRA" */
        char origin_country[4];      /**< ISO 3166 alpha-3 */
        char destination_airport[4]; /**< IATA */
        char destination_country[4]; /**< ISO 3166 alpha-3 */
        uint8_t direction;           /**< 0 inbound, 1 outbound (pf_direction_t) */
        uint8_t flags;               /**< PF_TRIP_FLAG_* */
        uint8_t companion_hit;   /**< 1: a previously hit traveller was on the same booking (set by
                                      the caller from its own table; OR-ed on merge) */
        uint64_t booking_digest; /**< keyed digest of the record locator, 0 when unknown (kept
                                      from the first event that knew it) */
} pf_trip_t;

/** @brief A contact (phone, e-mail, card) the traveller used: a keyed digest, never the value. */
typedef struct pf_hist_contact_s {
        uint64_t digest; /**< pf_key_digest() in the kind's domain */
        uint8_t kind;    /**< pf_hist_contact_kind_t */
        uint8_t flags;   /**< PF_HIST_CONTACT_* */
} pf_hist_contact_t;

/**
 * @brief A traveller's history. Initialise with pf_hist_init() (or pf_hist_decode()).
 */
typedef struct pf_hist_s {
        uint32_t trip_count;   /**< trips[0..trip_count) are in use, sorted (see file comment) */
        int64_t first_seen_ms; /**< min departure_ms of the trips ever applied */
        int64_t last_seen_ms;  /**< max departure_ms of the trips ever applied: the history's "now"
                                */
        uint64_t doc_digests[PF_HIST_MAX_DOCS];  /**< keyed digests of documents, oldest first */
        uint32_t doc_digest_count;               /**< doc_digests[0..doc_digest_count) are in use */
        char nationalities[PF_HIST_MAX_NATS][4]; /**< ISO alpha-3 codes seen, oldest first */
        uint32_t nationality_count;
        pf_hist_contact_t contacts[PF_HIST_MAX_CONTACTS]; /**< oldest first */
        uint32_t contact_count;
        int64_t last_hit_ms; /**< event time of the latest rule hit or watchlist match, or
                                  PF_HIST_HIT_NONE */
        pf_trip_t trips[PF_HIST_MAX_TRIPS];
} pf_hist_t;

/**
 * @brief Makes `hist` the empty history: no trips, no documents, seen times PF_HIST_SEEN_NONE_*.
 *
 * Zeroes every byte, so two histories built by the same calls compare equal with memcmp().
 */
void pf_hist_init(pf_hist_t *hist);

/**
 * @brief Applies one trip to the history.
 *
 * The trip is identified by carrier + flight_number + departure_ms. If the history already holds
 * it, `trip->flags` and `trip->companion_hit` are OR-ed into the stored trip, a zero
 * booking_digest takes the new one, and its other fields keep their first value;
 * otherwise the trip is inserted in order. Applying the same trip twice leaves the same history.
 *
 * The history's clock is event time, never the wall clock: now_ms is the latest departure ever
 * applied (last_seen_ms after this call). Trips with departure_ms < now_ms - retention_ms are
 * removed, and the trip itself is not stored if it is that old. When the history is full the
 * oldest trip (trips[0]) is evicted; a new trip that would itself be the oldest is not stored.
 * first_seen_ms / last_seen_ms are updated with trip->departure_ms in every case.
 *
 * The stored copy is normalised: strings are cut to their field size - 1 and zero-filled,
 * direction and companion_hit become 0 or 1 (direction non-zero means outbound), flags are
 * masked with PF_TRIP_FLAGS_ALL.
 *
 * @param hist         an initialised history.
 * @param trip         the trip to apply (borrowed).
 * @param retention_ms how far back from now_ms trips are kept; <= 0 keeps trips of any age (the
 *                     history is still bounded by PF_HIST_MAX_TRIPS).
 * @returns 1 if a new trip was stored, 0 if it was merged into an existing trip or not stored
 *          because it is older than the retention window or than every trip of a full history.
 */
int pf_hist_add_trip(pf_hist_t *hist, const pf_trip_t *trip, int64_t retention_ms);

/**
 * @brief Records a document digest if the history does not hold it yet.
 *
 * Keeps at most PF_HIST_MAX_DOCS digests, evicting the oldest-added one. A digest already present
 * is left where it is (adding it again changes nothing).
 */
void pf_hist_add_doc(pf_hist_t *hist, uint64_t digest);

/**
 * @brief Records a nationality (ISO alpha-3, at most 3 bytes) if not held yet; "" is ignored.
 *
 * Keeps at most PF_HIST_MAX_NATS, evicting the oldest-added one. Longer strings are cut to 3.
 */
void pf_hist_add_nationality(pf_hist_t *hist, const char *nationality);

/**
 * @brief Records a contact digest of @p kind, OR-ing @p flags into it if already held.
 *
 * Keeps at most PF_HIST_MAX_CONTACTS, evicting the oldest-added one. A digest of 0 (unknown) or a
 * kind out of range is ignored. Flags are masked with PF_HIST_CONTACT_FLAGS_ALL.
 */
void pf_hist_add_contact(pf_hist_t *hist, pf_hist_contact_kind_t kind, uint64_t digest,
                         uint8_t flags);

/**
 * @brief Notes that the traveller was hit (a rule hit or a watchlist match) at event time
 *        @p at_ms: last_hit_ms becomes the later of the two, and every held contact is flagged
 *        PF_HIST_CONTACT_FLAGGED.
 */
void pf_hist_mark_hit(pf_hist_t *hist, int64_t at_ms);

/**
 * @brief Serialises `hist`: fixed-width, little-endian, deterministic.
 *
 * Layout (version 2): u8 version, u8 doc_digest_count, u8 trip_count, i64 first_seen_ms,
 * i64 last_seen_ms, u8 nationality_count, u8 contact_count, i64 last_hit_ms,
 * PF_HIST_MAX_NATS x char[4] nationalities, PF_HIST_MAX_CONTACTS x {u64 digest, u8 kind,
 * u8 flags} (unused slots written as zeros), doc_digest_count x u64, then trip_count x
 * {i64 departure_ms, carrier[4], flight_number[8], origin_airport[4], origin_country[4],
 * destination_airport[4], destination_country[4], u8 direction, u8 flags, u64 booking_digest,
 * u8 companion_hit}. Version 1 encodings are rejected (the history restarts empty).
 * Only the used digests and trips are written,
 * and string bytes after the NUL are written as zeros, so the same history always gives the same
 * bytes and pf_hist_decode() of the output gives back a history that encodes to them again.
 *
 * @param hist a history that keeps the invariants listed in hist.h.
 * @param buf  receives the encoding; PF_HIST_ENCODED_MAX bytes are always enough.
 * @param cap  size of buf.
 * @returns the number of bytes written, or 0 if cap is too small or hist breaks an invariant (it
 *          would not decode). Nothing useful is left in buf when 0 is returned.
 */
size_t pf_hist_encode(const pf_hist_t *hist, uint8_t *buf, size_t cap);

/**
 * @brief Decodes an encoding that comes from disk or a changelog topic, i.e. untrusted bytes.
 *
 * Reads go through a bounded cursor. The encoding must be canonical: exactly what
 * pf_hist_encode() writes for some history, so decode-then-encode gives back the same bytes.
 *
 * @param buf  the encoding; may be NULL when len is 0.
 * @param len  its length.
 * @param hist receives the history; on error it is left initialised empty (pf_hist_init()).
 * @returns PF_OK;
 *          PF_ERR_TRUNCATED      the bytes end before the history does;
 *          PF_ERR_INVALID_VALUE  unknown version, more than PF_HIST_MAX_TRIPS trips or
 *                                PF_HIST_MAX_DOCS digests, a string not NUL-terminated inside its
 *                                field or with non-zero bytes after the NUL, direction or flags
 *                                out of range, trips not strictly sorted, duplicate digests, or
 *                                seen times inconsistent with the trips;
 *          PF_ERR_TRAILING_BYTES bytes are left after the history.
 */
pf_err_t pf_hist_decode(const uint8_t *buf, size_t len, pf_hist_t *hist);

#endif /* PF_HIST_H */
