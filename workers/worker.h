/**
 * @file worker.h
 * @brief `paxflow run`: the consumer-group worker running both stages.
 */
#ifndef PF_WORKER_H
#define PF_WORKER_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "result.h"

typedef struct pf_worker_stats_s {
        uint64_t events_in; /**< stage 1 input messages (valid or not) */
        uint64_t events_api, events_pnr;
        uint64_t repartitioned; /**< stage 1 outputs */
        uint64_t stage2_in;
        uint64_t results_out;
        uint64_t results_by_band[PF_BAND__COUNT];
        uint64_t alerts;
        uint64_t alerts_by_band[PF_BAND__COUNT];
        uint64_t dead_letters;
        uint64_t dlq_by_code[PF_ERR__COUNT];
        uint64_t commits;
        uint64_t aborts;
        uint64_t rebalances;
        uint64_t restored_records;
        uint64_t order_late;    /**< events applied out of event-time order (late) */
        uint64_t order_forced;  /**< events released early at order.max.pending */
        uint64_t order_skipped; /**< events read again after a restart and already applied */
        double seconds;
} pf_worker_stats_t;

/**
 * @brief Runs the worker until SIGINT/SIGTERM (or idle.exit.ms), then shuts down cleanly:
 *        outputs flushed, offsets committed, consumer closed, stores closed.
 * @returns the process exit status: 0 after a clean shutdown, 1 on a fatal error.
 */
int pf_worker_run(const pf_conf_t *conf, pf_worker_stats_t *stats);

/** @brief Prints the human summary of a run on stdout. */
void pf_worker_print_summary(const pf_worker_stats_t *stats);

#endif /* PF_WORKER_H */
