/**
 * @file config.c
 * @brief The settings table and its loaders.
 */
#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

typedef enum {
        PF_CONF_STR,
        PF_CONF_INT,
        PF_CONF_DOUBLE,
        PF_CONF_BAND,
        PF_CONF_ENUM
} pf_conf_type_t;

typedef struct pf_conf_prop_s {
        const char *name;
        pf_conf_type_t type;
        const char *dflt;
        double min, max;
        unsigned scope;
        int secret;
        const char *desc;
        const char *choices; /**< PF_CONF_ENUM: allowed values, comma-separated */
} pf_conf_prop_t;

#define RUN     PF_SCOPE_RUN
#define GEN     PF_SCOPE_GEN
#define TOPICS  PF_SCOPE_TOPICS
#define CONSUME PF_SCOPE_CONSUME
#define KAFKA   PF_SCOPE_KAFKA

/* clang-format off */
static const pf_conf_prop_t pf_conf_props[] = {
    {"brokers", PF_CONF_STR, "127.0.0.1:19092", 0, 0, KAFKA, 0,
     "Kafka bootstrap servers (host:port[,host:port...]).", NULL},
    {"topic.prefix", PF_CONF_STR, "paxflow", 0, 0, KAFKA, 0,
     "Prefix of every topic name: <prefix>.events.api, .events.pnr, .by-traveller, .scored, "
     ".alerts, .dlq, .watchlist, .rules.", NULL},
    {"group.id", PF_CONF_STR, "paxflow", 0, 0, RUN, 0,
     "Consumer group of the workers; workers of one deployment share it.", NULL},
    {"state.dir", PF_CONF_STR, "./paxflow-state", 0, 0, RUN, 0,
     "Directory of the per-partition RocksDB stores.", NULL},
    {"secret.file", PF_CONF_STR, "", 0, 0, RUN, 1,
     "File holding the pseudonymisation secret (16-64 bytes). Required: traveller keys are a keyed "
     "hash with it.", NULL},
    {"alert.band", PF_CONF_BAND, "MEDIUM", 0, 0, RUN, 0,
     "Results at or above this band also go to the alerts topic: NONE, LOW, MEDIUM, HIGH, CRITICAL.", NULL},
    {"processing.guarantee", PF_CONF_ENUM, "exactly_once_v2", 0, 0, RUN, 0,
     "exactly_once_v2: each poll batch's outputs, state changelog and input offsets commit in one "
     "Kafka transaction. at_least_once: outputs flushed before offsets commit (a crash may "
     "duplicate, never lose).",
     "exactly_once_v2,at_least_once"},
    {"worker.id", PF_CONF_STR, "", 0, 0, RUN, 0,
     "Stable id of this worker (default: the host name). It names the transactional id "
     "<group.id>-<worker.id>, so a restarted worker fences its own unfinished transaction at once.", NULL},
    {"metrics.port", PF_CONF_INT, "0", 0, 65535, RUN, 0,
     "Port of the HTTP endpoints /metrics (Prometheus), /livez and /readyz; 0 disables them.",
     NULL},
    {"metrics.bind", PF_CONF_STR, "0.0.0.0", 0, 0, RUN, 0,
     "Numeric IPv4/IPv6 address the endpoints listen on (127.0.0.1: this host only).", NULL},
    {"metrics.liveness.timeout.ms", PF_CONF_INT, "60000", 1000, 3600000, RUN, 0,
     "/livez fails when the worker loop has not run for this long.", NULL},
    {"fault.abort.every", PF_CONF_INT, "0", 0, 1000000, RUN, 0,
     "Fault injection for tests: abort every Nth transaction after its outputs and changelog were "
     "produced, as a failed commit would (0 = never).", NULL},
    {"commit.interval.ms", PF_CONF_INT, "100", 1, 600000, RUN, 0,
     "How often processed offsets are committed (after the outputs are delivered).", NULL},
    {"band.low.min", PF_CONF_INT, "1", 1, 100, RUN, 0,
     "Lowest score (0-100) of band LOW; below it a result is NONE. The band thresholds must rise "
     "from LOW to CRITICAL.", NULL},
    {"band.medium.min", PF_CONF_INT, "30", 1, 100, RUN, 0, "Lowest score of band MEDIUM.", NULL},
    {"band.high.min", PF_CONF_INT, "60", 1, 100, RUN, 0, "Lowest score of band HIGH.", NULL},
    {"band.critical.min", PF_CONF_INT, "85", 1, 100, RUN, 0, "Lowest score of band CRITICAL.",
     NULL},
    {"order.mode", PF_CONF_ENUM, "event_time", 0, 0, RUN, 0,
     "event_time: stage 2 applies each traveller's events in (sent_at, event id) order once every "
     "input partition's watermark has passed them, so results and history never depend on timing "
     "(a replay gives the same results). arrival: apply in arrival order (lowest latency; history "
     "rules may then differ between runs).",
     "event_time,arrival"},
    {"order.idle", PF_CONF_ENUM, "end", 0, 0, RUN, 0,
     "What an input partition read to its end promises in event_time order. end: nothing more "
     "(right for input already on the broker; a live event appended later may be applied late). "
     "clock: nothing older than the clock minus order.lateness.ms (for live streams whose "
     "producers stamp sent_at; the lateness must cover append delay and clock skew).",
     "end,clock"},
    {"order.lateness.ms", PF_CONF_INT, "1000", 0, 86400000, RUN, 0,
     "How far out of sent_at order an input partition may be. Each input partition's watermark "
     "trails its newest sent_at by this much (with order.idle=clock a partition read to its end "
     "promises the clock minus this); an event older than "
     "that is applied on arrival and counted in paxflow_order_late_events_total.", NULL},
    {"flags.delay.ms", PF_CONF_INT, "3600000", 0, 31LL * 86400000, RUN, 0,
     "Rules R15 and R16 see another traveller's flags (the contacts and bookings of hit "
     "travellers, shared through the <prefix>.flags topic) only when the flag is older than the "
     "event by more than this. Stage 2 holds an event until every partition has published "
     "progress past its time minus this, so results never depend on timing; in a live stream that "
     "costs nothing, in a replay a commit round trip per this much event time.", NULL},
    {"order.max.pending", PF_CONF_INT, "200000", 1, 100000000, RUN, 0,
     "Events one repartition partition may hold while it waits for watermarks; beyond it the "
     "oldest is applied early and counted in paxflow_order_forced_total (bounds memory).", NULL},
    {"schema.registry.url", PF_CONF_STR, "", 0, 0, RUN, 0,
     "Confluent-compatible schema registry (e.g. http://registry:8081, or Apicurio's "
     "http://host:8080/apis/ccompat/v7). Schema ids paxflow does not ship resolve there, cached. "
     "Empty: only the shipped schemas (schemas/ids.tsv).", NULL},
    {"schema.registry.user", PF_CONF_STR, "", 0, 0, RUN, 0,
     "Basic-auth user of the schema registry (empty: none).", NULL},
    {"schema.registry.password", PF_CONF_STR, "", 0, 0, RUN, 1,
     "Basic-auth password of the schema registry.", NULL},
    {"schema.registry.timeout.ms", PF_CONF_INT, "5000", 100, 600000, RUN, 0,
     "Budget of one schema lookup, retries included.", NULL},
    {"schema.registry.outage.max.ms", PF_CONF_INT, "120000", 0, 3600000, RUN, 0,
     "How long a worker waits, retrying, for an unreachable registry before it stops (exit 1, "
     "nothing committed, nothing dead-lettered: a restart re-processes). Keep it below "
     "max.poll.interval.ms.", NULL},
    {"idle.exit.ms", PF_CONF_INT, "0", 0, 86400000, RUN, 0,
     "Exit cleanly once every assigned partition is consumed to its end and nothing arrived for this "
     "long (0 = run until SIGINT/SIGTERM). For demos, tests and batch replays.", NULL},
    {"rules.file", PF_CONF_STR, "", 0, 0, RUN, 0,
     "Rule file in the rule language (rules/README.md; e.g. rules/default.rules, all 18 catalogue "
     "rules). Empty: the built-in rules 1-5, 7 and 13. Checked at start-up (exit 2 on a mistake).",
     NULL},
    {"screen.threshold", PF_CONF_DOUBLE, "0.85", 0, 1, RUN, 0,
     "Lowest watchlist match confidence reported (see paxflow screen --help for its meaning).",
     NULL},
    {"history.retention.days", PF_CONF_INT, "400", 1, 1830, RUN, 0,
     "Trips older than this (event time) drop out of a traveller's history.", NULL},
    {"store.cache.mb", PF_CONF_INT, "64", 1, 65536, RUN, 0, "RocksDB block cache per store, MiB.", NULL},
    {"history.cache.mb", PF_CONF_INT, "64", 0, 65536, RUN, 0,
     "Committed traveller histories kept in memory in front of RocksDB, per worker, MiB (0: off).",
     NULL},
    {"max.message.bytes", PF_CONF_INT, "1048576", 1024, 16777216, RUN | CONSUME, 0,
     "Larger input messages go to the dead-letter topic as TOO_LARGE.", NULL},
    {"log.level", PF_CONF_STR, "info", 0, 0, KAFKA, 0, "debug, info, warn, error or off.", NULL},
    {"partitions", PF_CONF_INT, "6", 1, 10000, TOPICS, 0,
     "Partitions of the event, repartition and output topics.", NULL},
    {"replication.factor", PF_CONF_INT, "1", 1, 16, TOPICS, 0, "Replication factor of new topics.", NULL},
    {"seed", PF_CONF_INT, "42", 0, 9007199254740991.0, GEN, 0,
     "Random seed: the same seed and settings give the same traffic, byte for byte.", NULL},
    {"hours", PF_CONF_INT, "1", 1, 744, GEN, 0, "Length of the departure window in hours.", NULL},
    {"flights.per.hour", PF_CONF_INT, "60", 1, 200, GEN, 0, "Departures per hour from the hub.", NULL},
    {"pax.per.flight", PF_CONF_INT, "150", 1, 853, GEN, 0, "Mean passengers per flight.", NULL},
    {"history.days", PF_CONF_INT, "40", 0, 365, GEN, 0,
     "Days before the window in which repeat travellers made earlier trips.", NULL},
    {"repeat.share", PF_CONF_DOUBLE, "0.2", 0, 1, GEN, 0,
     "Share of travellers with earlier trips.", NULL},
    {"frequent.travellers", PF_CONF_INT, "10", 0, 100000, GEN, 0,
     "Planted travellers with frequent short trips (rule 13).", NULL},
    {"bad.payloads", PF_CONF_INT, "14", 0, 100000, GEN, 0,
     "Planted malformed payloads, cycling through every kind of bad input.", NULL},
    {"v1.share", PF_CONF_DOUBLE, "0.1", 0, 1, GEN, 0,
     "Share of events written with the older PassengerEvent schema version 1.", NULL},
    {"out", PF_CONF_STR, "", 0, 0, GEN, 0,
     "Write the traffic to this file instead of to Kafka (paxflow event file).", NULL},
    {"truth", PF_CONF_STR, "", 0, 0, GEN, 0,
     "Write the ground truth of planted patterns to this file (JSON lines).", NULL},
    {"watchlist.out", PF_CONF_STR, "", 0, 0, GEN, 0,
     "Write a watchlist to this file (JSON lines, as paxflow watchlist load reads): the planted "
     "entries, whose matches are in the truth, and 1000 entries of people who never travel.", NULL},
    {"topic", PF_CONF_STR, "", 0, 0, CONSUME, 0,
     "Topic to read: a full name, or a role completed with the prefix (events.api, events.pnr, by-traveller, scored, alerts, dlq, watchlist, rules, changelog).", NULL},
    {"timeout.ms", PF_CONF_INT, "10000", 100, 3600000, CONSUME, 0,
     "Give up when nothing arrives for this long before the end of the topic is reached.", NULL},
};
/* clang-format on */

#define PF_CONF_COUNT (sizeof(pf_conf_props) / sizeof(pf_conf_props[0]))

struct pf_conf_s {
        char *values[PF_CONF_COUNT];
        int kafka_count;
        char *kafka_names[PF_CONF_MAX_KAFKA];
        char *kafka_values[PF_CONF_MAX_KAFKA];
};

static const pf_conf_prop_t *conf_prop_find(const char *name, size_t *idx) {
        for (size_t i = 0; i < PF_CONF_COUNT; i++) {
                if (strcmp(pf_conf_props[i].name, name) == 0) {
                        if (idx)
                                *idx = i;
                        return &pf_conf_props[i];
                }
        }
        return NULL;
}

pf_conf_t *pf_conf_new(void) {
        pf_conf_t *conf = calloc(1, sizeof(*conf));
        if (!conf)
                return NULL;
        for (size_t i = 0; i < PF_CONF_COUNT; i++) {
                conf->values[i] = strdup(pf_conf_props[i].dflt);
                if (!conf->values[i]) {
                        pf_conf_destroy(conf);
                        return NULL;
                }
        }
        return conf;
}

void pf_conf_destroy(pf_conf_t *conf) {
        if (!conf)
                return;
        for (size_t i = 0; i < PF_CONF_COUNT; i++)
                free(conf->values[i]);
        for (int i = 0; i < conf->kafka_count; i++) {
                free(conf->kafka_names[i]);
                free(conf->kafka_values[i]);
        }
        free(conf);
}

/** Validates @p value for @p prop. @returns PF_OK or PF_ERR_CONFIG with errstr. */
static pf_err_t conf_validate(const pf_conf_prop_t *prop, const char *value, char *errstr,
                              size_t errstr_size) {
        char *end = NULL;
        errno = 0;
        switch (prop->type) {
        case PF_CONF_STR:
                return PF_OK;
        case PF_CONF_ENUM: {
                size_t n = strlen(value);
                for (const char *c = prop->choices; c && *c;) {
                        const char *comma = strchr(c, ',');
                        size_t len = comma ? (size_t)(comma - c) : strlen(c);
                        if (len == n && strncmp(c, value, n) == 0)
                                return PF_OK;
                        c = comma ? comma + 1 : c + len;
                }
                snprintf(errstr, errstr_size, "%s: invalid value \"%s\": allowed are %s",
                         prop->name, value, prop->choices);
                return PF_ERR_CONFIG;
        }
        case PF_CONF_BAND: {
                pf_band_t band;
                if (pf_band_parse(value, &band) == 0)
                        return PF_OK;
                snprintf(errstr, errstr_size,
                         "%s: invalid value \"%s\": allowed are NONE, LOW, MEDIUM, HIGH, CRITICAL",
                         prop->name, value);
                return PF_ERR_CONFIG;
        }
        case PF_CONF_INT: {
                long long v = strtoll(value, &end, 10);
                if (errno || end == value || *end || v < prop->min || v > prop->max) {
                        snprintf(errstr, errstr_size,
                                 "%s: invalid value \"%s\": allowed is an integer from %.0f to "
                                 "%.0f",
                                 prop->name, value, prop->min, prop->max);
                        return PF_ERR_CONFIG;
                }
                return PF_OK;
        }
        case PF_CONF_DOUBLE: {
                double v = strtod(value, &end);
                if (errno || end == value || *end || !(v >= prop->min && v <= prop->max)) {
                        snprintf(errstr, errstr_size,
                                 "%s: invalid value \"%s\": allowed is a number from %g to %g",
                                 prop->name, value, prop->min, prop->max);
                        return PF_ERR_CONFIG;
                }
                return PF_OK;
        }
        }
        return PF_ERR_CONFIG;
}

static pf_err_t conf_set_kafka(pf_conf_t *conf, const char *name, const char *value, char *errstr,
                               size_t errstr_size) {
        for (int i = 0; i < conf->kafka_count; i++) {
                if (strcmp(conf->kafka_names[i], name) == 0) {
                        char *v = strdup(value);
                        if (!v)
                                return PF_ERR_NOMEM;
                        free(conf->kafka_values[i]);
                        conf->kafka_values[i] = v;
                        return PF_OK;
                }
        }
        if (conf->kafka_count == PF_CONF_MAX_KAFKA) {
                snprintf(errstr, errstr_size, "more than %d librdkafka properties",
                         PF_CONF_MAX_KAFKA);
                return PF_ERR_CONFIG;
        }
        conf->kafka_names[conf->kafka_count] = strdup(name);
        conf->kafka_values[conf->kafka_count] = strdup(value);
        if (!conf->kafka_names[conf->kafka_count] || !conf->kafka_values[conf->kafka_count])
                return PF_ERR_NOMEM;
        conf->kafka_count++;
        return PF_OK;
}

pf_err_t pf_conf_set(pf_conf_t *conf, const char *name, const char *value, char *errstr,
                     size_t errstr_size) {
        size_t idx;
        if (strncmp(name, "kafka.", 6) == 0)
                return conf_set_kafka(conf, name + 6, value, errstr, errstr_size);
        const pf_conf_prop_t *prop = conf_prop_find(name, &idx);
        if (!prop) {
                snprintf(errstr, errstr_size,
                         "unknown setting \"%s\" (see --help; librdkafka properties go with -X or "
                         "a kafka. prefix)",
                         name);
                return PF_ERR_CONFIG;
        }
        pf_err_t err = conf_validate(prop, value, errstr, errstr_size);
        if (err)
                return err;
        char *v = strdup(value);
        if (!v)
                return PF_ERR_NOMEM;
        free(conf->values[idx]);
        conf->values[idx] = v;
        return PF_OK;
}

/** Trims ASCII space at both ends, in place. */
static char *conf_trim(char *s) {
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

static pf_err_t conf_load_file(pf_conf_t *conf, const char *path, char *errstr,
                               size_t errstr_size) {
        FILE *fp = fopen(path, "r");
        if (!fp) {
                snprintf(errstr, errstr_size, "config: cannot open %s: %s", path, strerror(errno));
                return PF_ERR_CONFIG;
        }
        char line[4096], sub[512];
        int lineno = 0;
        pf_err_t err = PF_OK;
        while (!err && fgets(line, sizeof(line), fp)) {
                lineno++;
                char *s = conf_trim(line);
                if (!*s || *s == '#')
                        continue;
                char *eq = strchr(s, '=');
                if (!eq) {
                        snprintf(errstr, errstr_size, "%s:%d: expected key = value", path, lineno);
                        err = PF_ERR_CONFIG;
                        break;
                }
                *eq = '\0';
                err = pf_conf_set(conf, conf_trim(s), conf_trim(eq + 1), sub, sizeof(sub));
                if (err)
                        snprintf(errstr, errstr_size, "%s:%d: %s", path, lineno, sub);
        }
        fclose(fp);
        return err;
}

static pf_err_t conf_load_env(pf_conf_t *conf, unsigned scope, char *errstr, size_t errstr_size) {
        for (size_t i = 0; i < PF_CONF_COUNT; i++) {
                if (!(pf_conf_props[i].scope & scope))
                        continue;
                char env[128] = "PAXFLOW_";
                size_t n = strlen(env);
                for (const char *p = pf_conf_props[i].name; *p && n + 1 < sizeof(env); p++)
                        env[n++] =
                                (*p == '.' || *p == '-') ? '_' : (char)toupper((unsigned char)*p);
                env[n] = '\0';
                const char *v = getenv(env);
                if (!v)
                        continue;
                char sub[512];
                pf_err_t err = pf_conf_set(conf, pf_conf_props[i].name, v, sub, sizeof(sub));
                if (err) {
                        snprintf(errstr, errstr_size, "%s: %s", env, sub);
                        return err;
                }
        }
        return PF_OK;
}

/** Applies one -X key=value. */
static pf_err_t conf_apply_x(pf_conf_t *conf, const char *kv, char *errstr, size_t errstr_size) {
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
                snprintf(errstr, errstr_size, "-X %s: expected librdkafka key=value", kv);
                return PF_ERR_CONFIG;
        }
        char name[256];
        size_t n = (size_t)(eq - kv);
        if (n >= sizeof(name)) {
                snprintf(errstr, errstr_size, "-X: property name too long");
                return PF_ERR_CONFIG;
        }
        memcpy(name, kv, n);
        name[n] = '\0';
        return conf_set_kafka(conf, name, eq + 1, errstr, errstr_size);
}

pf_err_t pf_conf_load(pf_conf_t *conf, unsigned scope, int argc, char **argv, int *argi,
                      char *errstr, size_t errstr_size) {
        pf_err_t err;
        /* Pass 1: the config file, so that flags can override it. */
        for (int i = 0; i < argc; i++) {
                if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
                        if ((err = conf_load_file(conf, argv[i + 1], errstr, errstr_size)))
                                return err;
                } else if (strncmp(argv[i], "--config=", 9) == 0) {
                        if ((err = conf_load_file(conf, argv[i] + 9, errstr, errstr_size)))
                                return err;
                }
        }
        if ((err = conf_load_env(conf, scope, errstr, errstr_size)))
                return err;
        /* Options and positional arguments may mix (like GNU getopt): positionals are moved, in
         * order, to the end of argv, and *argi is the first of them. */
        char *positional[64];
        int npos = 0, i;
        for (i = 0; i < argc; i++) {
                const char *arg = argv[i];
                if (strcmp(arg, "--") == 0) {
                        for (i++; i < argc && npos < 64; i++)
                                positional[npos++] = argv[i];
                        break;
                }
                if (arg[0] != '-' || arg[1] == '\0') {
                        if (npos == 64) {
                                snprintf(errstr, errstr_size, "too many arguments");
                                return PF_ERR_CONFIG;
                        }
                        positional[npos++] = argv[i];
                        continue;
                }
                if (strcmp(arg, "-X") == 0) {
                        if (i + 1 >= argc) {
                                snprintf(errstr, errstr_size, "-X needs key=value");
                                return PF_ERR_CONFIG;
                        }
                        if ((err = conf_apply_x(conf, argv[++i], errstr, errstr_size)))
                                return err;
                        continue;
                }
                if (strncmp(arg, "--", 2) != 0) {
                        snprintf(errstr, errstr_size, "unknown option \"%s\" (see --help)", arg);
                        return PF_ERR_CONFIG;
                }
                char name[256];
                const char *value;
                const char *eq = strchr(arg + 2, '=');
                size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
                if (n >= sizeof(name)) {
                        snprintf(errstr, errstr_size, "option name too long");
                        return PF_ERR_CONFIG;
                }
                memcpy(name, arg + 2, n);
                name[n] = '\0';
                if (eq) {
                        value = eq + 1;
                } else if (i + 1 < argc) {
                        value = argv[++i];
                } else {
                        snprintf(errstr, errstr_size, "option --%s needs a value", name);
                        return PF_ERR_CONFIG;
                }
                if (strcmp(name, "config") == 0)
                        continue;
                const pf_conf_prop_t *prop = conf_prop_find(name, NULL);
                if (prop && !(prop->scope & scope)) {
                        snprintf(errstr, errstr_size, "option --%s does not apply to this command",
                                 name);
                        return PF_ERR_CONFIG;
                }
                if (!prop && strncmp(name, "kafka.", 6) != 0) {
                        snprintf(errstr, errstr_size, "unknown option --%s (see --help)", name);
                        return PF_ERR_CONFIG;
                }
                if ((err = pf_conf_set(conf, name, value, errstr, errstr_size)))
                        return err;
        }
        for (int k = 0; k < npos; k++)
                argv[argc - npos + k] = positional[k];
        *argi = argc - npos;
        return PF_OK;
}

const char *pf_conf_str(const pf_conf_t *conf, const char *name) {
        size_t idx;
        if (!conf_prop_find(name, &idx))
                abort(); /* a typo in the code, not in the input */
        return conf->values[idx];
}

int64_t pf_conf_int(const pf_conf_t *conf, const char *name) {
        return strtoll(pf_conf_str(conf, name), NULL, 10);
}

double pf_conf_double(const pf_conf_t *conf, const char *name) {
        return strtod(pf_conf_str(conf, name), NULL);
}

int pf_conf_kafka(const pf_conf_t *conf, int i, const char **name, const char **value) {
        if (name && value && i >= 0 && i < conf->kafka_count) {
                *name = conf->kafka_names[i];
                *value = conf->kafka_values[i];
        }
        return conf->kafka_count;
}

void pf_conf_usage(FILE *fp, unsigned scope) {
        fprintf(fp, "Options (also from --config FILE and PAXFLOW_<NAME> environment "
                    "variables):\n");
        for (size_t i = 0; i < PF_CONF_COUNT; i++) {
                const pf_conf_prop_t *p = &pf_conf_props[i];
                if (!(p->scope & scope))
                        continue;
                fprintf(fp, "  --%-24s %s\n", p->name, p->desc);
                if (p->type == PF_CONF_INT)
                        fprintf(fp, "  %-26s default %s, range %.0f..%.0f\n", "", p->dflt, p->min,
                                p->max);
                else if (p->type == PF_CONF_DOUBLE)
                        fprintf(fp, "  %-26s default %s, range %g..%g\n", "", p->dflt, p->min,
                                p->max);
                else if (p->type == PF_CONF_ENUM)
                        fprintf(fp, "  %-26s default %s, one of %s\n", "", p->dflt, p->choices);
                else
                        fprintf(fp, "  %-26s default \"%s\"\n", "", p->dflt);
        }
        fprintf(fp, "  --%-24s %s\n", "config FILE",
                "Read settings from FILE (key = value lines).");
        if (scope & PF_SCOPE_KAFKA)
                fprintf(fp, "  %-26s %s\n", "-X key=value",
                        "Pass a librdkafka property through (e.g. -X security.protocol=SSL).");
}

void pf_conf_dump(FILE *fp, const pf_conf_t *conf, unsigned scope) {
        for (size_t i = 0; i < PF_CONF_COUNT; i++) {
                if (pf_conf_props[i].scope & scope)
                        fprintf(fp, "%s = %s\n", pf_conf_props[i].name,
                                pf_conf_props[i].secret && conf->values[i][0] ? "[redacted]"
                                                                              : conf->values[i]);
        }
        for (int i = 0; i < conf->kafka_count; i++) {
                const char *n = conf->kafka_names[i];
                int secret = strstr(n, "password") || strstr(n, "secret") || strstr(n, "key");
                fprintf(fp, "kafka.%s = %s\n", n, secret ? "[redacted]" : conf->kafka_values[i]);
        }
}
