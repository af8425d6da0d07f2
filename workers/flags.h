/**
 * @file flags.h
 * @brief The shared table of hit travellers' contacts and bookings (rules R15 and R16).
 *
 * R15 (shares a phone or e-mail with a hit traveller) and R16 (travels repeatedly with a hit
 * traveller) look across travellers, and travellers live in different partitions, often on
 * different workers. So stage 2 publishes, for every traveller hit now or before, the keyed
 * digests of the contacts and the booking (record locator) of its events to the `<prefix>.flags`
 * topic, one record per (digest, traveller), in the same transaction as the result. Every worker
 * reads that topic in full, like the watchlist, into this table.
 *
 * **Determinism.** A flag raised at event time f is visible to an event at time t only when
 * f < t - delay (`flags.delay.ms`, default one hour). Each stage-2 partition also publishes its
 * progress P, "every event of mine with time < P is applied and its flags are written before this
 * record", after its flags in the same topic partition. A worker releases an event at t only when
 * every partition's progress it has read is >= t - delay, so the flags it can see are exactly
 * those raised before t - delay, whatever the timing: a replay, a run with kills and a clean run
 * agree. In a live stream progress trails the clock by about a commit interval, far less than the
 * delay, so the gate costs nothing; a replay advances at most one delay of event time per
 * exchange of progress between workers (a worker held by another's partition commits at once).
 *
 * **Self.** A flag names its traveller (the first 8 bytes of the pseudonymous key), and a lookup
 * ignores the asking traveller's own flags: the traveller's own history already covers R15's
 * "contact reused after a hit", and a traveller is not its own companion. Per digest the table
 * keeps the two earliest distinct flaggers, which answers "flagged by someone else before T"
 * exactly for any T.
 *
 * Only keyed digests are stored or published; never a phone, an e-mail or a record locator.
 */
#ifndef PF_FLAGS_H
#define PF_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#define PF_FLAGS_NONE       INT64_MIN /**< "no flag" */
#define PF_FLAGS_DELAY_MS   3600000   /**< default flags.delay.ms */
#define PF_FLAGS_MAX_PARTS  4096      /**< stage-2 partitions tracked */
#define PF_FLAGS_KEY_LEN    17        /**< a flag record's key: 'F', digest, flagger */
#define PF_FLAGS_VAL_LEN    10        /**< a flag record's value: version, kind, time */
#define PF_FLAGS_PG_KEY_LEN 7         /**< a progress record's key: "~pg", partition */
#define PF_FLAGS_PG_VAL_LEN 9         /**< a progress record's value: version, time */

/** What a flagged digest is. The digests' own domains ("phone", "email", "pnr") keep them apart. */
typedef enum {
        PF_FLAG_PHONE = 1,
        PF_FLAG_EMAIL = 2,
        PF_FLAG_BOOKING = 3,
} pf_flag_kind_t;

/** A record of the flags topic, parsed. */
typedef struct pf_flags_rec_s {
        int progress;     /**< 1: a progress record (partition, time); 0: a flag */
        uint64_t digest;  /**< flag: the flagged digest (never 0) */
        uint64_t flagger; /**< flag: the flagging traveller */
        uint8_t kind;     /**< flag: pf_flag_kind_t */
        int32_t partition;
        int64_t time;
} pf_flags_rec_t;

typedef struct pf_flags_s pf_flags_t;

/** @returns an empty table whose lookups apply @p delay_ms (>= 0), or NULL without memory. */
pf_flags_t *pf_flags_new(int64_t delay_ms);
void pf_flags_destroy(pf_flags_t *f); /* NULL is a no-op */
int64_t pf_flags_delay(const pf_flags_t *f);

/**
 * @brief Records that @p flagger was flagged on @p digest at @p time (idempotent; the earliest
 *        time per flagger counts). A zero digest is ignored.
 * @returns 0, or -1 without memory.
 */
int pf_flags_add(pf_flags_t *f, uint64_t digest, uint64_t flagger, uint8_t kind, int64_t time);

/** @returns 1 if a traveller other than @p self flagged @p digest before @p t - delay. */
int pf_flags_visible(const pf_flags_t *f, uint64_t digest, uint64_t self, int64_t t);

/** @returns how many digests are flagged. */
size_t pf_flags_count(const pf_flags_t *f);

/* ---- Progress of the stage-2 partitions (what the gate reads) ---- */

/** @brief Sets how many stage-2 partitions there are (at most PF_FLAGS_MAX_PARTS); unknown ones
 *         hold the gate at -infinity until their first progress record. */
void pf_flags_set_parts(pf_flags_t *f, int32_t parts);
/** @brief Partition @p p has applied everything below @p time (a lower value is ignored). */
void pf_flags_progress(pf_flags_t *f, int32_t p, int64_t time);
/** @returns partition @p p's progress as read (PF_FLAGS_NONE before any). */
int64_t pf_flags_progress_of(const pf_flags_t *f, int32_t p);
/** @returns how many stage-2 partitions the gate covers. */
int32_t pf_flags_parts(const pf_flags_t *f);
/** @returns the lowest progress over every partition (PF_FLAGS_NONE if one is unknown). */
int64_t pf_flags_progress_min(const pf_flags_t *f);
/** @returns 1 if an event at @p t may be applied: every partition's progress >= t - delay. */
int pf_flags_may_apply(const pf_flags_t *f, int64_t t);
/** @returns the latest event time that may be applied now (PF_FLAGS_NONE: none may), i.e. the
 *           lowest progress plus the delay, saturated. */
int64_t pf_flags_gate(const pf_flags_t *f);
/** @returns the gate for a lowest progress of @p lowest (a caller that knows some partitions'
 *           progress better than the table): @p lowest plus the delay, saturated. */
int64_t pf_flags_gate_at(const pf_flags_t *f, int64_t lowest);

/* ---- Records ---- */

/** @brief Writes a flag record. */
void pf_flags_rec_flag(uint8_t key[PF_FLAGS_KEY_LEN], uint8_t val[PF_FLAGS_VAL_LEN],
                       uint64_t digest, uint64_t flagger, uint8_t kind, int64_t time);
/** @brief Writes a progress record. */
void pf_flags_rec_progress(uint8_t key[PF_FLAGS_PG_KEY_LEN], uint8_t val[PF_FLAGS_PG_VAL_LEN],
                           int32_t partition, int64_t time);
/** @returns 0 and the record, or -1 when the bytes are not a valid record of either kind. */
int pf_flags_rec_parse(const void *key, size_t key_len, const void *val, size_t val_len,
                       pf_flags_rec_t *rec);

#endif /* PF_FLAGS_H */
