/**
 * @file ruleeval.h
 * @brief Evaluating a compiled rule set (rulelang.h) on one event: no heap, no locks.
 *
 * The caller bundles what a rule may read in a pf_rule_input_t: the event, the traveller's
 * history (already holding the current trip), the watchlist matches of the result, values derived
 * from the event (pf_rule_input_fill() computes them) and the keyed digests of the event's
 * contacts. pf_ruleset_eval() appends one pf_hit_t per firing rule to the result.
 *
 * Cost per event: every rule's expression tree is walked once; an aggregate reads its
 * collection once (at most PF_HIST_MAX_TRIPS trips, PF_LEGS_MAX legs, PF_RESULT_MAX_MATCHES
 * matches, PF_HIST_MAX_CONTACTS contacts). No allocation.
 *
 * Thread-safety: a pf_ruleset_t is read-only after compilation and may be shared; a
 * pf_rule_caps_t is mutable and belongs to one thread.
 */
#ifndef PF_RULEEVAL_H
#define PF_RULEEVAL_H

#include <stdint.h>

#include "../state/hist.h"
#include "event.h"
#include "result.h"
#include "rulelang.h"

/** Sentinel of an unknown duration or time in pf_rule_derived_t. */
#define PF_RULE_NONE INT64_MIN

/** Values derived from the event, computed once per event (pf_rule_input_fill()). */
typedef struct pf_rule_derived_s {
        char foreign_country[4]; /**< outbound: destination country, inbound: origin country */
        int64_t lead_time;       /**< departure - booked_at, ms; PF_RULE_NONE without booking */
        int64_t data_lead;       /**< departure - sent_at, ms */
        int64_t trip_length;     /**< last leg arrival - first leg departure; PF_RULE_NONE */
        int64_t max_stopover;    /**< longest gap between consecutive legs; 0 with < 2 legs */
        int64_t doc_expires_in;  /**< document expiry - departure; PF_RULE_NONE if unknown */
        int64_t doc_age;         /**< departure - document issue; PF_RULE_NONE if unknown */
        uint64_t booking_digest; /**< keyed digest of the record locator; 0 when unknown */
} pf_rule_derived_t;

/** Per-rule hit caps: mutable, per thread. Create with pf_rule_caps_new(). */
typedef struct pf_rule_caps_s pf_rule_caps_t;

/** What a rule may read. Pointers are borrowed for the duration of pf_ruleset_eval(). */
typedef struct pf_rule_input_s {
        const pf_event_t *ev;
        const pf_hist_t *hist;     /**< already including the current trip; NULL = empty */
        const pf_match_t *matches; /**< the result's watchlist matches */
        uint32_t match_count;
        pf_rule_derived_t derived;                        /**< see pf_rule_input_fill() */
        uint64_t contact_digests[PF_HIST_CONTACT__COUNT]; /**< phone, e-mail, card; 0 = none */
        pf_rule_caps_t *caps;                             /**< NULL: no caps */
} pf_rule_input_t;

/**
 * @brief Fills @p in for @p ev: borrows @p ev, @p hist and the matches of @p res (if not NULL)
 *        and computes in->derived. contact_digests and derived.booking_digest (keyed digests,
 *        pf_key_digest()) and caps are left zero/NULL for the caller to set.
 */
void pf_rule_input_fill(pf_rule_input_t *in, const pf_event_t *ev, const pf_hist_t *hist,
                        const pf_result_t *res);

/**
 * @brief Evaluates every rule of @p rs on @p in and appends a hit per firing rule to @p res
 *        (up to PF_RESULT_MAX_HITS; further hits are dropped). Sets res->ruleset_version.
 *
 * A rule whose cap is reached (see pf_rule_caps_t) does not add its hit; the suppression is
 * counted. No allocation.
 */
void pf_ruleset_eval(const pf_ruleset_t *rs, const pf_rule_input_t *in, pf_result_t *res);

/**
 * @brief Per-rule caps: a rule declared with `cap N per D` adds at most N hits per window of
 *        length D, windows aligned on event time (sent_at) multiples of D, counted globally per
 *        caps object (one per worker thread; with K threads the effective cap is K x N).
 * @returns caps for @p rs that the caller frees with pf_rule_caps_destroy(), or NULL (no memory).
 *          @p rs must outlive them.
 */
pf_rule_caps_t *pf_rule_caps_new(const pf_ruleset_t *rs);

/** @brief Frees caps; NULL is a no-op. */
void pf_rule_caps_destroy(pf_rule_caps_t *caps);

/** @returns how many hits of rule @p rule_index the caps suppressed so far (0 if out of range). */
uint64_t pf_rule_caps_suppressed(const pf_rule_caps_t *caps, uint32_t rule_index);

#endif /* PF_RULEEVAL_H */
