/**
 * @file config.h
 * @brief Settings, defined once in a table (name, type, default, range, description).
 *
 * Values come from, in increasing precedence: the table's defaults, a config file (`--config FILE`,
 * `key = value` lines), `PAXFLOW_*` environment variables (name upper-cased, dots and dashes as
 * underscores: `topic.prefix` -> `PAXFLOW_TOPIC_PREFIX`), and flags (`--topic.prefix X` or
 * `--topic.prefix=X`). librdkafka properties pass through with `-X key=value`, or as `kafka.key`
 * in the file. `--help` text comes from the table.
 */
#ifndef PF_CONFIG_H
#define PF_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

/** Which subcommands a setting applies to. */
enum {
        PF_SCOPE_RUN = 1 << 0,
        PF_SCOPE_GEN = 1 << 1,
        PF_SCOPE_TOPICS = 1 << 2,
        PF_SCOPE_CONSUME = 1 << 3,
        PF_SCOPE_WATCHLIST = 1 << 4,
        PF_SCOPE_KAFKA = PF_SCOPE_RUN | PF_SCOPE_GEN | PF_SCOPE_TOPICS | PF_SCOPE_CONSUME |
                         PF_SCOPE_WATCHLIST,
};

typedef struct pf_conf_s pf_conf_t;

#define PF_CONF_MAX_KAFKA 64

pf_conf_t *pf_conf_new(void);
void pf_conf_destroy(pf_conf_t *conf);

/**
 * @brief Loads file, environment and flags for a subcommand.
 *
 * Stops at the first argument that is not an option; *argi is its index (argc if none).
 * @returns PF_OK; PF_ERR_CONFIG with errstr naming the key, the value and what is allowed.
 */
pf_err_t pf_conf_load(pf_conf_t *conf, unsigned scope, int argc, char **argv, int *argi,
                      char *errstr, size_t errstr_size);

/** @brief Sets one value after validating it against the table. */
pf_err_t pf_conf_set(pf_conf_t *conf, const char *name, const char *value, char *errstr,
                     size_t errstr_size);

const char *pf_conf_str(const pf_conf_t *conf, const char *name);
int64_t pf_conf_int(const pf_conf_t *conf, const char *name);
double pf_conf_double(const pf_conf_t *conf, const char *name);

/** @returns the number of librdkafka pass-through properties; fills name/value pointers. */
int pf_conf_kafka(const pf_conf_t *conf, int i, const char **name, const char **value);

/** @brief Prints the options of @p scope, for --help. */
void pf_conf_usage(FILE *fp, unsigned scope);

/** @brief Prints the effective configuration of @p scope, secrets redacted. */
void pf_conf_dump(FILE *fp, const pf_conf_t *conf, unsigned scope);

#endif /* PF_CONFIG_H */
