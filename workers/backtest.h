/**
 * @file backtest.h
 * @brief `paxflow rules backtest FILE`: what a candidate rule set would have done over recorded
 *        events, beside the active rule set, without publishing anything.
 */
#ifndef PF_BACKTEST_H
#define PF_BACKTEST_H

#include "config.h"

/** What `paxflow rules backtest` replays, against what, and what it writes beside its table. */
typedef struct pf_backtest_opts_s {
        const char *events;    /**< a paxflow event file; NULL: the event topics to their end */
        const char *against;   /**< "active" (the rules topic's set, else the built-in rules),
                                    "builtin", or a rule file */
        const char *watchlist; /**< a watchlist file (JSON Lines or CSV, as `paxflow screen`
                                    reads); NULL: the deployment's watchlist topic */
        const char *hits;      /**< NULL, or a file to write each event's hits to (JSON Lines:
                                    see pf_rules_backtest()) */
} pf_backtest_opts_t;

/**
 * @brief Replays the events of opts->events in event-time order through @p candidate_path and
 *        through opts->against, and prints per rule the hits and the share of travellers hit,
 *        the hits that rule caps suppressed, and the band and score distributions, side by side.
 *
 * With opts->events and opts->watchlist set and opts->against not "active", it needs no broker.
 * opts->hits receives, per rule set ("candidate", then "active") and per event that hit a rule,
 * {"set":S,"event_id":ID,"sent_at":MS,"score":N,"band":B,"hits":["R03",...],"matches":[ID,...]}
 * (matches: watchlist entry ids), then one {"set":S,"version":V,"events":N,"suppressed":{...}}
 * line per set.
 * @returns the exit status: 0, 1 on an error (a candidate that does not compile included), 2 for
 *          a missing secret.
 */
int pf_rules_backtest(const pf_conf_t *conf, const char *candidate_path,
                      const pf_backtest_opts_t *opts);

#endif /* PF_BACKTEST_H */
