/**
 * @file backtest.h
 * @brief `paxflow rules backtest FILE`: what a candidate rule set would have done over recorded
 *        events, beside the active rule set, without publishing anything.
 */
#ifndef PF_BACKTEST_H
#define PF_BACKTEST_H

#include "config.h"

/**
 * @brief Replays the events of @p events_path (a paxflow event file; NULL: the event topics to
 *        their current end) in event-time order through @p candidate_path and through @p against
 *        ("active": the set on the rules topic, else the built-in rules; "builtin"; or a rule
 *        file), and prints per rule the hits and the share of travellers hit, and the band and
 *        score distributions, side by side.
 * @returns the exit status: 0, 1 on an error (a candidate that does not compile included), 2 for
 *          a missing secret.
 */
int pf_rules_backtest(const pf_conf_t *conf, const char *candidate_path, const char *events_path,
                      const char *against);

#endif /* PF_BACKTEST_H */
