/**
 * @file wl_cli.h
 * @brief `paxflow watchlist load FILE` and `paxflow watchlist delete ENTRY_ID...`.
 */
#ifndef PF_WL_CLI_H
#define PF_WL_CLI_H

#include "config.h"

/**
 * @brief Runs a watchlist subcommand (args[0] is "load" or "delete").
 * load: validates every line of a JSON Lines or CSV file and, only if all are valid, publishes
 * the entries to <prefix>.watchlist in one transaction (all or nothing). delete: publishes
 * tombstones. @returns the exit status (0, 1 on bad input or a Kafka failure, 2 for usage).
 */
int pf_wl_cli_run(const pf_conf_t *conf, int argc, char **args);

#endif /* PF_WL_CLI_H */
