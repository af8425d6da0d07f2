/**
 * @file consume.h
 * @brief `paxflow consume`: prints a topic as JSON lines, from the beginning to its current end.
 */
#ifndef PF_CONSUME_H
#define PF_CONSUME_H

#include "config.h"

/**
 * @brief Reads every partition of the topic with read_committed isolation up to the end offsets
 *        seen at start, and prints one JSON object per message: the decoded record plus _topic,
 *        _partition, _offset and _key; a message that does not decode prints with _error.
 * @returns the exit status.
 */
int pf_consume_run(const pf_conf_t *conf);

#endif /* PF_CONSUME_H */
