/**
 * @file topics.h
 * @brief `paxflow topics create`.
 */
#ifndef PF_TOPICS_H
#define PF_TOPICS_H

#include "config.h"

/**
 * @brief Creates the event, repartition, output and table topics of the deployment; topics that
 *        exist already are left alone. @returns the exit status (0 when all exist afterwards).
 */
int pf_topics_create(const pf_conf_t *conf);

#endif /* PF_TOPICS_H */
