/**
 * @file consume.h
 * @brief `paxflow consume`: prints a topic as JSON lines, from the beginning to its current end.
 */
#ifndef PF_CONSUME_H
#define PF_CONSUME_H

#include <librdkafka/rdkafka.h>
#include <stdint.h>

#include "config.h"

/** Called for each message read. */
typedef void(pf_consume_fn)(void *opaque, const rd_kafka_message_t *msg);

/**
 * @brief Reads every partition of @p topic (read_committed) from the beginning up to the end
 *        offsets seen at start, calling @p fn per message.
 * @returns 0, or 1 (logged) on an error or when nothing arrived for @p timeout_ms.
 */
int pf_consume_topic(const pf_conf_t *conf, const char *topic, int64_t timeout_ms,
                     pf_consume_fn *fn, void *opaque);

/**
 * @brief Reads every partition of the topic with read_committed isolation up to the end offsets
 *        seen at start, and prints one JSON object per message: the decoded record plus _topic,
 *        _partition, _offset and _key; a message that does not decode prints with _error.
 * @returns the exit status.
 */
int pf_consume_run(const pf_conf_t *conf);

#endif /* PF_CONSUME_H */
