/**
 * @file rules.h
 * @brief The built-in rules of the walking skeleton: catalogue rules 3, 4, 5, 7 and 13.
 *
 * These are C for now; the declarative rule language replaces them. Reasons never quote personal
 * data: they state durations, counts and country codes.
 */
#ifndef PF_RULES_H
#define PF_RULES_H

#include "../state/hist.h"
#include "event.h"
#include "result.h"

#define PF_RULES_MAX_COUNTRIES 32

typedef struct pf_rules_conf_s {
        int64_t last_minute_ms; /**< R03: booked less than this before departure (48 h) */
        int64_t cash_late_ms;   /**< R04: cash and booked less than this before (7 days) */
        char high_risk[PF_RULES_MAX_COUNTRIES][4]; /**< R07: country group, ISO alpha-3 */
        size_t high_risk_count;
        int64_t frequent_window_ms;  /**< R13: window (30 days) */
        uint32_t frequent_min_trips; /**< R13: distinct trips to one country in the window (4) */
        char version[32];            /**< rule-set version named in each result */
} pf_rules_conf_t;

void pf_rules_conf_defaults(pf_rules_conf_t *conf);

/**
 * @brief Evaluates the rules on @p ev with the traveller's history @p hist (which already holds
 *        the current trip) and appends hits to @p res.
 */
void pf_rules_eval(const pf_rules_conf_t *conf, const pf_event_t *ev, const pf_hist_t *hist,
                   pf_result_t *res);

/**
 * @returns the number of distinct trips in @p hist in the same direction as @p trip to the same
 *          foreign country, departing in (trip - window, trip]. Exposed for tests.
 */
uint32_t pf_rules_count_frequent(const pf_hist_t *hist, const pf_trip_t *trip, int64_t window_ms);

#endif /* PF_RULES_H */
