/**
 * @file rules_cli.h
 * @brief `paxflow rules check FILE...`: compile rule files and report their first error.
 */
#ifndef PF_RULES_CLI_H
#define PF_RULES_CLI_H

/**
 * @brief Compiles each file; prints "FILE: ok, ruleset VERSION, N rules" or the compiler's
 *        "file:line:col: message" on stderr.
 * @returns 0 when every file compiles, 1 when one does not, 2 for usage errors.
 */
int pf_rules_cli_run(int argc, char **args);

#endif /* PF_RULES_CLI_H */
