/**
 * @file metrics.h
 * @brief Prometheus metrics (text exposition format 0.0.4) and the /metrics, /livez, /readyz
 * HTTP endpoints.
 *
 * A registry holds counters, gauges, histograms and _info gauges, registered by name, help and a
 * fixed list of label names at start-up. Each distinct combination of label values is a series,
 * created on first use (one malloc, under the registry's mutex) up to PF_METRICS_SERIES_MAX per
 * metric; later updates of that series take no lock and allocate nothing: counters and histogram
 * buckets are relaxed C11 atomics, gauges and histogram sums are doubles stored as atomic bit
 * patterns. For the hottest paths, pf_metrics_series() returns a handle the caller keeps, so that
 * an update is a single atomic add.
 *
 * Label contract: label VALUES are only ever topic names, partition numbers, error codes, bands,
 * rule ids, stage names, results and versions: never a name, a document number, a phone, an
 * e-mail, a traveller key or anything else derived from a traveller. To be safe, a value must be
 * 1..PF_METRICS_LABEL_VALUE_MAX-1 bytes of [A-Za-z0-9._-]; any other value is rejected (the update
 * is dropped, PF_ERR_INVALID_VALUE is returned and paxflow_metrics_dropped_updates_total counts
 * it), so nothing needs escaping and free text cannot leak into a label.
 *
 * Naming: metric names must start with "paxflow_"; counters must end in "_total"; durations are in
 * seconds ("_seconds"), sizes in bytes ("_bytes").
 *
 * Thread safety: every function may be called from any thread. Updates of one series from several
 * threads are safe (atomic), but the design assumes one updating thread (the worker loop) and one
 * reading thread (the HTTP server's). pf_metrics_destroy() must not race with anything.
 */
#ifndef PF_METRICS_H
#define PF_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PF_METRICS_MAX             64   /**< metrics per registry */
#define PF_METRICS_SERIES_MAX      1024 /**< label combinations per metric */
#define PF_METRICS_LABELS_MAX      3    /**< label names per metric */
#define PF_METRICS_LABEL_VALUE_MAX 64   /**< bytes of a label value + NUL */
#define PF_METRICS_NAME_MAX        96   /**< bytes of a metric name + NUL */
#define PF_METRICS_BUCKETS_MAX     24   /**< finite histogram bounds (+Inf is implicit) */
#define PF_METRICS_RENDER_MAX      (16u * 1024 * 1024) /**< largest exposition served */
#define PF_METRICS_REASON_MAX      128                 /**< bytes of a /readyz reason + NUL */
#define PF_METRICS_PORT_ANY        (-1) /**< pf_metrics_serve(): any free port (tests) */

typedef struct pf_metrics_s pf_metrics_t;
typedef struct pf_metrics_series_s pf_metrics_series_t;

typedef enum {
        PF_METRIC_COUNTER = 0, /**< uint64, only goes up */
        PF_METRIC_GAUGE,       /**< double, set or added to */
        PF_METRIC_HISTOGRAM,   /**< fixed bucket bounds, _bucket/_sum/_count */
        PF_METRIC_INFO         /**< gauge with value 1 and exactly one label set at a time */
} pf_metric_type_t;

/**
 * @brief The worker's metric set. pf_metrics_register_worker() registers them in this order on an
 * empty registry, so each enumerator is the metric's id.
 */
typedef enum {
        PF_M_EVENTS_IN = 0,         /**< paxflow_events_in_total{topic} */
        PF_M_EVENTS_OUT,            /**< paxflow_events_out_total{topic} */
        PF_M_DEAD_LETTERS,          /**< paxflow_dead_letters_total{code} (pf_err_name()) */
        PF_M_STAGE_DURATION,        /**< paxflow_stage_duration_seconds{stage} stage1|stage2 */
        PF_M_EVENT_LATENCY,         /**< paxflow_event_latency_seconds: result - Kafka append ts */
        PF_M_CONSUMER_LAG,          /**< paxflow_consumer_lag{topic,partition} (rdkafka stats) */
        PF_M_TRANSACTIONS,          /**< paxflow_transactions_total{result} committed|aborted */
        PF_M_REBALANCES,            /**< paxflow_rebalances_total */
        PF_M_STATE_BYTES,           /**< paxflow_state_bytes{partition} */
        PF_M_STATE_KEYS,            /**< paxflow_state_keys{partition} */
        PF_M_RESTORE_RECORDS,       /**< paxflow_restore_records_total */
        PF_M_RESTORING_PARTITIONS,  /**< paxflow_restoring_partitions */
        PF_M_WATCHLIST_ENTRIES,     /**< paxflow_watchlist_entries */
        PF_M_WATCHLIST_LAST_UPDATE, /**< paxflow_watchlist_last_update_timestamp_seconds */
        PF_M_RULE_HITS,             /**< paxflow_rule_hits_total{rule} */
        PF_M_RESULTS,               /**< paxflow_results_total{band} */
        PF_M_RULESET_INFO,          /**< paxflow_ruleset_info{version} */
        PF_M_ORDER_PENDING,         /**< paxflow_order_pending_events */
        PF_M_ORDER_LATE,            /**< paxflow_order_late_events_total */
        PF_M_ORDER_FORCED,          /**< paxflow_order_forced_total */
        PF_M_RULES_UPDATES,         /**< paxflow_rules_updates_total{result} applied|rejected */
        PF_M_RULE_CAPPED,           /**< paxflow_rule_capped_total{rule} */
        PF_M_FLAGS_ENTRIES,         /**< paxflow_flags_entries */
        PF_M_FLAGS_HELD,            /**< paxflow_flags_held */
        PF_M__WORKER_COUNT
} pf_worker_metric_t;

/** Default histogram bounds in seconds: 0.0005 .. 10. */
extern const double pf_metrics_duration_buckets[];
extern const int pf_metrics_duration_buckets_cnt;

/**
 * @brief Creates an empty registry. The heartbeat starts fresh and /readyz says "starting".
 * @returns the registry (caller frees with pf_metrics_destroy()), or NULL with errstr filled.
 */
pf_metrics_t *pf_metrics_new(char *errstr, size_t errstr_size);

/** @brief Stops the HTTP server if it runs and frees everything. NULL is a no-op. */
void pf_metrics_destroy(pf_metrics_t *m);

/**
 * @brief Registers a metric.
 * @param labels     label names (each [a-zA-Z_][a-zA-Z0-9_]*, not "le"), or NULL if nlabels is 0
 * @param nlabels    0..PF_METRICS_LABELS_MAX (an INFO metric needs at least one)
 * @param bounds     histogram bounds in seconds, strictly increasing and finite, or NULL for
 *                   pf_metrics_duration_buckets; ignored for other types
 * @returns the metric's id (>= 0), or -1 with errstr filled (bad name, duplicate, registry full).
 * An unlabelled counter, gauge or histogram gets its one series at once, so it renders 0.
 * Strings are copied.
 */
int pf_metrics_register(pf_metrics_t *m, pf_metric_type_t type, const char *name, const char *help,
                        const char *const *labels, int nlabels, const double *bounds, int nbounds,
                        char *errstr, size_t errstr_size);

/**
 * @brief Registers the worker's metric set (pf_worker_metric_t) on an empty registry.
 * @returns PF_OK, or PF_ERR_INTERNAL with errstr filled if the registry was not empty.
 */
pf_err_t pf_metrics_register_worker(pf_metrics_t *m, char *errstr, size_t errstr_size);

/**
 * @brief Finds or creates the series of metric @p id with these label values (NULL if the metric
 * has no labels). The handle lives as long as the registry; keep it for hot paths.
 * @returns the series, or NULL if the id is unknown, a value breaks the label contract, or the
 * metric already has PF_METRICS_SERIES_MAX series (the last two are counted as dropped updates).
 */
pf_metrics_series_t *pf_metrics_series(pf_metrics_t *m, int id, const char *const *values);

/** @brief Adds @p v to a counter series. No lock, no allocation. NULL is a no-op. */
void pf_metrics_series_inc(pf_metrics_series_t *s, uint64_t v);
/** @brief Sets a gauge series (and makes it visible again after a clear). NULL is a no-op. */
void pf_metrics_series_set(pf_metrics_series_t *s, double v);
/** @brief Adds @p v (may be negative) to a gauge series. NULL is a no-op. */
void pf_metrics_series_add(pf_metrics_series_t *s, double v);
/** @brief Records one observation (seconds) in a histogram series. NULL is a no-op. */
void pf_metrics_series_observe(pf_metrics_series_t *s, double v);

/**
 * @brief Convenience forms: look the series up (pf_metrics_series()), then update it.
 * @returns PF_OK; PF_ERR_INVALID_VALUE (label contract), PF_ERR_TOO_LARGE (series limit), or
 * PF_ERR_INTERNAL (unknown id or wrong metric type). Callers may ignore the result: a failed
 * update is counted, never fatal.
 */
pf_err_t pf_metrics_counter_add(pf_metrics_t *m, int id, const char *const *values, uint64_t v);
pf_err_t pf_metrics_gauge_set(pf_metrics_t *m, int id, const char *const *values, double v);
pf_err_t pf_metrics_gauge_add(pf_metrics_t *m, int id, const char *const *values, double v);
pf_err_t pf_metrics_histogram_observe(pf_metrics_t *m, int id, const char *const *values, double v);

/**
 * @brief Hides a gauge series from the exposition until it is set again (e.g. the state size of
 * a revoked partition). @returns PF_OK, or as pf_metrics_gauge_set().
 */
pf_err_t pf_metrics_gauge_clear(pf_metrics_t *m, int id, const char *const *values);

/**
 * @brief Sets the one label set of an INFO metric (value 1), replacing the previous one, e.g.
 * paxflow_ruleset_info{version="2024.06.1"}. Takes the registry's mutex: not for hot paths.
 * @returns PF_OK, PF_ERR_INVALID_VALUE or PF_ERR_INTERNAL.
 */
pf_err_t pf_metrics_info_set(pf_metrics_t *m, int id, const char *const *values);

/**
 * @brief Updates paxflow_consumer_lag{topic,partition} from a librdkafka statistics JSON document
 * (the stats_cb payload; enable with statistics.interval.ms). Reads
 * topics.<t>.partitions.<p>.consumer_lag; skips the internal partition -1 and unknown lags (-1);
 * hides the series of partitions that are no longer reported (revoked). Only pass the group
 * consumer's statistics: documents whose "type" is not "consumer" are ignored.
 * Needs pf_metrics_register_worker(). The JSON is untrusted: malformed input changes nothing.
 * @returns PF_OK, PF_ERR_INVALID_VALUE (not JSON / wrong shape) or PF_ERR_INTERNAL.
 */
pf_err_t pf_metrics_update_from_rdkafka_stats(pf_metrics_t *m, const char *json);

/**
 * @brief Renders the text exposition (format 0.0.4) into @p buf (NUL-terminated).
 * @param lenp set to the length without the NUL (may be NULL)
 * @returns PF_OK, or PF_ERR_TOO_LARGE if it does not fit (then *lenp is the size needed, without
 * NUL).
 */
pf_err_t pf_metrics_render(pf_metrics_t *m, char *buf, size_t size, size_t *lenp);

/**
 * @brief Renders into a buffer grown up to @p max bytes.
 * @returns PF_OK with *outp (caller frees with free()) and *lenp set; PF_ERR_TOO_LARGE or
 * PF_ERR_NOMEM with *outp NULL.
 */
pf_err_t pf_metrics_render_alloc(pf_metrics_t *m, size_t max, char **outp, size_t *lenp);

/** @brief Marks the worker loop alive; call once per loop iteration (and in retry loops). */
void pf_metrics_heartbeat(pf_metrics_t *m);

/**
 * @brief /livez answers 503 once the last heartbeat is older than @p ms (default 60000).
 * Call before or after pf_metrics_serve().
 */
void pf_metrics_set_liveness_timeout_ms(pf_metrics_t *m, int64_t ms);

/**
 * @brief Sets readiness: /readyz answers 200 "ok" when @p ready is non-zero, else 503 with
 * @p reason (e.g. "restoring 3 partitions"; copied, truncated to PF_METRICS_REASON_MAX - 1 bytes,
 * non-printable bytes replaced by '?'; NULL means "not ready"). Never put personal data in it.
 */
void pf_metrics_set_ready(pf_metrics_t *m, int ready, const char *reason);

/**
 * @brief Starts the HTTP server on its own thread (libmicrohttpd internal polling thread).
 * @param bind_addr numeric IPv4 or IPv6 address, e.g. "127.0.0.1" (loopback only) or "0.0.0.0"
 * @param port      0 disables the server (returns PF_OK); PF_METRICS_PORT_ANY picks a free port
 *                  (see pf_metrics_port()); else 1..65535
 * Serves GET (and HEAD) /metrics, /livez, /readyz; 404 for other paths, 405 for other methods.
 * @returns PF_OK; PF_ERR_CONFIG (bad address/port), PF_ERR_IO (bind/listen failed) or
 * PF_ERR_INTERNAL (already serving) with errstr filled.
 */
pf_err_t pf_metrics_serve(pf_metrics_t *m, const char *bind_addr, int port, char *errstr,
                          size_t errstr_size);

/** @returns the port the server listens on, or 0 if it does not run. */
int pf_metrics_port(const pf_metrics_t *m);

/** @brief Stops the HTTP server (waits for its thread). No-op if it does not run. */
void pf_metrics_stop(pf_metrics_t *m);

#endif /* PF_METRICS_H */
