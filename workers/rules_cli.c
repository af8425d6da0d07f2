/**
 * @file rules_cli.c
 * @brief `paxflow rules check`.
 */
#define _POSIX_C_SOURCE 200809L
#include "rules_cli.h"

#include "wl_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulelang.h"

#define PF_RULES_FILE_MAX (4u << 20) /* a rule file is text written by people */

/** Reads a whole file of at most PF_RULES_FILE_MAX bytes. @returns a malloc'ed buffer or NULL. */
static char *rules_cli_read(const char *path, size_t *len, char *errstr, size_t errstr_size) {
        FILE *fp = fopen(path, "rb");
        char *buf = NULL;
        if (!fp) {
                snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
                return NULL;
        }
        buf = malloc(PF_RULES_FILE_MAX + 1);
        if (!buf) {
                snprintf(errstr, errstr_size, "%s: out of memory", path);
                goto done;
        }
        *len = fread(buf, 1, PF_RULES_FILE_MAX + 1, fp);
        if (ferror(fp) || *len > PF_RULES_FILE_MAX) {
                snprintf(errstr, errstr_size, "%s: %s", path,
                         ferror(fp) ? "read error" : "larger than 4 MiB");
                free(buf);
                buf = NULL;
        }
done:
        fclose(fp);
        return buf;
}

pf_ruleset_t *pf_rules_load_file(const char *path, char *errstr, size_t errstr_size) {
        size_t len = 0;
        char *text = rules_cli_read(path, &len, errstr, errstr_size);
        pf_ruleset_t *rs = text ? pf_ruleset_compile(text, len, path, errstr, errstr_size) : NULL;
        free(text);
        return rs;
}

int pf_rules_publish(const pf_conf_t *conf, const char *path, int force) {
        char errstr[1024];
        size_t len = 0;
        char *text = rules_cli_read(path, &len, errstr, sizeof(errstr));
        if (!text) {
                fprintf(stderr, "paxflow rules publish: %s\n", errstr);
                return 1;
        }
        pf_ruleset_t *rs = pf_ruleset_compile(text, len, path, errstr, sizeof(errstr));
        if (!rs && !force) {
                fprintf(stderr,
                        "%s\nnothing published (--force publishes it anyway, for tests "
                        "of the workers' rejection)\n",
                        errstr);
                free(text);
                return 1;
        }
        if (rs)
                printf("%s: ruleset %s, %u rules\n", path, pf_ruleset_version(rs),
                       pf_ruleset_rule_count(rs));
        pf_ruleset_destroy(rs);
        char *key = (char *)PF_RULES_TABLE_KEY;
        uint8_t *value = (uint8_t *)text;
        int rc = pf_table_publish(conf, PF_TOPIC_RULES, &key, &value, &len, 1) ? 1 : 0;
        free(text);
        return rc;
}

int pf_rules_cli_run(int argc, char **args) {
        char errstr[1024];
        int status = 0;
        if (argc < 2 || strcmp(args[0], "check") != 0) {
                fprintf(stderr, "paxflow rules: expected \"check FILE...\" (see paxflow rules "
                                "--help)\n");
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                pf_ruleset_t *rs = pf_rules_load_file(args[i], errstr, sizeof(errstr));
                if (rs) {
                        printf("%s: ok, ruleset %s, %u rules\n", args[i], pf_ruleset_version(rs),
                               pf_ruleset_rule_count(rs));
                } else {
                        fprintf(stderr, "%s\n", errstr);
                        status = 1;
                }
                pf_ruleset_destroy(rs);
        }
        return status;
}
