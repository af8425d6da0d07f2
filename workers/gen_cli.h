/**
 * @file gen_cli.h
 * @brief `paxflow gen` (traffic to Kafka or a file) and `paxflow produce` (a file to Kafka).
 */
#ifndef PF_GEN_CLI_H
#define PF_GEN_CLI_H

#include "config.h"

/** @returns the exit status of `paxflow gen`. */
int pf_gen_cli_run(const pf_conf_t *conf);

/** @returns the exit status of `paxflow produce FILE`. */
int pf_produce_cli_run(const pf_conf_t *conf, const char *path);

#endif /* PF_GEN_CLI_H */
