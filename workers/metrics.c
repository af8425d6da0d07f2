/**
 * @file metrics.c
 * @brief Prometheus registry, text exposition and the health endpoints (see metrics.h).
 *
 * Concurrency. Metrics and series are created under m->lock and never freed before
 * pf_metrics_destroy(). A series is published in three release-ordered steps (fill it, store its
 * pointer, bump nseries, then store its slot in the open-addressing index), so a reader that sees
 * an index slot or a count also sees the series behind it. Lookups of existing series and all
 * updates take no lock; values are relaxed atomics, because a scrape needs no ordering between
 * two series, only untorn values.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, strdup */

#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#define PF_METRICS_LABEL_NAME_MAX 32
#define PF_METRICS_INDEX_SLOTS    2048 /* power of two, > 2 * PF_METRICS_SERIES_MAX */
#define PF_METRICS_HELP_MAX       512
#define PF_METRICS_RENDER_INITIAL 8192

const double pf_metrics_duration_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
const int pf_metrics_duration_buckets_cnt =
        (int)(sizeof(pf_metrics_duration_buckets) / sizeof(pf_metrics_duration_buckets[0]));

/* End-to-end latency includes queueing behind a backlog: reach minutes. */
static const double pf_metrics_latency_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,   0.25,   0.5,   1,    2.5,   5,
                                                    10,    30,     60,    120,  300,   600};

typedef struct pf_metric_s pf_metric_t;

struct pf_metrics_series_s {
        pf_metric_t *metric;
        int idx; /* position in metric->series */
        char values[PF_METRICS_LABELS_MAX][PF_METRICS_LABEL_VALUE_MAX];
        _Atomic uint64_t value;     /* counter count, or gauge double bits */
        _Atomic uint64_t sum;       /* histogram sum, double bits */
        _Atomic int hidden;         /* gauge cleared: not rendered */
        _Atomic uint64_t buckets[]; /* histogram: nbounds + 1 (last = +Inf), not cumulative */
};

struct pf_metric_s {
        pf_metric_type_t type;
        char name[PF_METRICS_NAME_MAX];
        char help[PF_METRICS_HELP_MAX];
        int nlabels;
        char labels[PF_METRICS_LABELS_MAX][PF_METRICS_LABEL_NAME_MAX];
        int nbounds;
        double bounds[PF_METRICS_BUCKETS_MAX];
        _Atomic int nseries;
        pf_metrics_series_t *series[PF_METRICS_SERIES_MAX];
        _Atomic uint16_t index[PF_METRICS_INDEX_SLOTS]; /* 0 = empty, else series idx + 1 */
        /* PF_METRIC_INFO only, under pf_metrics_t.lock: */
        int info_isset;
        char info[PF_METRICS_LABELS_MAX][PF_METRICS_LABEL_VALUE_MAX];
};

struct pf_metrics_s {
        pthread_mutex_t lock; /* registration, series creation, info, reason */
        _Atomic int nmetrics;
        pf_metric_t *metrics[PF_METRICS_MAX];
        _Atomic uint64_t dropped_invalid;
        _Atomic uint64_t dropped_limit;
        _Atomic int64_t heartbeat_ms;
        _Atomic int64_t liveness_ms;
        _Atomic int ready;
        char reason[PF_METRICS_REASON_MAX];
        struct MHD_Daemon *httpd;
        int port;
};

/* ---------------------------------------------------------------------------------------------
 * Small helpers
 */

static uint64_t pf_metrics_d2u(double v) {
        uint64_t u;
        memcpy(&u, &v, sizeof(u));
        return u;
}

static double pf_metrics_u2d(uint64_t u) {
        double v;
        memcpy(&v, &u, sizeof(v));
        return v;
}

static int64_t pf_metrics_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pf_metrics_errf(char *errstr, size_t errstr_size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void pf_metrics_errf(char *errstr, size_t errstr_size, const char *fmt, ...) {
        va_list ap;
        if (errstr == NULL || errstr_size == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
}

/** @returns 1 if @p s is a valid label value: 1..63 bytes of [A-Za-z0-9._-]. */
static int pf_metrics_value_ok(const char *s) {
        size_t i;
        if (s == NULL || s[0] == '\0')
                return 0;
        for (i = 0; s[i] != '\0'; i++) {
                char c = s[i];
                if (i >= PF_METRICS_LABEL_VALUE_MAX - 1)
                        return 0;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-'))
                        return 0;
        }
        return 1;
}

/** @returns 1 if @p s matches [a-zA-Z_][a-zA-Z0-9_]* (with ':' too when @p colon). */
static int pf_metrics_ident_ok(const char *s, size_t max, int colon) {
        size_t i;
        if (s == NULL || s[0] == '\0' || strlen(s) >= max || (s[0] >= '0' && s[0] <= '9'))
                return 0;
        for (i = 0; s[i] != '\0'; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || (colon && c == ':')))
                        return 0;
        }
        return 1;
}

static int pf_metrics_has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && strcmp(s + n - k, suffix) == 0;
}

/** FNV-1a over the label values, NUL-separated. */
static uint32_t pf_metrics_hash(const char *const *values, int n) {
        uint32_t h = 2166136261u;
        int i;
        for (i = 0; i < n; i++) {
                const unsigned char *p = (const unsigned char *)values[i];
                for (; *p != '\0'; p++)
                        h = (h ^ *p) * 16777619u;
                h = (h ^ 0xffu) * 16777619u;
        }
        return h;
}

static int pf_metrics_series_match(const pf_metrics_series_t *s, const char *const *values, int n) {
        int i;
        for (i = 0; i < n; i++)
                if (strcmp(s->values[i], values[i]) != 0)
                        return 0;
        return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Registry
 */

pf_metrics_t *pf_metrics_new(char *errstr, size_t errstr_size) {
        pf_metrics_t *m = calloc(1, sizeof(*m));

        if (m == NULL) {
                pf_metrics_errf(errstr, errstr_size, "metrics: out of memory");
                return NULL;
        }
        if (pthread_mutex_init(&m->lock, NULL) != 0) {
                pf_metrics_errf(errstr, errstr_size, "metrics: pthread_mutex_init failed");
                free(m);
                return NULL;
        }
        atomic_init(&m->nmetrics, 0);
        atomic_init(&m->dropped_invalid, 0);
        atomic_init(&m->dropped_limit, 0);
        atomic_init(&m->heartbeat_ms, pf_metrics_now_ms());
        atomic_init(&m->liveness_ms, 60000);
        atomic_init(&m->ready, 0);
        snprintf(m->reason, sizeof(m->reason), "starting");
        return m;
}

void pf_metrics_destroy(pf_metrics_t *m) {
        int i, j, n;

        if (m == NULL)
                return;
        pf_metrics_stop(m);
        n = atomic_load(&m->nmetrics);
        for (i = 0; i < n; i++) {
                pf_metric_t *metric = m->metrics[i];
                int ns = atomic_load(&metric->nseries);
                for (j = 0; j < ns; j++)
                        free(metric->series[j]);
                free(metric);
        }
        pthread_mutex_destroy(&m->lock);
        free(m);
}

static pf_metric_t *pf_metrics_get(pf_metrics_t *m, int id) {
        if (m == NULL || id < 0 || id >= atomic_load_explicit(&m->nmetrics, memory_order_acquire))
                return NULL;
        return m->metrics[id];
}

/** Checks a registration; @returns NULL or a static description of what is wrong. */
static const char *pf_metrics_check_def(pf_metric_type_t type, const char *name,
                                        const char *const *labels, int nlabels,
                                        const double *bounds, int nbounds) {
        int i, j;

        if (!pf_metrics_ident_ok(name, PF_METRICS_NAME_MAX, 1) || strncmp(name, "paxflow_", 8) != 0)
                return "name must match paxflow_[a-zA-Z0-9_:]*";
        if (type == PF_METRIC_COUNTER && !pf_metrics_has_suffix(name, "_total"))
                return "a counter's name must end in _total";
        if (type != PF_METRIC_COUNTER && pf_metrics_has_suffix(name, "_total"))
                return "only counters end in _total";
        if (type == PF_METRIC_INFO && (nlabels < 1 || !pf_metrics_has_suffix(name, "_info")))
                return "an info metric ends in _info and has at least one label";
        if (nlabels < 0 || nlabels > PF_METRICS_LABELS_MAX || (nlabels > 0 && labels == NULL))
                return "bad label count";
        for (i = 0; i < nlabels; i++) {
                if (!pf_metrics_ident_ok(labels[i], PF_METRICS_LABEL_NAME_MAX, 0) ||
                    strncmp(labels[i], "__", 2) == 0 ||
                    (type == PF_METRIC_HISTOGRAM && strcmp(labels[i], "le") == 0))
                        return "bad label name";
                for (j = 0; j < i; j++)
                        if (strcmp(labels[i], labels[j]) == 0)
                                return "duplicate label name";
        }
        if (type == PF_METRIC_HISTOGRAM && bounds != NULL) {
                if (nbounds < 1 || nbounds > PF_METRICS_BUCKETS_MAX)
                        return "bad bucket count";
                for (i = 0; i < nbounds; i++)
                        if (!isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
                                return "bucket bounds must be finite and strictly increasing";
        }
        return NULL;
}

static pf_metrics_series_t *pf_metrics_series_create(pf_metrics_t *m, pf_metric_t *metric,
                                                     const char *const *values, uint32_t hash);

int pf_metrics_register(pf_metrics_t *m, pf_metric_type_t type, const char *name, const char *help,
                        const char *const *labels, int nlabels, const double *bounds, int nbounds,
                        char *errstr, size_t errstr_size) {
        pf_metric_t *metric;
        const char *why;
        int i, id = -1;

        why = pf_metrics_check_def(type, name, labels, nlabels, bounds, nbounds);
        if (why != NULL) {
                pf_metrics_errf(errstr, errstr_size, "metrics: %s: %s", name ? name : "(null)",
                                why);
                return -1;
        }
        metric = calloc(1, sizeof(*metric));
        if (metric == NULL) {
                pf_metrics_errf(errstr, errstr_size, "metrics: out of memory");
                return -1;
        }
        metric->type = type;
        snprintf(metric->name, sizeof(metric->name), "%s", name);
        snprintf(metric->help, sizeof(metric->help), "%s", help ? help : "");
        metric->nlabels = nlabels;
        for (i = 0; i < nlabels; i++)
                snprintf(metric->labels[i], sizeof(metric->labels[i]), "%s", labels[i]);
        if (type == PF_METRIC_HISTOGRAM) {
                if (bounds == NULL) {
                        bounds = pf_metrics_duration_buckets;
                        nbounds = pf_metrics_duration_buckets_cnt;
                }
                metric->nbounds = nbounds;
                memcpy(metric->bounds, bounds, (size_t)nbounds * sizeof(double));
        }

        pthread_mutex_lock(&m->lock);
        id = atomic_load(&m->nmetrics);
        for (i = 0; i < id; i++) {
                if (strcmp(m->metrics[i]->name, name) == 0) {
                        pf_metrics_errf(errstr, errstr_size, "metrics: %s registered twice", name);
                        goto fail;
                }
        }
        if (id >= PF_METRICS_MAX) {
                pf_metrics_errf(errstr, errstr_size, "metrics: more than %d metrics",
                                PF_METRICS_MAX);
                goto fail;
        }
        m->metrics[id] = metric;
        atomic_store_explicit(&m->nmetrics, id + 1, memory_order_release);
        pthread_mutex_unlock(&m->lock);

        /* An unlabelled series exists from the start, so it renders 0 before the first event. */
        if (nlabels == 0 && pf_metrics_series(m, id, NULL) == NULL) {
                pf_metrics_errf(errstr, errstr_size, "metrics: out of memory");
                return -1; /* the metric stays registered, without its series */
        }
        return id;

fail:
        pthread_mutex_unlock(&m->lock);
        free(metric);
        return -1;
}

/** Probes the index for @p values. @returns the series or NULL. Lock-free. */
static pf_metrics_series_t *pf_metrics_series_find(pf_metric_t *metric, const char *const *values,
                                                   uint32_t hash) {
        uint32_t slot = hash & (PF_METRICS_INDEX_SLOTS - 1);
        int probes;

        for (probes = 0; probes < PF_METRICS_INDEX_SLOTS; probes++) {
                uint16_t v = atomic_load_explicit(&metric->index[slot], memory_order_acquire);
                pf_metrics_series_t *s;
                if (v == 0)
                        return NULL;
                s = metric->series[v - 1];
                if (pf_metrics_series_match(s, values, metric->nlabels))
                        return s;
                slot = (slot + 1) & (PF_METRICS_INDEX_SLOTS - 1);
        }
        return NULL;
}

/** Creates the series under the lock, unless another thread did meanwhile. */
static pf_metrics_series_t *pf_metrics_series_create(pf_metrics_t *m, pf_metric_t *metric,
                                                     const char *const *values, uint32_t hash) {
        pf_metrics_series_t *s;
        size_t nb = metric->type == PF_METRIC_HISTOGRAM ? (size_t)metric->nbounds + 1 : 0;
        uint32_t slot;
        int i, n;

        pthread_mutex_lock(&m->lock);
        s = pf_metrics_series_find(metric, values, hash);
        if (s != NULL)
                goto done;
        n = atomic_load_explicit(&metric->nseries, memory_order_relaxed);
        if (n >= PF_METRICS_SERIES_MAX) {
                atomic_fetch_add_explicit(&m->dropped_limit, 1, memory_order_relaxed);
                goto done;
        }
        s = calloc(1, sizeof(*s) + nb * sizeof(s->buckets[0]));
        if (s == NULL)
                goto done;
        s->metric = metric;
        s->idx = n;
        for (i = 0; i < metric->nlabels; i++)
                snprintf(s->values[i], sizeof(s->values[i]), "%s", values[i]);
        atomic_init(&s->value, metric->type == PF_METRIC_GAUGE ? pf_metrics_d2u(0.0) : 0);
        atomic_init(&s->sum, pf_metrics_d2u(0.0));
        atomic_init(&s->hidden, 0);
        for (i = 0; i < (int)nb; i++)
                atomic_init(&s->buckets[i], 0);
        metric->series[n] = s;
        atomic_store_explicit(&metric->nseries, n + 1, memory_order_release);
        slot = hash & (PF_METRICS_INDEX_SLOTS - 1);
        while (atomic_load_explicit(&metric->index[slot], memory_order_relaxed) != 0)
                slot = (slot + 1) & (PF_METRICS_INDEX_SLOTS - 1);
        atomic_store_explicit(&metric->index[slot], (uint16_t)(n + 1), memory_order_release);
done:
        pthread_mutex_unlock(&m->lock);
        return s;
}

/** Looks up or creates a series; @p errp gets the reason of a NULL result. */
static pf_metrics_series_t *pf_metrics_series_get(pf_metrics_t *m, int id,
                                                  const char *const *values, pf_err_t *errp) {
        pf_metric_t *metric = pf_metrics_get(m, id);
        pf_metrics_series_t *s;
        uint32_t hash;
        int i;

        *errp = PF_ERR_INTERNAL;
        if (metric == NULL || metric->type == PF_METRIC_INFO)
                return NULL;
        if (metric->nlabels > 0 && values == NULL)
                return NULL;
        for (i = 0; i < metric->nlabels; i++) {
                if (!pf_metrics_value_ok(values[i])) {
                        atomic_fetch_add_explicit(&m->dropped_invalid, 1, memory_order_relaxed);
                        *errp = PF_ERR_INVALID_VALUE;
                        return NULL;
                }
        }
        hash = pf_metrics_hash(values, metric->nlabels);
        s = pf_metrics_series_find(metric, values, hash);
        if (s == NULL)
                s = pf_metrics_series_create(m, metric, values, hash);
        *errp = s != NULL                                                ? PF_OK
                : atomic_load(&metric->nseries) >= PF_METRICS_SERIES_MAX ? PF_ERR_TOO_LARGE
                                                                         : PF_ERR_NOMEM;
        return s;
}

pf_metrics_series_t *pf_metrics_series(pf_metrics_t *m, int id, const char *const *values) {
        pf_err_t err;
        return pf_metrics_series_get(m, id, values, &err);
}

/* ---------------------------------------------------------------------------------------------
 * Updates: no lock, no allocation
 */

void pf_metrics_series_inc(pf_metrics_series_t *s, uint64_t v) {
        if (s == NULL || s->metric->type != PF_METRIC_COUNTER)
                return;
        atomic_fetch_add_explicit(&s->value, v, memory_order_relaxed);
}

void pf_metrics_series_set(pf_metrics_series_t *s, double v) {
        if (s == NULL || s->metric->type != PF_METRIC_GAUGE)
                return;
        atomic_store_explicit(&s->value, pf_metrics_d2u(v), memory_order_relaxed);
        atomic_store_explicit(&s->hidden, 0, memory_order_relaxed);
}

/** Adds to a double kept as bits (a CAS loop: uncontended in practice, one writer). */
static void pf_metrics_atomic_add_double(_Atomic uint64_t *bits, double v) {
        uint64_t old = atomic_load_explicit(bits, memory_order_relaxed);
        while (!atomic_compare_exchange_weak_explicit(bits, &old,
                                                      pf_metrics_d2u(pf_metrics_u2d(old) + v),
                                                      memory_order_relaxed, memory_order_relaxed))
                ;
}

void pf_metrics_series_add(pf_metrics_series_t *s, double v) {
        if (s == NULL || s->metric->type != PF_METRIC_GAUGE)
                return;
        pf_metrics_atomic_add_double(&s->value, v);
        atomic_store_explicit(&s->hidden, 0, memory_order_relaxed);
}

void pf_metrics_series_observe(pf_metrics_series_t *s, double v) {
        const pf_metric_t *metric;
        int i;

        if (s == NULL || s->metric->type != PF_METRIC_HISTOGRAM || isnan(v))
                return;
        metric = s->metric;
        if (v < 0)
                v = 0; /* clock skew between the broker and this host: not a negative latency */
        for (i = 0; i < metric->nbounds && v > metric->bounds[i]; i++)
                ;
        atomic_fetch_add_explicit(&s->buckets[i], 1, memory_order_relaxed);
        pf_metrics_atomic_add_double(&s->sum, v);
}

static pf_err_t pf_metrics_update(pf_metrics_t *m, int id, const char *const *values,
                                  pf_metric_type_t type, pf_metrics_series_t **sp) {
        pf_metric_t *metric = pf_metrics_get(m, id);
        pf_err_t err;

        if (metric == NULL || metric->type != type)
                return PF_ERR_INTERNAL;
        *sp = pf_metrics_series_get(m, id, values, &err);
        return err;
}

pf_err_t pf_metrics_counter_add(pf_metrics_t *m, int id, const char *const *values, uint64_t v) {
        pf_metrics_series_t *s = NULL;
        pf_err_t err = pf_metrics_update(m, id, values, PF_METRIC_COUNTER, &s);
        pf_metrics_series_inc(s, v);
        return err;
}

pf_err_t pf_metrics_gauge_set(pf_metrics_t *m, int id, const char *const *values, double v) {
        pf_metrics_series_t *s = NULL;
        pf_err_t err = pf_metrics_update(m, id, values, PF_METRIC_GAUGE, &s);
        pf_metrics_series_set(s, v);
        return err;
}

pf_err_t pf_metrics_gauge_add(pf_metrics_t *m, int id, const char *const *values, double v) {
        pf_metrics_series_t *s = NULL;
        pf_err_t err = pf_metrics_update(m, id, values, PF_METRIC_GAUGE, &s);
        pf_metrics_series_add(s, v);
        return err;
}

pf_err_t pf_metrics_histogram_observe(pf_metrics_t *m, int id, const char *const *values,
                                      double v) {
        pf_metrics_series_t *s = NULL;
        pf_err_t err = pf_metrics_update(m, id, values, PF_METRIC_HISTOGRAM, &s);
        pf_metrics_series_observe(s, v);
        return err;
}

pf_err_t pf_metrics_gauge_clear(pf_metrics_t *m, int id, const char *const *values) {
        pf_metrics_series_t *s = NULL;
        pf_err_t err = pf_metrics_update(m, id, values, PF_METRIC_GAUGE, &s);
        if (s != NULL)
                atomic_store_explicit(&s->hidden, 1, memory_order_relaxed);
        return err;
}

pf_err_t pf_metrics_info_set(pf_metrics_t *m, int id, const char *const *values) {
        pf_metric_t *metric = pf_metrics_get(m, id);
        int i;

        if (metric == NULL || metric->type != PF_METRIC_INFO || values == NULL)
                return PF_ERR_INTERNAL;
        for (i = 0; i < metric->nlabels; i++) {
                if (!pf_metrics_value_ok(values[i])) {
                        atomic_fetch_add_explicit(&m->dropped_invalid, 1, memory_order_relaxed);
                        return PF_ERR_INVALID_VALUE;
                }
        }
        pthread_mutex_lock(&m->lock);
        for (i = 0; i < metric->nlabels; i++)
                snprintf(metric->info[i], sizeof(metric->info[i]), "%s", values[i]);
        metric->info_isset = 1;
        pthread_mutex_unlock(&m->lock);
        return PF_OK;
}

/* ---------------------------------------------------------------------------------------------
 * The worker's metric set
 */

typedef struct pf_metrics_def_s {
        pf_worker_metric_t id;
        pf_metric_type_t type;
        const char *name;
        const char *help;
        const char *labels[PF_METRICS_LABELS_MAX];
        int nlabels;
        const double *bounds;
        int nbounds;
} pf_metrics_def_t;

#define PF_LATENCY_BUCKETS                                                                         \
        pf_metrics_latency_buckets,                                                                \
                (int)(sizeof(pf_metrics_latency_buckets) / sizeof(pf_metrics_latency_buckets[0]))

static const pf_metrics_def_t pf_metrics_worker_defs[] = {
        {PF_M_EVENTS_IN,
         PF_METRIC_COUNTER,
         "paxflow_events_in_total",
         "Events consumed, by input topic.",
         {"topic"},
         1,
         NULL,
         0},
        {PF_M_EVENTS_OUT,
         PF_METRIC_COUNTER,
         "paxflow_events_out_total",
         "Messages produced, by output topic.",
         {"topic"},
         1,
         NULL,
         0},
        {PF_M_DEAD_LETTERS,
         PF_METRIC_COUNTER,
         "paxflow_dead_letters_total",
         "Messages sent to the dead-letter topic, by error code.",
         {"code"},
         1,
         NULL,
         0},
        {PF_M_STAGE_DURATION,
         PF_METRIC_HISTOGRAM,
         "paxflow_stage_duration_seconds",
         "Time to process one message, by stage.",
         {"stage"},
         1,
         NULL,
         0},
        {PF_M_EVENT_LATENCY,
         PF_METRIC_HISTOGRAM,
         "paxflow_event_latency_seconds",
         "Time from the event's Kafka append timestamp to its result.",
         {NULL},
         0,
         PF_LATENCY_BUCKETS},
        {PF_M_CONSUMER_LAG,
         PF_METRIC_GAUGE,
         "paxflow_consumer_lag",
         "Consumer lag in messages, by partition (librdkafka statistics).",
         {"topic", "partition"},
         2,
         NULL,
         0},
        {PF_M_TRANSACTIONS,
         PF_METRIC_COUNTER,
         "paxflow_transactions_total",
         "Kafka transactions, by result (committed or aborted).",
         {"result"},
         1,
         NULL,
         0},
        {PF_M_REBALANCES,
         PF_METRIC_COUNTER,
         "paxflow_rebalances_total",
         "Consumer group rebalances seen by this worker.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_STATE_BYTES,
         PF_METRIC_GAUGE,
         "paxflow_state_bytes",
         "Estimated size of the local state store, by partition.",
         {"partition"},
         1,
         NULL,
         0},
        {PF_M_STATE_KEYS,
         PF_METRIC_GAUGE,
         "paxflow_state_keys",
         "Estimated number of keys in the local state store, by partition.",
         {"partition"},
         1,
         NULL,
         0},
        {PF_M_RESTORE_RECORDS,
         PF_METRIC_COUNTER,
         "paxflow_restore_records_total",
         "Changelog records replayed into local state stores.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_RESTORING_PARTITIONS,
         PF_METRIC_GAUGE,
         "paxflow_restoring_partitions",
         "Partitions whose state store is being restored.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_WATCHLIST_ENTRIES,
         PF_METRIC_GAUGE,
         "paxflow_watchlist_entries",
         "Entries in the loaded watchlist.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_WATCHLIST_LAST_UPDATE,
         PF_METRIC_GAUGE,
         "paxflow_watchlist_last_update_timestamp_seconds",
         "Unix time of the last watchlist update applied.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_RULE_HITS,
         PF_METRIC_COUNTER,
         "paxflow_rule_hits_total",
         "Rule hits, by rule id.",
         {"rule"},
         1,
         NULL,
         0},
        {PF_M_RESULTS,
         PF_METRIC_COUNTER,
         "paxflow_results_total",
         "Results published, by band.",
         {"band"},
         1,
         NULL,
         0},
        {PF_M_RULESET_INFO,
         PF_METRIC_INFO,
         "paxflow_ruleset_info",
         "The rule set in use (value 1).",
         {"version"},
         1,
         NULL,
         0},
        {PF_M_ORDER_PENDING,
         PF_METRIC_GAUGE,
         "paxflow_order_pending_events",
         "Events held by stage 2 until every input partition's watermark passes them.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_ORDER_LATE,
         PF_METRIC_COUNTER,
         "paxflow_order_late_events_total",
         "Events that arrived after their place in event-time order had passed, applied on "
         "arrival.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_ORDER_FORCED,
         PF_METRIC_COUNTER,
         "paxflow_order_forced_total",
         "Events applied before the watermarks passed them because order.max.pending was reached.",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_RULES_UPDATES,
         PF_METRIC_COUNTER,
         "paxflow_rules_updates_total",
         "Rule sets read from the rules topic: applied, or rejected (they do not compile; the last "
         "good set stays).",
         {"result"},
         1,
         NULL,
         0},
        {PF_M_RULE_CAPPED,
         PF_METRIC_COUNTER,
         "paxflow_rule_capped_total",
         "Hits a rule's cap (cap N per D) kept out of results, by rule id.",
         {"rule"},
         1,
         NULL,
         0},
        {PF_M_FLAGS_ENTRIES,
         PF_METRIC_GAUGE,
         "paxflow_flags_entries",
         "Digests in the shared flags table (contacts and bookings of hit travellers, R15/R16).",
         {NULL},
         0,
         NULL,
         0},
        {PF_M_FLAGS_HELD,
         PF_METRIC_GAUGE,
         "paxflow_flags_held",
         "1 while stage 2 waits for another partition's flags progress (flags.delay.ms).",
         {NULL},
         0,
         NULL,
         0},
};

pf_err_t pf_metrics_register_worker(pf_metrics_t *m, char *errstr, size_t errstr_size) {
        size_t i;

        if (atomic_load(&m->nmetrics) != 0) {
                pf_metrics_errf(errstr, errstr_size,
                                "metrics: register the worker's metrics on an empty registry");
                return PF_ERR_INTERNAL;
        }
        for (i = 0; i < sizeof(pf_metrics_worker_defs) / sizeof(pf_metrics_worker_defs[0]); i++) {
                const pf_metrics_def_t *def = &pf_metrics_worker_defs[i];
                int id = pf_metrics_register(m, def->type, def->name, def->help, def->labels,
                                             def->nlabels, def->bounds, def->nbounds, errstr,
                                             errstr_size);
                if (id != (int)def->id) {
                        if (id >= 0)
                                pf_metrics_errf(errstr, errstr_size, "metrics: %s has id %d",
                                                def->name, id);
                        return PF_ERR_INTERNAL;
                }
        }
        return PF_OK;
}

/* ---------------------------------------------------------------------------------------------
 * librdkafka statistics
 */

pf_err_t pf_metrics_update_from_rdkafka_stats(pf_metrics_t *m, const char *json) {
        pf_metric_t *metric = pf_metrics_get(m, PF_M_CONSUMER_LAG);
        unsigned char seen[PF_METRICS_SERIES_MAX / 8] = {0};
        json_t *root, *topics, *tobj, *type;
        const char *tname;
        pf_err_t err = PF_ERR_INVALID_VALUE;
        int i, n;

        if (metric == NULL || strcmp(metric->name, "paxflow_consumer_lag") != 0 || json == NULL)
                return PF_ERR_INTERNAL;
        root = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
        if (root == NULL || !json_is_object(root))
                goto done;
        type = json_object_get(root, "type");
        if (!json_is_string(type) || strcmp(json_string_value(type), "consumer") != 0) {
                err = PF_OK; /* a producer's statistics: nothing to do */
                goto done;
        }
        topics = json_object_get(root, "topics");
        if (!json_is_object(topics))
                goto done;
        json_object_foreach(topics, tname, tobj) {
                json_t *parts = json_object_get(tobj, "partitions"), *pobj;
                const char *pkey;
                if (!json_is_object(parts))
                        continue;
                json_object_foreach(parts, pkey, pobj) {
                        json_t *lag = json_object_get(pobj, "consumer_lag");
                        char *end = NULL, pbuf[16];
                        long part;
                        const char *values[2];
                        pf_metrics_series_t *s;
                        json_int_t lagv = json_is_integer(lag) ? json_integer_value(lag) : -1;

                        /* Under exactly-once the offsets are committed by the producer's
                         * transaction, so the consumer may not know its committed offset and
                         * reports -1: then use the end (ls_offset, or hi_offset) minus the
                         * position the application has consumed to (app_offset). */
                        if (lagv < 0) {
                                json_t *end_off = json_object_get(pobj, "ls_offset");
                                json_t *app = json_object_get(pobj, "app_offset");
                                if (!json_is_integer(end_off) || json_integer_value(end_off) < 0)
                                        end_off = json_object_get(pobj, "hi_offset");
                                if (json_is_integer(end_off) && json_is_integer(app) &&
                                    json_integer_value(app) >= 0 &&
                                    json_integer_value(end_off) >= json_integer_value(app))
                                        lagv = json_integer_value(end_off) -
                                               json_integer_value(app);
                        }
                        errno = 0;
                        part = strtol(pkey, &end, 10);
                        if (errno != 0 || end == pkey || *end != '\0' || part < 0 ||
                            part > INT32_MAX || lagv < 0)
                                continue; /* -1: the internal UA partition, or lag unknown */
                        snprintf(pbuf, sizeof(pbuf), "%ld", part);
                        values[0] = tname;
                        values[1] = pbuf;
                        s = pf_metrics_series(m, PF_M_CONSUMER_LAG, values);
                        if (s == NULL)
                                continue;
                        pf_metrics_series_set(s, (double)lagv);
                        seen[s->idx / 8] |= (unsigned char)(1u << (s->idx % 8));
                }
        }
        /* Partitions no longer reported (revoked) or with an unknown lag disappear. */
        n = atomic_load_explicit(&metric->nseries, memory_order_acquire);
        for (i = 0; i < n; i++)
                if (!(seen[i / 8] & (1u << (i % 8))))
                        atomic_store_explicit(&metric->series[i]->hidden, 1, memory_order_relaxed);
        err = PF_OK;
done:
        json_decref(root);
        return err;
}

/* ---------------------------------------------------------------------------------------------
 * Text exposition format 0.0.4
 */

/** An output buffer: fixed (caller's) or growable up to max; counts what it would need. */
typedef struct pf_metrics_buf_s {
        char *p;
        size_t len; /* bytes written (or needed, once overflowed) */
        size_t cap; /* bytes allocated, including room for the NUL */
        size_t max; /* growth limit, including the NUL */
        int growable;
        int overflow;
        int nomem;
} pf_metrics_buf_t;

static void pf_metrics_buf_put(pf_metrics_buf_t *b, const char *s, size_t n) {
        if (!b->overflow && b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : PF_METRICS_RENDER_INITIAL;
                char *p;
                while (cap < b->len + n + 1)
                        cap *= 2;
                if (cap > b->max)
                        cap = b->max;
                if (!b->growable || b->len + n + 1 > cap) {
                        b->overflow = 1;
                } else if ((p = realloc(b->p, cap)) == NULL) {
                        b->overflow = b->nomem = 1;
                } else {
                        b->p = p;
                        b->cap = cap;
                }
        }
        if (!b->overflow) {
                memcpy(b->p + b->len, s, n);
                b->p[b->len + n] = '\0';
        }
        b->len += n;
}

static void pf_metrics_buf_printf(pf_metrics_buf_t *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void pf_metrics_buf_printf(pf_metrics_buf_t *b, const char *fmt, ...) {
        char tmp[512];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        pf_metrics_buf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/** Formats a sample value the way Prometheus parses it: NaN, +Inf, -Inf or the shortest of %.15g
 * and %.17g that reads back exactly. */
static void pf_metrics_fmt_double(char *out, size_t size, double v) {
        if (isnan(v))
                snprintf(out, size, "NaN");
        else if (isinf(v))
                snprintf(out, size, v > 0 ? "+Inf" : "-Inf");
        else {
                snprintf(out, size, "%.15g", v);
                if (strtod(out, NULL) != v)
                        snprintf(out, size, "%.17g", v);
        }
}

static void pf_metrics_render_header(pf_metrics_buf_t *b, const pf_metric_t *metric) {
        static const char *const types[] = {"counter", "gauge", "histogram", "gauge"};
        const char *p;

        pf_metrics_buf_printf(b, "# HELP %s ", metric->name);
        for (p = metric->help; *p != '\0'; p++) { /* escape \ and newline */
                if (*p == '\\')
                        pf_metrics_buf_put(b, "\\\\", 2);
                else if (*p == '\n')
                        pf_metrics_buf_put(b, "\\n", 2);
                else
                        pf_metrics_buf_put(b, p, 1);
        }
        pf_metrics_buf_printf(b, "\n# TYPE %s %s\n", metric->name, types[metric->type]);
}

/** Writes name{labels[,le="x"]} value; values passed the label contract, so need no escaping. */
static void pf_metrics_render_sample(pf_metrics_buf_t *b, const pf_metric_t *metric,
                                     const char *suffix,
                                     const char (*values)[PF_METRICS_LABEL_VALUE_MAX],
                                     const char *le, const char *value) {
        int i;

        pf_metrics_buf_printf(b, "%s%s", metric->name, suffix);
        if (metric->nlabels > 0 || le != NULL) {
                pf_metrics_buf_put(b, "{", 1);
                for (i = 0; i < metric->nlabels; i++)
                        pf_metrics_buf_printf(b, "%s%s=\"%s\"", i ? "," : "", metric->labels[i],
                                              values[i]);
                if (le != NULL)
                        pf_metrics_buf_printf(b, "%sle=\"%s\"", metric->nlabels ? "," : "", le);
                pf_metrics_buf_put(b, "}", 1);
        }
        pf_metrics_buf_printf(b, " %s\n", value);
}

static void pf_metrics_render_histogram(pf_metrics_buf_t *b, const pf_metric_t *metric,
                                        pf_metrics_series_t *s) {
        char le[40], num[40];
        uint64_t cum = 0;
        int i;

        for (i = 0; i <= metric->nbounds; i++) {
                cum += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
                if (i < metric->nbounds)
                        pf_metrics_fmt_double(le, sizeof(le), metric->bounds[i]);
                else
                        snprintf(le, sizeof(le), "+Inf");
                snprintf(num, sizeof(num), "%llu", (unsigned long long)cum);
                pf_metrics_render_sample(b, metric, "_bucket", s->values, le, num);
        }
        pf_metrics_fmt_double(num, sizeof(num),
                              pf_metrics_u2d(atomic_load_explicit(&s->sum, memory_order_relaxed)));
        pf_metrics_render_sample(b, metric, "_sum", s->values, NULL, num);
        /* _count is the +Inf bucket as read, so the two always agree within a scrape. */
        snprintf(num, sizeof(num), "%llu", (unsigned long long)cum);
        pf_metrics_render_sample(b, metric, "_count", s->values, NULL, num);
}

static void pf_metrics_render_metric(pf_metrics_t *m, pf_metrics_buf_t *b, pf_metric_t *metric) {
        char num[40];
        int i, n;

        pf_metrics_render_header(b, metric);
        if (metric->type == PF_METRIC_INFO) {
                char info[PF_METRICS_LABELS_MAX][PF_METRICS_LABEL_VALUE_MAX];
                int isset;
                pthread_mutex_lock(&m->lock);
                isset = metric->info_isset;
                memcpy(info, metric->info, sizeof(info));
                pthread_mutex_unlock(&m->lock);
                if (isset)
                        pf_metrics_render_sample(b, metric, "",
                                                 (const char(*)[PF_METRICS_LABEL_VALUE_MAX])info,
                                                 NULL, "1");
                return;
        }
        n = atomic_load_explicit(&metric->nseries, memory_order_acquire);
        for (i = 0; i < n; i++) {
                pf_metrics_series_t *s = metric->series[i];
                uint64_t v = atomic_load_explicit(&s->value, memory_order_relaxed);
                if (metric->type == PF_METRIC_HISTOGRAM) {
                        pf_metrics_render_histogram(b, metric, s);
                        continue;
                }
                if (atomic_load_explicit(&s->hidden, memory_order_relaxed))
                        continue;
                if (metric->type == PF_METRIC_COUNTER)
                        snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
                else
                        pf_metrics_fmt_double(num, sizeof(num), pf_metrics_u2d(v));
                pf_metrics_render_sample(b, metric, "", s->values, NULL, num);
        }
}

static void pf_metrics_render_buf(pf_metrics_t *m, pf_metrics_buf_t *b) {
        int i, n = atomic_load_explicit(&m->nmetrics, memory_order_acquire);

        for (i = 0; i < n; i++)
                pf_metrics_render_metric(m, b, m->metrics[i]);
        pf_metrics_buf_printf(b,
                              "# HELP paxflow_metrics_dropped_updates_total Metric updates "
                              "dropped: invalid label value or too many series.\n"
                              "# TYPE paxflow_metrics_dropped_updates_total counter\n"
                              "paxflow_metrics_dropped_updates_total{reason=\"invalid_label\"} "
                              "%llu\n",
                              (unsigned long long)atomic_load(&m->dropped_invalid));
        pf_metrics_buf_printf(
                b, "paxflow_metrics_dropped_updates_total{reason=\"series_limit\"} %llu\n",
                (unsigned long long)atomic_load(&m->dropped_limit));
}

pf_err_t pf_metrics_render(pf_metrics_t *m, char *buf, size_t size, size_t *lenp) {
        pf_metrics_buf_t b = {buf, 0, size, size, 0, 0, 0};

        if (size > 0)
                buf[0] = '\0';
        pf_metrics_render_buf(m, &b);
        if (lenp != NULL)
                *lenp = b.len;
        return b.overflow ? PF_ERR_TOO_LARGE : PF_OK;
}

pf_err_t pf_metrics_render_alloc(pf_metrics_t *m, size_t max, char **outp, size_t *lenp) {
        pf_metrics_buf_t b = {NULL, 0, 0, max, 1, 0, 0};

        *outp = NULL;
        pf_metrics_buf_put(&b, "", 0); /* allocates, so an empty registry still gives "" */
        pf_metrics_render_buf(m, &b);
        if (b.overflow) {
                free(b.p);
                return b.nomem ? PF_ERR_NOMEM : PF_ERR_TOO_LARGE;
        }
        *outp = b.p;
        if (lenp != NULL)
                *lenp = b.len;
        return PF_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Health
 */

void pf_metrics_heartbeat(pf_metrics_t *m) {
        if (m == NULL)
                return;
        atomic_store_explicit(&m->heartbeat_ms, pf_metrics_now_ms(), memory_order_relaxed);
}

void pf_metrics_set_liveness_timeout_ms(pf_metrics_t *m, int64_t ms) {
        atomic_store(&m->liveness_ms, ms > 0 ? ms : 1);
}

void pf_metrics_set_ready(pf_metrics_t *m, int ready, const char *reason) {
        size_t i;

        pthread_mutex_lock(&m->lock);
        snprintf(m->reason, sizeof(m->reason), "%s", reason ? reason : "not ready");
        for (i = 0; m->reason[i] != '\0'; i++)
                if ((unsigned char)m->reason[i] < 0x20 || (unsigned char)m->reason[i] > 0x7e)
                        m->reason[i] = '?';
        atomic_store(&m->ready, ready != 0);
        pthread_mutex_unlock(&m->lock);
}

/* ---------------------------------------------------------------------------------------------
 * HTTP (libmicrohttpd, its own thread)
 */

static enum MHD_Result pf_metrics_http_reply(struct MHD_Connection *conn, unsigned int status,
                                             const char *ctype, char *body, size_t len,
                                             enum MHD_ResponseMemoryMode mode) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
        enum MHD_Result ret;

        if (resp == NULL) {
                if (mode == MHD_RESPMEM_MUST_FREE)
                        free(body);
                return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        ret = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result pf_metrics_http_text(struct MHD_Connection *conn, unsigned int status,
                                            const char *text) {
        char body[PF_METRICS_REASON_MAX + 64];
        int n = snprintf(body, sizeof(body), "%s\n", text);
        size_t len = n < 0 ? 0 : (size_t)n < sizeof(body) ? (size_t)n : sizeof(body) - 1;
        return pf_metrics_http_reply(conn, status, "text/plain; charset=utf-8", body, len,
                                     MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result pf_metrics_http_handler(void *cls, struct MHD_Connection *conn,
                                               const char *url, const char *method,
                                               const char *version, const char *upload_data,
                                               size_t *upload_data_size, void **req_cls) {
        pf_metrics_t *m = cls;
        char text[PF_METRICS_REASON_MAX + 64];

        (void)version;
        (void)upload_data;
        (void)upload_data_size;
        (void)req_cls;
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return pf_metrics_http_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                                            "method not allowed");
        if (strcmp(url, "/metrics") == 0) {
                char *body = NULL;
                size_t len = 0;
                pf_err_t err = pf_metrics_render_alloc(m, PF_METRICS_RENDER_MAX, &body, &len);
                if (err != PF_OK)
                        return pf_metrics_http_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                                    pf_err2str(err));
                return pf_metrics_http_reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", body,
                                             len, MHD_RESPMEM_MUST_FREE);
        }
        if (strcmp(url, "/livez") == 0) {
                int64_t age = pf_metrics_now_ms() - atomic_load(&m->heartbeat_ms);
                if (age <= atomic_load(&m->liveness_ms))
                        return pf_metrics_http_text(conn, MHD_HTTP_OK, "ok");
                snprintf(text, sizeof(text), "worker loop stalled: no heartbeat for %lld ms",
                         (long long)age);
                return pf_metrics_http_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text);
        }
        if (strcmp(url, "/readyz") == 0) {
                int ready;
                pthread_mutex_lock(&m->lock);
                ready = atomic_load(&m->ready);
                snprintf(text, sizeof(text), "%s", m->reason);
                pthread_mutex_unlock(&m->lock);
                return ready ? pf_metrics_http_text(conn, MHD_HTTP_OK, "ok")
                             : pf_metrics_http_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text);
        }
        return pf_metrics_http_text(conn, MHD_HTTP_NOT_FOUND, "not found");
}

pf_err_t pf_metrics_serve(pf_metrics_t *m, const char *bind_addr, int port, char *errstr,
                          size_t errstr_size) {
        struct sockaddr_storage ss;
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
        uint16_t nport = (uint16_t)(port == PF_METRICS_PORT_ANY ? 0 : port);
        const union MHD_DaemonInfo *info;

        if (port == 0)
                return PF_OK;
        if (m->httpd != NULL) {
                pf_metrics_errf(errstr, errstr_size, "metrics: HTTP server already running");
                return PF_ERR_INTERNAL;
        }
        if (port != PF_METRICS_PORT_ANY && (port < 1 || port > 65535)) {
                pf_metrics_errf(errstr, errstr_size, "metrics: port %d out of range 1..65535",
                                port);
                return PF_ERR_CONFIG;
        }
        memset(&ss, 0, sizeof(ss));
        if (bind_addr != NULL && inet_pton(AF_INET, bind_addr, &sin->sin_addr) == 1) {
                sin->sin_family = AF_INET;
                sin->sin_port = htons(nport);
        } else if (bind_addr != NULL && inet_pton(AF_INET6, bind_addr, &sin6->sin6_addr) == 1) {
                sin6->sin6_family = AF_INET6;
                sin6->sin6_port = htons(nport);
                flags |= MHD_USE_IPv6;
        } else {
                pf_metrics_errf(errstr, errstr_size,
                                "metrics: bind address \"%s\" is not a numeric IPv4/IPv6 address",
                                bind_addr ? bind_addr : "(null)");
                return PF_ERR_CONFIG;
        }
        m->httpd = MHD_start_daemon(
                flags, nport, NULL, NULL, pf_metrics_http_handler, m, MHD_OPTION_SOCK_ADDR,
                (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10, MHD_OPTION_END);
        if (m->httpd == NULL) {
                pf_metrics_errf(errstr, errstr_size,
                                "metrics: cannot listen on %s port %d (in use, or not permitted)",
                                bind_addr, port);
                return PF_ERR_IO;
        }
        info = MHD_get_daemon_info(m->httpd, MHD_DAEMON_INFO_BIND_PORT);
        m->port = info != NULL ? info->port : nport;
        return PF_OK;
}

int pf_metrics_port(const pf_metrics_t *m) {
        return m->httpd != NULL ? m->port : 0;
}

void pf_metrics_stop(pf_metrics_t *m) {
        if (m->httpd == NULL)
                return;
        MHD_stop_daemon(m->httpd);
        m->httpd = NULL;
        m->port = 0;
}
