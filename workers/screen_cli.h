/**
 * @file screen_cli.h
 * @brief `paxflow screen`: screen travellers read as JSON Lines against a watchlist file.
 */
#ifndef PF_SCREEN_CLI_H
#define PF_SCREEN_CLI_H

#include <stdio.h>

/** Help text of `paxflow screen` (documents every input and output field). */
extern const char *const pf_screen_cli_help;

/** Matchers of `paxflow screen --matcher`. */
typedef enum { PF_SCREEN_MATCHER_PAXFLOW = 0, PF_SCREEN_MATCHER_GTAS } pf_screen_matcher_t;

/**
 * @brief Loads @p watchlist_path, then screens every traveller line of @p in with paxflow's
 *        matcher, writing one JSON line per traveller to @p out and diagnostics to @p err.
 * @returns 0 when every line was processed (bad traveller lines included), 1 if the watchlist
 *          failed to load, 2 for a usage error (bad threshold).
 */
int pf_screen_cli_run(const char *watchlist_path, double threshold, FILE *in, FILE *out, FILE *err);

/** @brief As pf_screen_cli_run(), with a choice of matcher. */
int pf_screen_cli_run_matcher(const char *watchlist_path, double threshold,
                              pf_screen_matcher_t matcher, FILE *in, FILE *out, FILE *err);

/**
 * @brief Parses `screen` arguments (argv[0] is "screen"): --watchlist FILE, --threshold X,
 *        --matcher paxflow|gtas, --help; then runs.
 * @returns the exit status (0 also after --help).
 */
int pf_screen_cli_main(int argc, char **argv, FILE *in, FILE *out, FILE *err);

#endif /* PF_SCREEN_CLI_H */
