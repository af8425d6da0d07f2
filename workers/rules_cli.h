/**
 * @file rules_cli.h
 * @brief `paxflow rules check FILE...`: compile rule files and report their first error.
 */
#ifndef PF_RULES_CLI_H
#define PF_RULES_CLI_H

#include <stddef.h>

/**
 * @brief Compiles each file; prints "FILE: ok, ruleset VERSION, N rules" or the compiler's
 *        "file:line:col: message" on stderr.
 * @returns 0 when every file compiles, 1 when one does not, 2 for usage errors.
 */
int pf_rules_cli_run(int argc, char **args);

#include "rulelang.h"

/**
 * @brief Reads and compiles one rule file. @returns the rule set (caller destroys it), or NULL
 *        with errstr holding "file:line:col: message" or the read error.
 */
pf_ruleset_t *pf_rules_load_file(const char *path, char *errstr, size_t errstr_size);

#endif /* PF_RULES_CLI_H */
