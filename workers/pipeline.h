/**
 * @file pipeline.h
 * @brief The two stages of paxflow as functions of bytes in, bytes out, with no Kafka in them.
 *
 * Stage 1 decodes and validates an event and derives its pseudonymous traveller key; the caller
 * re-publishes the original bytes keyed by it. Stage 2 decodes the re-published event, appends the
 * trip to the traveller's history in the partition's store, evaluates the rules and encodes a
 * ScoredResult. Keeping Kafka out makes both stages testable and benchmarkable in-process.
 *
 * A pipeline is used by one thread.
 */
#ifndef PF_PIPELINE_H
#define PF_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "../state/store.h"
#include "codec.h"
#include "flags.h"
#include "registry.h"
#include "hcache.h"
#include "key.h"
#include "rules.h"
#include "ruleeval.h"
#include "score.h"
#include "screen.h"
#include "watchlist.h"

typedef struct pf_pipeline_s pf_pipeline_t;

typedef struct pf_pipeline_conf_s {
        const pf_schemas_t *schemas; /**< borrowed */
        const pf_key_t *key;         /**< borrowed: the pseudonymisation secret */
        const char *state_dir;       /**< per-partition stores live under it */
        pf_store_conf_t store;
        pf_codec_conf_t codec;
        pf_rules_conf_t rules;
        pf_bands_t bands;
        int64_t retention_ms;            /**< history retention, event time */
        size_t hist_cache_bytes;         /**< committed histories cached in memory; 0: none */
        const pf_watchlist_t *watchlist; /**< borrowed; NULL: no screening */
        const pf_ruleset_t *ruleset;     /**< borrowed; NULL: the built-in C rules (rules.h) */
        double screen_threshold;         /**< lowest match confidence reported */
        /** borrowed; NULL: R15 and R16 see the traveller's own history only. The rule-set path
         *  looks up other travellers' flags in it and emits the flags of hit travellers
         *  (pf_pipeline_flags_out()). */
        pf_flags_t *flags;
        /** 1: also add the emitted flags to @c flags at once (backtest, bench: one thread, events
         *  in order); with @c flags NULL the pipeline makes its own table. A worker leaves it 0
         *  and adds them when it reads them back committed. */
        int flags_local;
        int64_t flags_delay_ms; /**< for the pipeline's own table (flags.delay.ms) */
} pf_pipeline_conf_t;

/** @brief Fills defaults (everything but schemas, key and state_dir). */
void pf_pipeline_conf_defaults(pf_pipeline_conf_t *conf);

pf_pipeline_t *pf_pipeline_new(const pf_pipeline_conf_t *conf, char *errstr, size_t errstr_size);

/** @brief Closes every store and frees the pipeline; NULL is a no-op. */
void pf_pipeline_destroy(pf_pipeline_t *pipe);

/**
 * @brief Stage 1: decode, validate, derive the traveller key.
 * @returns PF_OK with key_hex filled, or a bad-input code with errstr (never quoting a value).
 */
pf_err_t pf_stage1_process(pf_pipeline_t *pipe, const void *value, size_t len,
                           char key_hex[PF_KEY_HEX_SIZE], char *errstr, size_t errstr_size);

/**
 * @brief Stage 2: history, rules, score, encode.
 * @param partition the repartition-topic partition the message came from: it selects the store.
 * @returns PF_OK with *out (valid until the next call on @p pipe) and *band set; a bad-input code
 *          for a bad message; PF_ERR_STATE when the store fails (not the message's fault).
 */
pf_err_t pf_stage2_process(pf_pipeline_t *pipe, int32_t partition, const void *key, size_t key_len,
                           const void *value, size_t len, int64_t now_ms, const uint8_t **out,
                           size_t *out_len, pf_band_t *band, char *errstr, size_t errstr_size);

/**
 * @brief The flags the last pf_stage2_process() raised (a hit traveller's contacts and booking,
 *        each once per traveller): the caller publishes them to the flags topic partition of
 *        the event's partition, in the same transaction as the result.
 */
void pf_pipeline_flags_out(const pf_pipeline_t *pipe, const pf_flags_rec_t **recs, size_t *n);

/** @brief Encodes a dead letter with the pipeline's codec (same buffer contract as stage 2). */
pf_err_t pf_pipeline_dead_letter(pf_pipeline_t *pipe, const pf_dead_letter_t *dl,
                                 const uint8_t **out, size_t *out_len);

/** @returns the result of the last successful pf_stage2_process() (for metrics). */
const pf_result_t *pf_pipeline_last_result(const pf_pipeline_t *pipe);

/** @returns the rule-set version the pipeline scores with. */
const char *pf_pipeline_ruleset_version(const pf_pipeline_t *pipe);

/** @brief Closes the store of a partition this worker no longer owns. */
void pf_pipeline_release(pf_pipeline_t *pipe, int32_t partition);

/** @returns the store of @p partition if open, else NULL (for stats). */
pf_store_t *pf_pipeline_store(pf_pipeline_t *pipe, int32_t partition);

/* ---- Transactions of state: stage 2 writes go to an overlay, applied after commit. ---- */

/** Most distinct travellers one transaction may change before the worker must commit. */
#define PF_PIPELINE_OVERLAY_MAX 8192

/** @returns the number of traveller histories changed since the last apply/discard. */
size_t pf_pipeline_dirty(const pf_pipeline_t *pipe);

/** Emits one changelog record: key = the 16-byte traveller key, value = the encoded history. */
typedef int(pf_changelog_emit_fn)(void *opaque, int32_t partition, const uint8_t *key,
                                  size_t key_len, const uint8_t *value, size_t value_len);

/**
 * @brief Emits the changed histories to the changelog (inside the caller's transaction).
 * @returns PF_OK, or PF_ERR_KAFKA when @p emit failed.
 */
pf_err_t pf_pipeline_changelog(pf_pipeline_t *pipe, pf_changelog_emit_fn *emit, void *opaque);

/**
 * @brief After a successful commit: writes the changed histories to their stores, each store's
 *        batch with the changelog offset it is now consistent with (@p changelog_next[partition],
 *        or no offset where it is negative or @p changelog_next is NULL), then clears the overlay.
 */
pf_err_t pf_pipeline_apply(pf_pipeline_t *pipe, const int64_t *changelog_next, size_t count,
                           char *errstr, size_t errstr_size);

/** @brief After an abort: forgets every change since the last apply. */
void pf_pipeline_discard(pf_pipeline_t *pipe);

/**
 * @brief Opens the store of @p partition for a restore and returns the changelog offset to
 *        restore from: the one stored with its last applied batch, or -2 (the beginning).
 */
pf_err_t pf_pipeline_restore_begin(pf_pipeline_t *pipe, int32_t partition, int64_t *from_offset,
                                   char *errstr, size_t errstr_size);

/** @brief Applies one changelog record (a null/empty value deletes) to the partition's store. */
pf_err_t pf_pipeline_restore_record(pf_pipeline_t *pipe, int32_t partition, const void *key,
                                    size_t key_len, const void *value, size_t value_len,
                                    char *errstr, size_t errstr_size);

/** @brief Finishes (or checkpoints) a restore: flushes pending records with @p next_offset. */
pf_err_t pf_pipeline_restore_flush(pf_pipeline_t *pipe, int32_t partition, int64_t next_offset,
                                   char *errstr, size_t errstr_size);

/**
 * @brief Scores the next events with @p ruleset (borrowed; NULL: the built-in C rules). Call it
 *        between events; the previous rule set may be freed once this returns.
 */
pf_err_t pf_pipeline_set_ruleset(pf_pipeline_t *pipe, const pf_ruleset_t *ruleset);

/** @returns the per-rule caps in use (NULL without a rule set), and the rule set in *rs. */
const pf_rule_caps_t *pf_pipeline_rule_caps(const pf_pipeline_t *pipe, const pf_ruleset_t **rs);

/** @brief Resolves unshipped schema ids through @p registry (borrowed; NULL: none). */
void pf_pipeline_set_registry(pf_pipeline_t *pipe, pf_registry_t *registry);

/** Time spent per stage, in ns, summed over the calls (for `paxflow bench core`). */
typedef enum {
        PF_STAGE_DECODE1 = 0, /**< stage 1: decode and validate */
        PF_STAGE_KEY,         /**< stage 1: normalise names, keyed hash */
        PF_STAGE_DECODE2,     /**< stage 2: decode again */
        PF_STAGE_HISTORY,     /**< stage 2: read the history (overlay or store), add the trip */
        PF_STAGE_SCREEN,      /**< stage 2: watchlist */
        PF_STAGE_RULES,       /**< stage 2: rules and score */
        PF_STAGE_ENCODE,      /**< stage 2: encode the ScoredResult */
        PF_STAGE__COUNT
} pf_stage_t;

typedef struct pf_pipeline_timing_s {
        uint64_t ns[PF_STAGE__COUNT];
} pf_pipeline_timing_t;

/** @brief Accumulate stage times into @p timing (NULL: stop). Costs two clock reads a stage. */
void pf_pipeline_set_timing(pf_pipeline_t *pipe, pf_pipeline_timing_t *timing);

/** @brief The trip an event describes, as history records it (flags: PNR or API). */
void pf_trip_from_event(const pf_event_t *ev, pf_trip_t *trip);

/** @brief Hits and misses of the committed-history cache in front of the stores (hcache.h). */
void pf_pipeline_cache_stats(const pf_pipeline_t *pipe, pf_hcache_stats_t *stats);

/** @returns the event the last stage-1 or stage-2 call decoded. */
const pf_event_t *pf_pipeline_event(const pf_pipeline_t *pipe);

/* ---- The partition's event-order state (order.h), kept beside its histories. ---- */

/** Changelog key of a partition's order state (no traveller key is 6 bytes long). */
#define PF_PIPELINE_ORDER_KEY     "~order"
#define PF_PIPELINE_ORDER_KEY_LEN 6

/** @brief Stages the partition's committed order state for the next pf_pipeline_apply(). */
pf_err_t pf_pipeline_order_put(pf_pipeline_t *pipe, int32_t partition, const void *blob,
                               size_t len);

/** @brief Reads the partition's order state from its store (*found 0 when it has none). */
pf_err_t pf_pipeline_order_get(pf_pipeline_t *pipe, int32_t partition, void *buf, size_t cap,
                               size_t *len, int *found, char *errstr, size_t errstr_size);

#endif /* PF_PIPELINE_H */
