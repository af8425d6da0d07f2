/**
 * @file kafka.h
 * @brief librdkafka set-up shared by the subcommands: configuration, topic names, logging.
 */
#ifndef PF_KAFKA_H
#define PF_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "config.h"

/** Topic roles; names are <topic.prefix>.<suffix>. */
typedef enum {
        PF_TOPIC_EVENTS_API = 0,
        PF_TOPIC_EVENTS_PNR,
        PF_TOPIC_BY_TRAVELLER,
        PF_TOPIC_SCORED,
        PF_TOPIC_ALERTS,
        PF_TOPIC_DLQ,
        PF_TOPIC_WATCHLIST,
        PF_TOPIC_RULES,
        PF_TOPIC_CHANGELOG,
        PF_TOPIC_FLAGS,
        PF_TOPIC__COUNT
} pf_topic_t;

/** @returns the suffix of a topic role, e.g. "events.api". */
const char *pf_topic_suffix(pf_topic_t topic);

/** @returns 1 if the role's topic is compacted (a table), else 0. */
int pf_topic_compacted(pf_topic_t topic);

/** @brief Writes "<prefix>.<suffix>" into buf. */
void pf_topic_name(const pf_conf_t *conf, pf_topic_t topic, char *buf, size_t size);

/**
 * @brief A librdkafka configuration with bootstrap servers, JSON logging and every pass-through
 *        property (-X / kafka.*) applied. @returns NULL with errstr naming the bad property.
 */
/**
 * @brief Refuses a cooperative partition.assignment.strategy with a librdkafka older than 2.6.1
 *        (#4800, #4908): the worker's rebalance handling is the eager protocol's.
 * @returns 0, or -1 with errstr.
 */
int pf_kafka_check_rebalance(const pf_conf_t *conf, char *errstr, size_t errstr_size);

rd_kafka_conf_t *pf_kafka_conf_new(const pf_conf_t *conf, char *errstr, size_t errstr_size);

/** @brief Sets one property, failing with a message. @returns 0 or -1. */
int pf_kafka_conf_set(rd_kafka_conf_t *kconf, const char *name, const char *value, char *errstr,
                      size_t errstr_size);

#endif /* PF_KAFKA_H */
