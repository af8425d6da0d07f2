/**
 * @file main.c
 * @brief The paxflow binary: subcommands in the style of kcat and Kafka's own tools.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "bench_core.h"
#include "config.h"
#include "consume.h"
#include "gen_cli.h"
#include "kafka.h"
#include "log.h"
#include "rules_cli.h"
#include "score.h"
#include "screen_cli.h"
#include "topics.h"
#include "wl_cli.h"
#include "worker.h"

#ifndef PF_VERSION
#define PF_VERSION "0.1.0"
#endif

typedef struct pf_cmd_s {
        const char *name;
        unsigned scope;
        const char *args;
        const char *summary;
        const char *details;
} pf_cmd_t;

static int rules_force;                                                 /* rules publish --force */
static pf_backtest_opts_t backtest_opts = {NULL, "active", NULL, NULL}; /* rules backtest */

static const pf_cmd_t pf_cmds[] = {
        {"run", PF_SCOPE_RUN, "", "run a worker: both stages, in the consumer group",
         "Joins the consumer group on <prefix>.events.api and <prefix>.events.pnr (stage 1: "
         "decode,\n"
         "validate, derive the pseudonymous traveller key, re-publish to <prefix>.by-traveller) "
         "and on\n"
         "<prefix>.by-traveller (stage 2: append the trip to the traveller's history in RocksDB,\n"
         "evaluate the rules, publish a ScoredResult to <prefix>.scored and, at or above "
         "alert.band,\n"
         "to <prefix>.alerts). Bad input goes to <prefix>.dlq with a reason; the worker carries "
         "on.\n"
         "SIGINT/SIGTERM shut down cleanly: outputs flushed, offsets committed, stores closed.\n"
         "Exit status: 0 after a clean shutdown, 1 on a fatal error, 2 for a bad configuration.\n"},
        {"topics", PF_SCOPE_TOPICS, "create", "create the deployment's topics (idempotent)",
         "Creates <prefix>.{events.api,events.pnr,by-traveller,scored,alerts,dlq,changelog} with\n"
         "--partitions partitions, and the compacted global tables <prefix>.{watchlist,rules}.\n"},
        {"gen", PF_SCOPE_GEN, "", "generate synthetic passenger traffic for a hub",
         "Writes PNR pushes (72 h, 48 h, 24 h before departure and at departure) and API messages "
         "for\n"
         "the departures of a hub, with repeat travellers, planted patterns and planted bad "
         "payloads,\n"
         "to <prefix>.events.api / .events.pnr, or with --out to a paxflow event file. The same "
         "seed\n"
         "gives the same traffic. --truth writes the ground truth of what was planted (JSON "
         "lines).\n"},
        {"produce", PF_SCOPE_GEN, "FILE", "publish a paxflow event file to the event topics",
         "Publishes every record of FILE (written by gen --out) to its event topic, keys "
         "unchanged.\n"},
        {"config", PF_SCOPE_RUN, "dump",
         "print the effective worker configuration (secrets redacted)",
         "Prints every setting of paxflow run with its effective value after the config file, the\n"
         "PAXFLOW_* environment and flags are applied, then the librdkafka pass-through "
         "properties.\n"
         "Secrets (secret.file, and kafka.* properties whose names contain password, secret or "
         "key)\n"
         "print as [redacted]. Exit status 2 when a value is invalid.\n"},
        {"watchlist", PF_SCOPE_WATCHLIST, "load FILE | delete ENTRY_ID...",
         "publish watchlist entries (or tombstones) to the watchlist topic",
         "load: validates every line of FILE (JSON Lines, or CSV with the header of paxflow "
         "screen\n"
         "--help) and, only if every line is valid, publishes the entries keyed by entry_id to "
         "the\n"
         "compacted <prefix>.watchlist topic in one transaction; each bad line is reported as\n"
         "file:line: reason, and nothing is published. delete: publishes tombstones for the ids.\n"
         "Running workers apply both within seconds, without a restart.\n"},
        {"consume", PF_SCOPE_CONSUME, "", "print a topic as JSON lines, to its current end",
         "Reads every partition of --topic (read_committed) from the beginning to the end offsets "
         "seen\n"
         "at start and prints each message as one JSON object with _topic, _partition, _offset, "
         "_key.\n"
         "Bytes fields print as hex. Messages that do not decode print with an _error field.\n"},
};

#define PF_CMD_COUNT (sizeof(pf_cmds) / sizeof(pf_cmds[0]))

static void usage_main(FILE *fp) {
        fprintf(fp,
                "paxflow %s: screens airline passenger data (API and PNR) from Kafka.\n\n"
                "Usage: paxflow <command> [options]\n       paxflow <command> --help\n\n"
                "Commands:\n",
                PF_VERSION);
        for (size_t i = 0; i < PF_CMD_COUNT; i++)
                fprintf(fp, "  %-9s %s\n", pf_cmds[i].name, pf_cmds[i].summary);
        fprintf(fp, "  %-9s %s\n", "bench",
                "core --events FILE: pipeline events/s on one core, no Kafka");
        fprintf(fp, "  %-9s %s\n", "screen",
                "screen travellers (JSON lines) against a watchlist file, without Kafka");
        fprintf(fp, "  %-9s %s\n", "rules",
                "check FILE...: validate rule files; publish FILE: send a rule set to the workers");
        fprintf(fp, "  %-9s %s\n  %-9s %s\n", "version", "print the version", "help",
                "print this help");
        fprintf(fp, "\nSee README.md for the quickstart. Logs are JSON lines on stderr.\n");
}

static void usage_cmd(FILE *fp, const pf_cmd_t *cmd) {
        fprintf(fp, "Usage: paxflow %s [options]%s%s\n\n%s\n", cmd->name, cmd->args[0] ? " " : "",
                cmd->args, cmd->details);
        pf_conf_usage(fp, cmd->scope);
}

static int wants_help(int argc, char **argv) {
        for (int i = 0; i < argc; i++)
                if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
                        return 1;
        return 0;
}

static int run_cmd(const pf_cmd_t *cmd, int argc, char **argv) {
        char errstr[512];
        int argi = 0, status;
        if (wants_help(argc, argv)) {
                usage_cmd(stdout, cmd);
                return 0;
        }
        pf_conf_t *conf = pf_conf_new();
        if (!conf) {
                fprintf(stderr, "paxflow: out of memory\n");
                return 1;
        }
        if (pf_conf_load(conf, cmd->scope, argc, argv, &argi, errstr, sizeof(errstr))) {
                fprintf(stderr, "paxflow %s: %s\n", cmd->name, errstr);
                pf_conf_destroy(conf);
                return 2;
        }
        if (pf_log_set_level(pf_conf_str(conf, "log.level"))) {
                fprintf(stderr,
                        "paxflow %s: log.level: invalid value \"%s\": allowed are debug, "
                        "info, warn, error, off\n",
                        cmd->name, pf_conf_str(conf, "log.level"));
                pf_conf_destroy(conf);
                return 2;
        }
        int rest = argc - argi;
        char **args = argv + argi;
        /* librdkafka properties are checked now, so a bad one is a configuration error (2). */
        if (cmd->scope & PF_SCOPE_KAFKA) {
                rd_kafka_conf_t *kconf = pf_kafka_conf_new(conf, errstr, sizeof(errstr));
                if (!kconf) {
                        fprintf(stderr, "paxflow %s: %s\n", cmd->name, errstr);
                        pf_conf_destroy(conf);
                        return 2;
                }
                rd_kafka_conf_destroy(kconf);
                if (strcmp(cmd->name, "run") == 0 &&
                    pf_kafka_check_rebalance(conf, errstr, sizeof(errstr))) {
                        fprintf(stderr, "paxflow %s: %s\n", cmd->name, errstr);
                        pf_conf_destroy(conf);
                        return 2;
                }
        }
        if (strcmp(cmd->name, "run") == 0 || strcmp(cmd->name, "rules backtest") == 0) {
                pf_bands_t bands;
                if (pf_bands_from_conf(conf, &bands, errstr, sizeof(errstr))) {
                        fprintf(stderr, "paxflow %s: %s\n", cmd->name, errstr);
                        pf_conf_destroy(conf);
                        return 2;
                }
        }
        if (strcmp(cmd->name, "run") == 0 && pf_conf_str(conf, "rules.file")[0]) {
                /* A rule file with a mistake is a configuration error: say where, exit 2. */
                pf_ruleset_t *rs =
                        pf_rules_load_file(pf_conf_str(conf, "rules.file"), errstr, sizeof(errstr));
                if (!rs) {
                        fprintf(stderr, "paxflow run: rules.file: %s\n", errstr);
                        pf_conf_destroy(conf);
                        return 2;
                }
                pf_ruleset_destroy(rs);
        }
        if (strcmp(cmd->name, "run") == 0 && rest == 0) {
                pf_worker_stats_t stats;
                status = pf_worker_run(conf, &stats);
                if (status == 0 || stats.events_in || stats.stage2_in)
                        pf_worker_print_summary(&stats);
        } else if (strcmp(cmd->name, "topics") == 0 && rest == 1 &&
                   strcmp(args[0], "create") == 0) {
                status = pf_topics_create(conf);
        } else if (strcmp(cmd->name, "config") == 0 && rest == 1 && strcmp(args[0], "dump") == 0) {
                pf_conf_dump(stdout, conf, PF_SCOPE_RUN);
                status = 0;
        } else if (strcmp(cmd->name, "watchlist") == 0) {
                status = pf_wl_cli_run(conf, rest, args);
        } else if (strcmp(cmd->name, "gen") == 0 && rest == 0) {
                status = pf_gen_cli_run(conf);
        } else if (strcmp(cmd->name, "produce") == 0 && rest == 1) {
                status = pf_produce_cli_run(conf, args[0]);
        } else if (strcmp(cmd->name, "rules backtest") == 0 && rest == 1) {
                status = pf_rules_backtest(conf, args[0], &backtest_opts);
        } else if (strcmp(cmd->name, "rules publish") == 0 && rest == 1) {
                status = pf_rules_publish(conf, args[0], rules_force);
        } else if (strcmp(cmd->name, "consume") == 0 && rest == 0) {
                status = pf_consume_run(conf);
        } else {
                fprintf(stderr, "paxflow %s: unexpected arguments%s%s (see paxflow %s --help)\n",
                        cmd->name, rest ? " starting at " : "", rest ? args[0] : "", cmd->name);
                status = 2;
        }
        pf_conf_destroy(conf);
        return status;
}

int main(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
            strcmp(argv[1], "-h") == 0) {
                usage_main(stdout);
                return argc < 2 ? 2 : 0;
        }
        if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
                printf("paxflow %s\n", PF_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "bench") == 0) {
                const char *events = NULL, *rules = NULL;
                size_t names = 100000, travellers = 1000000, limit = 0, cache_mb = 64;
                int ok = argc >= 3 && strcmp(argv[2], "core") == 0;
                for (int i = 3; ok && i < argc; i++) {
                        char *end = NULL;
                        if (i + 1 >= argc)
                                ok = 0;
                        else if (strcmp(argv[i], "--events") == 0)
                                events = argv[++i];
                        else if (strcmp(argv[i], "--rules") == 0)
                                rules = argv[++i];
                        else if (strcmp(argv[i], "--names") == 0)
                                names = strtoull(argv[++i], &end, 10);
                        else if (strcmp(argv[i], "--travellers") == 0)
                                travellers = strtoull(argv[++i], &end, 10);
                        else if (strcmp(argv[i], "--limit") == 0)
                                limit = strtoull(argv[++i], &end, 10);
                        else if (strcmp(argv[i], "--history-cache-mb") == 0)
                                cache_mb = strtoull(argv[++i], &end, 10);
                        else
                                ok = 0;
                        if (end && *end)
                                ok = 0;
                }
                if (!ok || !events) {
                        fprintf(stderr,
                                "Usage: paxflow bench core --events FILE [--names N] [--travellers "
                                "M] [--rules RULEFILE] [--limit K]\n"
                                "                         [--history-cache-mb C]\n\n"
                                "Runs the events of FILE (written by paxflow gen --out) through "
                                "the "
                                "whole pipeline\n"
                                "without Kafka, on one core: decode, key, history, screening, "
                                "rules, encode. Before\n"
                                "timing it builds a synthetic watchlist of N names (default "
                                "100000) and M traveller\n"
                                "histories (default 1000000). Prints events/s and ns/event per "
                                "stage, and peak RSS. --limit: only the first K events.\n"
                                "--history-cache-mb: the committed-history cache in front of "
                                "RocksDB (history.cache.mb;\n"
                                "default 64, 0 turns it off).\n");
                        return wants_help(argc - 2, argv + 2) ? 0 : 2;
                }
                return pf_bench_core(events, names, travellers, rules, limit, cache_mb);
        }
        if (strcmp(argv[1], "screen") == 0)
                return pf_screen_cli_main(argc - 1, argv + 1, stdin, stdout, stderr);
        if (strcmp(argv[1], "rules") == 0 && argc >= 3 && strcmp(argv[2], "publish") == 0) {
                static const pf_cmd_t publish = {
                        "rules publish", PF_SCOPE_WATCHLIST, "FILE",
                        "publish a rule file to the workers",
                        "Compiles FILE and publishes it to <prefix>.rules; every worker compiles "
                        "it "
                        "again and\n"
                        "scores the next events with it (a set that does not compile is rejected "
                        "there and the\n"
                        "last good one stays). --force publishes a file that does not compile "
                        "(for tests).\n"};
                int n = 0;
                for (int i = 3; i < argc; i++) /* take --force out before the settings parse */
                        if (strcmp(argv[i], "--force") == 0)
                                rules_force = 1;
                        else
                                argv[3 + n++] = argv[i];
                return run_cmd(&publish, n, argv + 3);
        }
        if (strcmp(argv[1], "rules") == 0 && argc >= 3 && strcmp(argv[2], "backtest") == 0) {
                static const pf_cmd_t backtest = {
                        "rules backtest", PF_SCOPE_RUN | PF_SCOPE_CONSUME,
                        "FILE [--events EVFILE] [--against active|builtin|RULEFILE] "
                        "[--watchlist WLFILE] [--hits OUTFILE]",
                        "what a rule set would have done over recorded events",
                        "Replays recorded events through the candidate rule FILE and, side by "
                        "side, "
                        "through the\n"
                        "active rule set (the one on <prefix>.rules, else the built-in rules; or "
                        "--against builtin,\n"
                        "or another rule file), publishing nothing. Events come from --events (a "
                        "file written by\n"
                        "paxflow gen --out) or else from the event topics, up to their current "
                        "end; they are\n"
                        "applied in event-time order, as the workers apply them, with the "
                        "deployment's watchlist,\n"
                        "or with --watchlist WLFILE (JSON Lines or CSV, as paxflow screen reads; "
                        "with --events\n"
                        "and --against builtin|RULEFILE no broker is needed).\n"
                        "Prints per rule the hits, the share of travellers hit and the hits its "
                        "cap suppressed,\n"
                        "and the band and score distributions. --hits OUTFILE also writes each "
                        "event's hits\n"
                        "(JSON Lines; paxflow's detection report, bench/detect.sh, reads them). "
                        "Needs\n"
                        "secret.file (the deployment's) for the traveller keys.\n"};
                static const struct {
                        const char *flag;
                        const char **dst;
                } own[] = {{"--events", &backtest_opts.events},
                           {"--against", &backtest_opts.against},
                           {"--watchlist", &backtest_opts.watchlist},
                           {"--hits", &backtest_opts.hits}};
                int n = 0;
                for (int i = 3; i < argc; i++) { /* take its own options out first */
                        size_t o = 0;
                        while (o < sizeof(own) / sizeof(own[0]) && strcmp(argv[i], own[o].flag))
                                o++;
                        if (o < sizeof(own) / sizeof(own[0]) && i + 1 < argc)
                                *own[o].dst = argv[++i];
                        else
                                argv[3 + n++] = argv[i];
                }
                return run_cmd(&backtest, n, argv + 3);
        }
        if (strcmp(argv[1], "rules") == 0) {
                if (argc < 3 || wants_help(argc - 2, argv + 2)) {
                        printf("Usage: paxflow rules check FILE...\n"
                               "       paxflow rules publish [--force] FILE [options] (see "
                               "paxflow rules publish --help)\n"
                               "       paxflow rules backtest FILE [options] (see paxflow rules "
                               "backtest --help)\n\n"
                               "Compiles each rule file (the language: rules/README.md) and "
                               "prints\n"
                               "\"FILE: ok, ruleset VERSION, N rules\", or the first mistake as\n"
                               "file:line:col: message on stderr. Exit status 0 when every file\n"
                               "compiles, 1 otherwise. paxflow run --rules.file FILE scores with\n"
                               "a rule file; without one it evaluates the built-in rules.\n");
                        return argc < 3 ? 2 : 0;
                }
                return pf_rules_cli_run(argc - 2, argv + 2);
        }
        for (size_t i = 0; i < PF_CMD_COUNT; i++)
                if (strcmp(argv[1], pf_cmds[i].name) == 0)
                        return run_cmd(&pf_cmds[i], argc - 2, argv + 2);
        fprintf(stderr, "paxflow: unknown command \"%s\" (see paxflow --help)\n", argv[1]);
        return 2;
}
