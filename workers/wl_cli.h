/**
 * @file wl_cli.h
 * @brief `paxflow watchlist load FILE` and `paxflow watchlist delete ENTRY_ID...`.
 */
#ifndef PF_WL_CLI_H
#define PF_WL_CLI_H

#include "config.h"
#include "kafka.h"

/**
 * @brief Runs a watchlist subcommand (args[0] is "load" or "delete").
 * load: validates every line of a JSON Lines or CSV file and, only if all are valid, publishes
 * the entries to <prefix>.watchlist in one transaction (all or nothing). delete: publishes
 * tombstones. @returns the exit status (0, 1 on bad input or a Kafka failure, 2 for usage).
 */
int pf_wl_cli_run(const pf_conf_t *conf, int argc, char **args);

/**
 * @brief Publishes @p n records to a global table topic (watchlist, rules) in one transaction:
 *        an error half way leaves nothing visible. NULL @p values: tombstones.
 * @returns 0 or -1 (logged).
 */
int pf_table_publish(const pf_conf_t *conf, pf_topic_t table, char **keys, uint8_t **values,
                     size_t *lens, size_t n);

#endif /* PF_WL_CLI_H */
