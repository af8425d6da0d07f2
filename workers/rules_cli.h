/**
 * @file rules_cli.h
 * @brief `paxflow rules check FILE...`: compile rule files and report their first error.
 */
#ifndef PF_RULES_CLI_H
#define PF_RULES_CLI_H

#include <stddef.h>

#include "config.h"

/**
 * @brief Compiles each file; prints "FILE: ok, ruleset VERSION, N rules" or the compiler's
 *        "file:line:col: message" on stderr.
 * @returns 0 when every file compiles, 1 when one does not, 2 for usage errors.
 */
int pf_rules_cli_run(int argc, char **args);

/** The key of the rule set in the rules topic (one rule set per deployment). */
#define PF_RULES_TABLE_KEY "ruleset"

/**
 * @brief `paxflow rules publish FILE`: compiles FILE and publishes its text to <prefix>.rules,
 *        from where every worker picks it up. A file that does not compile is refused (exit 1)
 *        unless @p force. @returns the exit status.
 */
int pf_rules_publish(const pf_conf_t *conf, const char *path, int force);

#include "rulelang.h"

/**
 * @brief Reads and compiles one rule file. @returns the rule set (caller destroys it), or NULL
 *        with errstr holding "file:line:col: message" or the read error.
 */
pf_ruleset_t *pf_rules_load_file(const char *path, char *errstr, size_t errstr_size);

#endif /* PF_RULES_CLI_H */
