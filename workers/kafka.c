/**
 * @file kafka.c
 * @brief librdkafka set-up shared by the subcommands.
 */
#include "kafka.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *pf_topic_suffixes[PF_TOPIC__COUNT] = {
        "events.api", "events.pnr", "by-traveller", "scored",    "alerts",
        "dlq",        "watchlist",  "rules",        "changelog", "flags",
};

const char *pf_topic_suffix(pf_topic_t topic) {
        return (unsigned)topic < PF_TOPIC__COUNT ? pf_topic_suffixes[topic] : "?";
}

int pf_topic_compacted(pf_topic_t topic) {
        return topic == PF_TOPIC_WATCHLIST || topic == PF_TOPIC_RULES ||
               topic == PF_TOPIC_CHANGELOG || topic == PF_TOPIC_FLAGS;
}

void pf_topic_name(const pf_conf_t *conf, pf_topic_t topic, char *buf, size_t size) {
        snprintf(buf, size, "%s.%s", pf_conf_str(conf, "topic.prefix"), pf_topic_suffix(topic));
}

/** librdkafka's own log lines, re-emitted as paxflow JSON logs. They carry no payloads. */
static void kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
        pf_log_level_t lvl = level <= 3   ? PF_LOG_ERROR
                             : level <= 4 ? PF_LOG_WARN
                             : level <= 6 ? PF_LOG_INFO
                                          : PF_LOG_DEBUG;
        pf_log(lvl, "rdkafka", "%s: %s: %s", rk ? rd_kafka_name(rk) : "-", fac, buf);
}

int pf_kafka_conf_set(rd_kafka_conf_t *kconf, const char *name, const char *value, char *errstr,
                      size_t errstr_size) {
        char kerr[512];
        if (rd_kafka_conf_set(kconf, name, value, kerr, sizeof(kerr)) == RD_KAFKA_CONF_OK)
                return 0;
        snprintf(errstr, errstr_size, "kafka.%s: %s", name, kerr);
        return -1;
}

int pf_kafka_check_rebalance(const pf_conf_t *conf, char *errstr, size_t errstr_size) {
        int n = pf_conf_kafka(conf, 0, NULL, NULL);
        if (rd_kafka_version() >= 0x020601ff)
                return 0;
        for (int i = 0; i < n; i++) {
                const char *name, *value;
                pf_conf_kafka(conf, i, &name, &value);
                if (strcmp(name, "partition.assignment.strategy") == 0 &&
                    strstr(value, "cooperative")) {
                        snprintf(errstr, errstr_size,
                                 "kafka.partition.assignment.strategy: \"%s\" is refused with "
                                 "librdkafka %s: before 2.6.1 the cooperative protocol can loop "
                                 "forever (librdkafka #4800) and a commit during a cooperative "
                                 "rebalance can lose the assignment (#4908); allowed: range, "
                                 "roundrobin (the eager protocol; README \"Rebalancing\")",
                                 value, rd_kafka_version_str());
                        return -1;
                }
        }
        return 0;
}

rd_kafka_conf_t *pf_kafka_conf_new(const pf_conf_t *conf, char *errstr, size_t errstr_size) {
        rd_kafka_conf_t *kconf = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(kconf, kafka_log_cb);
        if (pf_kafka_conf_set(kconf, "bootstrap.servers", pf_conf_str(conf, "brokers"), errstr,
                              errstr_size))
                goto err;
        int n = pf_conf_kafka(conf, 0, NULL, NULL);
        for (int i = 0; i < n; i++) {
                const char *name, *value;
                pf_conf_kafka(conf, i, &name, &value);
                if (pf_kafka_conf_set(kconf, name, value, errstr, errstr_size))
                        goto err;
        }
        return kconf;
err:
        rd_kafka_conf_destroy(kconf);
        return NULL;
}
